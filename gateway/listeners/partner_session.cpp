#include "gateway/listeners/partner_session.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/error.hpp>

#include "gateway/log.h"
#include "gateway/net/http_server.h"
#include "gateway/net/tls_stream.h"

namespace sixlink {

namespace asio = boost::asio;
namespace beast = boost::beast;
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

bool verify_peer(PeerCheck& check, bool preverified, X509_STORE_CTX* store) {
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
  // The connection authenticates against the configuration in force when it arrives and
  // keeps that configuration's limits; each request then looks its member up again in
  // the configuration in force, so a member removed or re-identified by a reload is
  // refused on a kept-alive connection too.
  const auto at_connect = ctx.current();
  const Limits limits = at_connect->config->limits;
  net::TlsStream stream(std::move(socket), tls->native_handle(), net::TlsStream::Role::server);
  PeerCheck check{at_connect->config, nullptr, std::nullopt};
  stream.set_verify_callback([&check](bool preverified, X509_STORE_CTX* store) {
    return verify_peer(check, preverified, store);
  });

  stream.expires_after(std::chrono::milliseconds(limits.header_timeout_ms));
  auto [hec, hn] = co_await stream.async_handshake(use_tuple);
  if (hec || !check.member) {
    refuse(ctx, classify_handshake_error(hec, check));
    co_return;
  }
  const std::string member_id = check.member->id, identity = check.member->identity;
  X509* peer = SSL_get0_peer_certificate(stream.native_handle());  // owned by the stream
  if (peer) ctx.metrics->saw_client_certificate(member_id, tls::not_after_epoch(peer));
  // The revocation lists the certificate was last checked against. The handshake checked
  // the lists of the server context it was given; the first request checks the lists in
  // force, and so does the first after each reload, so a certificate revoked since stops
  // working on a kept-alive connection too.
  std::shared_ptr<const tls::Revocations> checked_against;
  bool revoked = false;
  beast::flat_buffer buffer;
  net::RequestHandler handler = [&api, &ctx, &member_id, &identity, peer, &checked_against,
                                 &revoked](HttpRequest req, Respond respond) {
    ++ctx.requests_in_flight;
    auto runtime = ctx.current();
    if (runtime->revocations != checked_against) {
      checked_against = runtime->revocations;
      revoked = revoked || (peer && checked_against && checked_against->revoked(peer));
    }
    const MemberConfig* member = runtime->config->find_member(member_id);
    if (member && member->identity != identity) member = nullptr;
    // Access log: one line per request, written when the answer is ready.
    auto logged = [started = req.received_at, method = req.method, path = parse_target(req.target).path,
                   in = req.body.size(), &member_id, &ctx, runtime,
                   respond = std::move(respond)](HttpResponse r) {
      if (log_enabled(LogLevel::info)) log_access("partner", member_id, method, path, r, in, started);
      respond(std::move(r));
      --ctx.requests_in_flight;
    };
    if (revoked) {
      log_event(LogLevel::warn, "certificate_revoked", {{"member", member_id}});
      HttpResponse r = error_response({403, "certificate_revoked",
                                       "this connection's client certificate has been revoked",
                                       {}, {}, 0});
      r.close = true;
      return logged(std::move(r));
    }
    if (!member) {
      HttpResponse r = error_response({403, "member_not_configured",
                                       "the certificate's member (" + member_id + ") is no longer configured; reconnect",
                                       {}, {}, 0});
      r.close = true;
      return logged(std::move(r));
    }
    // Counted in flight first, then checked: shutdown sets draining before it waits for
    // the count to reach zero, so a request either sees draining or is waited for.
    if (ctx.draining.load()) {
      if (auto* mm = ctx.metrics->member(member_id)) mm->count_rejected(RejectReason::overloaded);
      HttpResponse r = error_response({503, "shutting_down", "the gateway is shutting down; retry shortly", {}, {}, 1});
      r.close = true;
      return logged(std::move(r));
    }
    api.handle(*member, std::move(req), std::move(logged));
  };
  net::RefusalObserver on_refused = [&ctx, &member_id](int) {
    if (auto* mm = ctx.metrics->member(member_id)) mm->count_rejected(RejectReason::too_large);
  };
  co_await net::serve_requests(stream, buffer, limits, handler, on_refused);

  // Close politely, but never wait long for a peer that does not answer the close_notify.
  stream.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace sixlink
