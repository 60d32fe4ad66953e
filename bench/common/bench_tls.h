// TLS contexts of the benchmark programs: the load generator's client context and the
// receiver's server context. Both mutual TLS with ECDSA P-256 certificates from
// certs/make-dev-pki, TLS 1.2 minimum. The client context never resumes a session (each
// new connection is a full handshake), so --handshake measures what it says.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <stdexcept>
#include <string>

namespace sixlink::bench {

inline void load_identity(boost::asio::ssl::context& ctx, const std::string& cert, const std::string& key,
                          const std::string& ca) {
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert, ec);
  if (!ec) ctx.use_private_key_file(key, boost::asio::ssl::context::pem, ec);
  if (!ec) ctx.load_verify_file(ca, ec);
  if (ec) throw std::runtime_error("cannot load " + cert + " / " + key + " / " + ca + ": " + ec.message());
}

inline void restrict_protocols(boost::asio::ssl::context& ctx) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx.native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305");
}

inline void make_client_context(boost::asio::ssl::context& ctx, const std::string& cert,
                                const std::string& key, const std::string& ca) {
  restrict_protocols(ctx);
  load_identity(ctx, cert, key, ca);
  ctx.set_verify_mode(boost::asio::ssl::verify_peer);
  SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_TICKET);
}

inline void make_server_context(boost::asio::ssl::context& ctx, const std::string& cert,
                                const std::string& key, const std::string& ca) {
  restrict_protocols(ctx);
  load_identity(ctx, cert, key, ca);
  ctx.set_verify_mode(boost::asio::ssl::verify_peer | boost::asio::ssl::verify_fail_if_no_peer_cert);
  static const unsigned char sid[] = "sixlink-bench";
  SSL_CTX_set_session_id_context(ctx.native_handle(), sid, sizeof sid - 1);
}

}  // namespace sixlink::bench
