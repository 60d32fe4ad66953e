// One admin connection (plain HTTP on the loopback admin listener): the request loop
// handing each request to the admin API. `limits` is a copy: a reload may replace the
// configuration it came from while the session runs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/admin/admin_api.h"

namespace sixlink {

boost::asio::awaitable<void> run_admin_session(boost::asio::ip::tcp::socket socket,
                                               Limits limits, AdminApi& api);

}  // namespace sixlink
