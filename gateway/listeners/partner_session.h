// One partner connection: TLS handshake (client certificate required, mapped to exactly
// one member), then the request loop handing each request to the partner API.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "gateway/api/partner_api.h"
#include "gateway/gateway_context.h"
#include "gateway/net/tls.h"

namespace sixlink {

// Runs the session to its end. `tls` is the server context in force when it was accepted.
boost::asio::awaitable<void> run_partner_session(boost::asio::ip::tcp::socket socket,
                                                 std::shared_ptr<tls::Context> tls,
                                                 GatewayContext& ctx, PartnerApi& api);

}  // namespace sixlink
