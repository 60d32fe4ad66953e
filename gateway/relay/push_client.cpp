#include "gateway/relay/push_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "gateway/net/http_server.h"
#include "gateway/net/tls_stream.h"

namespace sixlink {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::use_tuple;

PushClient::PushClient(asio::any_io_executor executor, std::shared_ptr<tls::Context> tls,
                       HttpsEndpoint endpoint, std::chrono::milliseconds timeout)
    : executor_(std::move(executor)), tls_(std::move(tls)), endpoint_(std::move(endpoint)), timeout_(timeout) {}

PushClient::~PushClient() = default;

void PushClient::close() {
  if (!stream_) return;
  stream_->close();
  stream_.reset();
  buffer_.clear();
}

void PushClient::cancel() {
  cancelled_ = true;
  if (stream_) stream_->close();
}

asio::awaitable<std::string> PushClient::connect() {
  close();
  asio::ip::tcp::resolver resolver(executor_);
  auto [rec, results] = co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), use_tuple);
  if (rec) co_return "resolve: " + rec.message();
  beast::tcp_stream tcp(executor_);  // for the connect's timeout; the socket then moves on
  tcp.expires_after(timeout_);
  auto [cec, ep] = co_await tcp.async_connect(results, use_tuple);
  if (cec) co_return "connect: " + cec.message();
  tcp.expires_never();
  auto stream =
      std::make_unique<Stream>(tcp.release_socket(), tls_->native_handle(), Stream::Role::client);
  // SNI and the host-name (or IP) check of the member's server certificate.
  if (!stream->set_peer_name(endpoint_.host))
    co_return "tls: cannot check the name " + endpoint_.host;
  stream->expires_after(timeout_);
  auto [hec, hn] = co_await stream->async_handshake(use_tuple);
  if (hec) co_return "tls: " + hec.message();
  stream_ = std::move(stream);
  co_return std::string();
}

asio::awaitable<PushResult> PushClient::exchange(
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& content_type, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, endpoint_.target, 11};
  req.set(http::field::host, endpoint_.host);
  req.set(http::field::user_agent, "sixlink-gateway");
  req.set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  stream_->expires_after(timeout_);
  auto [wec, wn] = co_await http::async_write(*stream_, req, use_tuple);
  if (wec) co_return PushResult{0, "write: " + wec.message()};
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  stream_->expires_after(timeout_);
  auto [rec, rn] = co_await http::async_read(*stream_, buffer_, parser, use_tuple);
  if (rec) co_return PushResult{0, (rec == beast::error::timeout ? "timeout: " : "read: ") + rec.message()};
  if (!parser.get().keep_alive()) close();
  co_return PushResult{static_cast<int>(parser.get().result_int()), {}};
}

asio::awaitable<PushResult> PushClient::post(
    std::vector<std::pair<std::string, std::string>> headers, std::string content_type,
    std::string body) {
  if (cancelled_) co_return PushResult{0, "cancelled"};
  const bool reused = stream_ != nullptr;
  if (!stream_) {
    std::string err = co_await connect();
    if (!err.empty()) co_return PushResult{0, err};
  }
  PushResult r = co_await exchange(headers, content_type, body);
  if (r.status == 0 && reused && !r.error.starts_with("timeout") && !cancelled_) {
    // The member may have closed an idle kept-alive connection: one fresh try (not when
    // the post was cancelled: a shutdown must not send it again).
    std::string err = co_await connect();
    if (!err.empty()) co_return PushResult{0, err};
    r = co_await exchange(headers, content_type, body);
  }
  if (r.status == 0) close();
  co_return r;
}

}  // namespace sixlink
