#include "gateway/listeners/partner_session.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "gateway/log.h"
#include "gateway/net/http_server.h"

namespace sixlink {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using net::use_tuple;

namespace {

// What the verify callback learned about the peer during the handshake.
struct PeerCheck {
  std::shared_ptr<const GatewayConfig> config;
  const MemberConfig* member = nullptr;
  std::optional<TlsFailure> failure;
};

TlsFailure classify_verify_error(int err) {
  switch (err) {
    case X509_V_ERR_CERT_REVOKED: return TlsFailure::revoked;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return TlsFailure::expired;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED: return TlsFailure::other;
    default: return TlsFailure::unknown_ca;
  }
}

bool verify_peer(PeerCheck& check, bool preverified, ssl::verify_context& vc) {
  X509_STORE_CTX* store = vc.native_handle();
  if (!preverified) {
    check.failure = classify_verify_error(X509_STORE_CTX_get_error(store));
    return false;
  }
  if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
  check.member = tls::member_for_certificate(*check.config, X509_STORE_CTX_get_current_cert(store));
  if (!check.member) check.failure = TlsFailure::unknown_member;
  return check.member != nullptr;
}

TlsFailure classify_handshake_error(const boost::system::error_code& ec, const PeerCheck& check) {
  if (check.failure) return *check.failure;
  if (ec == beast::error::timeout) return TlsFailure::timeout;
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
    return TlsFailure::no_certificate;
  return TlsFailure::protocol;
}

void refuse(GatewayContext& ctx, TlsFailure reason) {
  ctx.metrics->tls_failure(reason);
  log_event(LogLevel::info, "tls_refused", {{"reason", to_string(reason)}});
}

}  // namespace

asio::awaitable<void> run_partner_session(asio::ip::tcp::socket socket,
                                          std::shared_ptr<tls::Context> tls, GatewayContext& ctx,
                                          PartnerApi& api) {
  auto config = ctx.config;
  const Limits& limits = config->limits;
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
  PeerCheck check{config, nullptr, std::nullopt};
  stream.set_verify_callback(
      [&check](bool preverified, ssl::verify_context& vc) { return verify_peer(check, preverified, vc); });

  beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(limits.header_timeout_ms));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (hec || !check.member) {
    refuse(ctx, classify_handshake_error(hec, check));
    co_return;
  }
  const MemberConfig& member = *check.member;
  beast::flat_buffer buffer;
  net::RequestHandler handler = [&api, &member, &ctx](HttpRequest req, Respond respond) {
    ++ctx.requests_in_flight;
    // Access log: one line per request, written when the answer is ready.
    auto logged = [started = req.received_at, method = req.method, path = parse_target(req.target).path,
                   in = req.body.size(), &member, &ctx, respond = std::move(respond)](HttpResponse r) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
      log_event(LogLevel::info, "access",
                {{"listener", "partner"}, {"member", member.id}, {"method", method}, {"path", path},
                 {"status", std::to_string(r.status)}, {"bytes_in", std::to_string(in)},
                 {"bytes_out", std::to_string(r.body.size())}, {"duration_us", std::to_string(us.count())}});
      respond(std::move(r));
      --ctx.requests_in_flight;
    };
    api.handle(member, std::move(req), std::move(logged));
  };
  net::RefusalObserver on_refused = [&ctx, &member](int) {
    if (auto* mm = ctx.metrics->member(member.id)) mm->count_rejected(RejectReason::too_large);
  };
  co_await net::serve_requests(stream, buffer, limits, handler, on_refused);

  // Close politely, but never wait long for a peer that does not answer the close_notify.
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace sixlink
