// PushEndpoint: accept loop and one coroutine per connection (handshake, then requests
// while keep-alive holds), with a deadline on every step.
#include "simulator/push_endpoint.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <set>

namespace sixlink::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kStepTimeout{10};
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::size_t kMaxBody = 4 << 20;

http::response<http::string_body> answer(int status, const std::string& body, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "sixlink-simulator");
  res.set(http::field::content_type, "application/json");
  res.body() = body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

std::string error_json(const std::string& code, const std::string& message) {
  return R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})";
}

}  // namespace

struct PushEndpoint::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& ioc;
  std::string member;
  std::shared_ptr<ssl::context> tls;
  OnDelivery on_delivery;
  tcp::acceptor acceptor;
  int malformed = 0;
  std::set<beast::tcp_stream*> open;  // sessions' connections, closed by stop()
  bool stopped = false;

  Impl(asio::io_context& c, std::string m, std::shared_ptr<ssl::context> t, OnDelivery on)
      : ioc(c), member(std::move(m)), tls(std::move(t)), on_delivery(std::move(on)), acceptor(c) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec == asio::error::operation_aborted) co_return;  // closed at shutdown
      if (ec) continue;  // a connection that died before accept: keep serving the others
      asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
    }
  }

  // One delivery: the request's Sixlink-* headers and native body to the callback.
  std::pair<int, std::string> handle(const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) {
      ++malformed;
      return {405, error_json("method_not_allowed", "deliveries are POSTed")};
    }
    Reception r;
    r.receiver = member;
    r.message_id = std::string(req["Sixlink-Message-Id"]);
    r.source = std::string(req["Sixlink-Source"]);
    r.content_type = std::string(req[http::field::content_type]);
    r.bytes = req.body();
    if (r.message_id.empty() || r.source.empty()) {
      ++malformed;
      return {400, error_json("invalid_field", "Sixlink-Message-Id and Sixlink-Source are required")};
    }
    int status = on_delivery(r);
    if (status >= 400) return {status, error_json("invalid_document", "the delivery failed the receiver's checks")};
    return {status, R"({"status":"received"})"};
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    auto self = shared_from_this();
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    auto& lowest = beast::get_lowest_layer(stream);
    if (stopped) co_return;
    open.insert(&lowest);
    co_await session(stream);
    open.erase(&lowest);
  }

  asio::awaitable<void> session(beast::ssl_stream<beast::tcp_stream>& stream) {
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(kStepTimeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (hec) co_return;  // no or untrusted client certificate, or a port probe: nothing to serve
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBody);
      lowest.expires_after(kIdleTimeout);
      auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
      if (rec) break;  // closed by the gateway, idle timeout, or a malformed request
      auto req = parser.release();
      auto [status, body] = handle(req);
      auto res = answer(status, body, req.version(), req.keep_alive());
      lowest.expires_after(kStepTimeout);
      auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
      if (wec || !req.keep_alive()) break;
    }
    lowest.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_tuple);
  }
};

PushEndpoint::PushEndpoint(asio::io_context& ioc, std::string member, std::shared_ptr<ssl::context> tls,
                           OnDelivery on_delivery)
    : impl_(std::make_shared<Impl>(ioc, std::move(member), std::move(tls), std::move(on_delivery))) {}

PushEndpoint::~PushEndpoint() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

bool PushEndpoint::start(const ListenAddress& where, std::string* error) {
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(where.host, ec), where.port);
  if (!ec) impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + where.host + ":" + std::to_string(where.port) + " for " + impl_->member + ": " +
             ec.message();
    return false;
  }
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  return true;
}

void PushEndpoint::stop() {
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto* s : impl_->open) s->socket().close(ignored);
}

int PushEndpoint::malformed() const { return impl_->malformed; }

}  // namespace sixlink::sim
