// HttpsClient: connect, handshake, one request at a time over a kept-alive connection.
#include "simulator/https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sixlink::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using Stream = beast::ssl_stream<beast::tcp_stream>;
}  // namespace

struct HttpsClient::Impl {
  asio::any_io_executor executor;
  std::shared_ptr<ssl::context> tls;
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout{5000};
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buffer;

  void close() {
    if (!stream) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
    stream.reset();
    buffer.clear();
  }

  asio::awaitable<std::string> connect() {
    close();
    auto s = std::make_unique<Stream>(executor, *tls);
    asio::ip::tcp::resolver resolver(executor);
    auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), use_tuple);
    if (rec) co_return "resolve " + host + ": " + rec.message();
    auto& tcp = beast::get_lowest_layer(*s);
    tcp.expires_after(timeout);
    auto [cec, ep] = co_await tcp.async_connect(results, use_tuple);
    if (cec) co_return "connect " + host + ":" + std::to_string(port) + ": " + cec.message();
    // The gateway's certificate must chain to the federation CA and name the host dialled.
    SSL_set_tlsext_host_name(s->native_handle(), host.c_str());
    s->set_verify_callback(ssl::host_name_verification(host));
    tcp.expires_after(timeout);
    auto [hec] = co_await s->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return "tls: " + hec.message();
    stream = std::move(s);
    co_return std::string();
  }

  asio::awaitable<Answer> exchange(const std::string& method, const std::string& target,
                                   const std::string& content_type, const std::string& body) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "sixlink-simulator");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    auto& tcp = beast::get_lowest_layer(*stream);
    tcp.expires_after(timeout);
    auto [wec, wn] = co_await http::async_write(*stream, req, use_tuple);
    Answer a;
    if (wec) {
      a.error = "write: " + wec.message();
      co_return a;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);  // an inbox page of up to 1000 documents
    tcp.expires_after(timeout);
    auto [rec, rn] = co_await http::async_read(*stream, buffer, parser, use_tuple);
    if (rec) {
      a.error = (rec == beast::error::timeout ? "timeout: " : "read: ") + rec.message();
      co_return a;
    }
    auto& res = parser.get();
    a.status = static_cast<int>(res.result_int());
    a.retry_after = std::string(res[http::field::retry_after]);
    a.body = std::move(res.body());
    if (!res.keep_alive()) close();
    co_return a;
  }
};

HttpsClient::HttpsClient(asio::any_io_executor executor, std::shared_ptr<ssl::context> tls, std::string host,
                         uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->tls = std::move(tls);
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpsClient::~HttpsClient() { impl_->close(); }

void HttpsClient::cancel() {
  // Only the socket: the stream itself stays until the request in progress has ended.
  if (!impl_->stream) return;
  boost::system::error_code ignored;
  beast::get_lowest_layer(*impl_->stream).socket().close(ignored);
}

asio::awaitable<Answer> HttpsClient::request(std::string method, std::string target, std::string content_type,
                                             std::string body) {
  Impl& c = *impl_;
  const bool reused = c.stream != nullptr;
  if (!c.stream) {
    std::string err = co_await c.connect();
    if (!err.empty()) {
      Answer a;
      a.error = err;
      co_return a;
    }
  }
  Answer a = co_await c.exchange(method, target, content_type, body);
  if (a.status == 0 && reused && !a.error.starts_with("timeout")) {
    // The gateway may have closed the idle kept-alive connection: one fresh try.
    std::string err = co_await c.connect();
    if (!err.empty()) {
      a.error = err;
      co_return a;
    }
    a = co_await c.exchange(method, target, content_type, body);
  }
  if (a.status == 0) c.close();
  co_return a;
}

}  // namespace sixlink::sim
