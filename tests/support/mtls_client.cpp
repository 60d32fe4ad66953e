// Synchronous test clients built on asynchronous Beast operations: each step is started, then the
// client's own io_context runs until it completes. That way tcp_stream's deadline (expires_after)
// bounds every step, which the synchronous Beast calls would not do.
#include "tests/support/mtls_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <functional>
#include <utility>

namespace sixlink::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t kMaxResponseBody = 64 * 1024 * 1024;  // reports and inbox pages can be large
constexpr std::uint32_t kMaxResponseHeader = 64 * 1024;
constexpr std::chrono::milliseconds kMaxShutdownWait{1000};

// Starts one asynchronous operation and runs `ioc` until it has completed. The caller sets the
// stream's deadline first, so the run always ends.
template <class Start>
error_code run_one(asio::io_context& ioc, Start&& start) {
  error_code result = asio::error::would_block;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

std::string describe(const error_code& ec) {
  return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const std::string& body,
                                              const std::string& content_type,
                                              const std::map<std::string, std::string>& headers,
                                              const std::string& host_header, bool keep_alive) {
  http::request<http::string_body> req;
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(http::field::host, host_header);
  req.set(http::field::user_agent, "sixlink-tests");
  bool body_method =
      verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch;
  if (!content_type.empty() && (!body.empty() || body_method)) {
    req.set(http::field::content_type, content_type);
  }
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(keep_alive);
  for (const auto& [name, value] : headers) req.set(name, value);
  return req;
}

HttpResult to_result(const http::response<http::string_body>& res) {
  HttpResult result;
  result.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string value(field.value());
    auto [it, inserted] = result.headers.emplace(lower(std::string(field.name_string())), value);
    if (!inserted) it->second += ", " + value;
  }
  result.body = res.body();
  return result;
}

}  // namespace

std::string HttpResult::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

// ---------------------------------------------------------------------------------------------
// MtlsClient
// ---------------------------------------------------------------------------------------------

struct MtlsClient::Impl {
  std::string host;
  uint16_t port;
  std::string ca_file, cert_file, key_file;
  std::chrono::milliseconds timeout{5000};
  std::string verify_host;
  int min_version = TLS1_2_VERSION;
  int max_version = 0;
  std::string tls12_ciphers;

  asio::io_context ioc;
  std::unique_ptr<ssl::context> ctx;  // rebuilt at each connect: picks up rotated files
  std::unique_ptr<TlsStream> stream;  // one per connection (an SSL session is not reusable)
  beast::flat_buffer buffer;          // bytes read past the previous response
  int connections = 0;
  std::string last_error;

  // Reads the CA, certificate and key files into a fresh TLS client context.
  bool build_context(std::string* error);
  bool connect(std::string* error);
  // Closes without a TLS goodbye (after errors, or when the peer is gone).
  void drop();
  void close_gracefully();
  // One write + read on the open connection. `retryable` says the failure looks like a stale
  // keep-alive connection (closed by the server before any response byte).
  HttpResult send_once(http::request<http::string_body>& req, bool* retryable);
  bool is_open() const { return stream && stream->next_layer().socket().is_open(); }
};

bool MtlsClient::Impl::build_context(std::string* error) {
  stream.reset();  // a stream must not outlive the context it was made from
  ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  error_code ec;
  if ((min_version && SSL_CTX_set_min_proto_version(native, min_version) != 1) ||
      (max_version && SSL_CTX_set_max_proto_version(native, max_version) != 1)) {
    *error = "invalid TLS version bounds";
    return false;
  }
  if (!tls12_ciphers.empty() && SSL_CTX_set_cipher_list(native, tls12_ciphers.c_str()) != 1) {
    *error = "invalid cipher list: " + tls12_ciphers;
    return false;
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) ctx->load_verify_file(ca_file, ec);
  if (ec) {
    *error = "cannot load CA file " + ca_file + ": " + describe(ec);
    return false;
  }
  if (!cert_file.empty()) {
    ctx->use_certificate_chain_file(cert_file, ec);
    if (!ec) ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
      *error = "cannot load client identity " + cert_file + " / " + key_file + ": " + describe(ec);
      return false;
    }
  }
  return true;
}

bool MtlsClient::Impl::connect(std::string* error) {
  close_gracefully();
  std::string message;
  auto fail = [&](std::string what) {
    drop();
    last_error = std::move(what);
    if (error) *error = last_error;
    return false;
  };
  if (!build_context(&message)) return fail(message);

  error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return fail("resolve " + host + ": " + describe(ec));

  stream = std::make_unique<TlsStream>(ioc, *ctx);
  if (!verify_host.empty()) {
    if (!is_ip_address(verify_host) &&
        SSL_set_tlsext_host_name(stream->native_handle(), verify_host.c_str()) != 1) {
      return fail("cannot set SNI " + verify_host);
    }
    stream->set_verify_callback(ssl::host_name_verification(verify_host), ec);
    if (ec) return fail("cannot set host name check: " + describe(ec));
  }

  stream->next_layer().expires_after(timeout);
  ec = run_one(ioc, [&](auto handler) { stream->next_layer().async_connect(endpoints, handler); });
  if (ec) return fail("connect " + host + ":" + std::to_string(port) + ": " + describe(ec));

  stream->next_layer().expires_after(timeout);
  ec = run_one(ioc,
               [&](auto handler) { stream->async_handshake(ssl::stream_base::client, handler); });
  if (ec) {
    message = "TLS handshake: " + describe(ec);
    long verify = SSL_get_verify_result(stream->native_handle());
    if (verify != X509_V_OK) {
      message +=
          " (server certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    return fail(message);
  }
  buffer.clear();
  ++connections;
  last_error.clear();
  return true;
}

void MtlsClient::Impl::drop() {
  if (stream) {
    stream->next_layer().close();
    stream.reset();
  }
  buffer.clear();
}

void MtlsClient::Impl::close_gracefully() {
  if (is_open()) {
    // close_notify, then wait briefly for the server's: polite, and makes the server log a clean
    // end of connection rather than a truncated stream. Errors are irrelevant: we close anyway.
    stream->next_layer().expires_after(std::min(timeout, kMaxShutdownWait));
    run_one(ioc, [&](auto handler) { stream->async_shutdown(handler); });
  }
  drop();
}

HttpResult MtlsClient::Impl::send_once(http::request<http::string_body>& req, bool* retryable) {
  HttpResult result;
  *retryable = false;
  stream->next_layer().expires_after(timeout);
  error_code ec = run_one(ioc, [&](auto handler) { http::async_write(*stream, req, handler); });
  if (ec) {
    result.error = "write: " + describe(ec);
    *retryable = ec != beast::error::timeout;
    drop();
    return result;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  parser.header_limit(kMaxResponseHeader);
  if (req.method() == http::verb::head) parser.skip(true);
  stream->next_layer().expires_after(timeout);
  ec = run_one(ioc, [&](auto handler) { http::async_read(*stream, buffer, parser, handler); });
  if (ec) {
    result.error = "read: " + describe(ec);
    *retryable = ec != beast::error::timeout && !parser.got_some();
    drop();
    return result;
  }
  result = to_result(parser.get());
  if (!parser.get().keep_alive()) close_gracefully();
  return result;
}

MtlsClient::MtlsClient(std::string host, uint16_t port, std::string ca_file, std::string cert_file,
                       std::string key_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->ca_file = std::move(ca_file);
  impl_->cert_file = std::move(cert_file);
  impl_->key_file = std::move(key_file);
}

MtlsClient::~MtlsClient() { impl_->close_gracefully(); }

void MtlsClient::set_timeout(std::chrono::milliseconds timeout) { impl_->timeout = timeout; }
void MtlsClient::set_verify_host(std::string name) { impl_->verify_host = std::move(name); }
void MtlsClient::set_tls_versions(int min_version, int max_version) {
  impl_->min_version = min_version;
  impl_->max_version = max_version;
}
void MtlsClient::set_tls12_ciphers(std::string ciphers) {
  impl_->tls12_ciphers = std::move(ciphers);
}

bool MtlsClient::connect(std::string* error) { return impl_->connect(error); }
bool MtlsClient::is_open() const { return impl_->is_open(); }
void MtlsClient::close() { impl_->close_gracefully(); }
int MtlsClient::connections_made() const { return impl_->connections; }
const std::string& MtlsClient::last_error() const { return impl_->last_error; }

std::string MtlsClient::tls_version() const {
  return impl_->is_open() ? SSL_get_version(impl_->stream->native_handle()) : "";
}

int MtlsClient::server_certificates_sent() const {
  if (!impl_->is_open()) return 0;
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(impl_->stream->native_handle());
  return chain ? sk_X509_num(chain) : 0;
}

bool MtlsClient::session_resumable() const {
  if (!impl_->is_open()) return false;
  const SSL_SESSION* session = SSL_get_session(impl_->stream->native_handle());
  return session != nullptr && SSL_SESSION_is_resumable(session) == 1;
}

HttpResult MtlsClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& content_type,
                               const std::map<std::string, std::string>& headers) {
  auto req = make_request(method, target, body, content_type, headers,
                          impl_->host + ":" + std::to_string(impl_->port), true);
  bool reused = impl_->is_open();
  HttpResult result;
  if (!reused && !impl_->connect(&result.error)) return result;
  bool retryable = false;
  result = impl_->send_once(req, &retryable);
  if (result.ok() || !reused || !retryable) return result;
  // The server closed the idle keep-alive connection: a fresh one gets one more try.
  result = HttpResult{};
  if (!impl_->connect(&result.error)) return result;
  return impl_->send_once(req, &retryable);
}

std::string MtlsClient::raw_exchange(const std::string& bytes, std::chrono::milliseconds timeout,
                                     bool* closed_by_peer) {
  Impl& im = *impl_;
  if (closed_by_peer) *closed_by_peer = true;
  if (!im.is_open() && !im.connect(nullptr)) return "";

  // Write and read at the same time: a server refusing an oversized request may answer and close
  // while we are still writing, and its answer must not be lost to a broken pipe.
  std::string received = beast::buffers_to_string(im.buffer.data());
  im.buffer.clear();
  bool peer_closed = false;
  std::array<char, 16 * 1024> chunk;
  std::function<void()> do_read = [&] {
    im.stream->async_read_some(asio::buffer(chunk), [&](error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (!ec) return do_read();
      // Any end other than our own deadline is the server's doing (EOF, close_notify, reset,
      // truncated stream); the socket is closed so that a pending write ends too.
      peer_closed = ec != beast::error::timeout;
      im.stream->next_layer().socket().close(ec);
    });
  };
  im.stream->next_layer().expires_after(timeout);  // one deadline shared by the write and reads
  if (!bytes.empty()) {
    asio::async_write(*im.stream, asio::buffer(bytes), [](error_code, std::size_t) {});
  }
  do_read();
  im.ioc.restart();
  im.ioc.run();
  im.drop();
  if (closed_by_peer) *closed_by_peer = peer_closed;
  return received;
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP (admin listener)
// ---------------------------------------------------------------------------------------------

HttpResult http_request(const std::string& host, uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body,
                        const std::string& content_type, std::chrono::milliseconds timeout) {
  HttpResult result;
  asio::io_context ioc;
  error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) {
    result.error = "resolve " + host + ": " + describe(ec);
    return result;
  }
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  ec = run_one(ioc, [&](auto handler) { stream.async_connect(endpoints, handler); });
  if (ec) {
    result.error = "connect " + host + ":" + std::to_string(port) + ": " + describe(ec);
    return result;
  }
  auto req = make_request(method, target, body, content_type, {}, host + ":" + std::to_string(port),
                          false);
  stream.expires_after(timeout);
  ec = run_one(ioc, [&](auto handler) { http::async_write(stream, req, handler); });
  if (ec) {
    result.error = "write: " + describe(ec);
    return result;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  parser.header_limit(kMaxResponseHeader);
  if (req.method() == http::verb::head) parser.skip(true);
  stream.expires_after(timeout);
  ec = run_one(ioc, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
  if (ec) {
    result.error = "read: " + describe(ec);
    return result;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);  // not connected any more is fine
  return to_result(parser.get());
}

}  // namespace sixlink::testing
