// The request loop shared by both listeners (plain TCP for admin, TLS for partners):
// read one request under the limits, hand it to a handler, write the answer, repeat
// while keep-alive holds. Limits are set again at every step: an idle timeout while
// waiting for a request, the header timeout once its first byte arrived (a slow header
// closes the connection), a fresh parser with explicit header and body limits.
// Include only from listener .cpp files: it pulls in Asio and Beast.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <chrono>
#include <memory>

#include "gateway/api/http_types.h"
#include "gateway/config/config.h"

namespace sixlink::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using RequestHandler = std::function<void(HttpRequest, Respond)>;
// Told of each request the loop itself refused (413, 431), for the caller's metrics.
using RefusalObserver = std::function<void(int status)>;

// Calls `handler` and resumes the coroutine with its response on `executor`, whichever
// thread the handler completes on (the store's writer, typically).
template <class Executor>
asio::awaitable<HttpResponse> call_handler(const RequestHandler& handler, HttpRequest request,
                                           Executor executor) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
      [&handler, executor](auto completion, HttpRequest req) {
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        handler(std::move(req), [shared, executor](HttpResponse r) {
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      asio::use_awaitable, std::move(request));
}

inline http::response<http::string_body> to_beast(HttpResponse r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sixlink");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// 413 or 431. (Built outside the coroutines: GCC 12 miscompiles brace-initialised
// string literals inside a coroutine body.)
inline HttpResponse limit_response(int status, const Limits& limits) {
  if (status == 431) return error_response({431, "header_too_large", "request header too large", {}, {}, 0});
  return error_response({413, "too_large", "body exceeds " + std::to_string(limits.max_body_bytes) + " bytes", {}, {}, 0});
}

// Whether a read of the request failed on what the client sent, not on the connection.
inline bool is_malformed_request(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::body_limit &&
         ec != http::error::header_limit;
}

inline HttpResponse malformed_response(const boost::system::error_code& ec) {
  return error_response({400, "bad_request", "malformed HTTP request: " + ec.message(), {}, {}, 0});
}

template <class Stream>
asio::awaitable<void> write_response(Stream& stream, HttpResponse r, unsigned version,
                                     bool keep_alive, const Limits& limits) {
  auto res = to_beast(std::move(r), version, keep_alive);
  beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
  co_await http::async_write(stream, res, use_tuple);
}

// After refusing a request whose body was not read: read and discard what the client is
// still sending (bounded in bytes and time), so that closing does not reset the
// connection before the client has read the refusal.
template <class Stream>
asio::awaitable<void> discard_input(Stream& stream, std::size_t max_bytes) {
  auto& lowest = beast::get_lowest_layer(stream);
  std::array<char, 16384> sink;
  std::size_t total = 0;
  while (total < max_bytes) {
    lowest.expires_after(std::chrono::milliseconds(500));
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) co_return;
    total += n;
  }
}

// Serves requests on `stream` until the peer closes, a limit is hit, or keep-alive ends.
template <class Stream>
asio::awaitable<void> serve_requests(Stream& stream, beast::flat_buffer& buffer,
                                     const Limits& limits, const RequestHandler& handler,
                                     const RefusalObserver& on_refused = {}) {
  auto& lowest = beast::get_lowest_layer(stream);
  for (;;) {
    if (buffer.size() == 0) {  // idle between requests: wait for the first byte
      lowest.expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (ec) co_return;  // idle timeout, or the peer closed
      buffer.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    lowest.expires_after(std::chrono::milliseconds(limits.header_timeout_ms));
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec == http::error::header_limit) {
      if (on_refused) on_refused(431);
      co_await write_response(stream, limit_response(431, limits), 11, false, limits);
      co_return;
    }
    // Beast refuses a Content-Length over the body limit while reading the header.
    const bool declared_too_large = hec == http::error::body_limit ||
        (!hec && parser.content_length() && *parser.content_length() > limits.max_body_bytes);
    if (hec && !declared_too_large) {
      // A request that is not HTTP (two Content-Lengths, a Content-Length with chunked, a bad
      // request line) gets a 400 before the close (RFC 9112 6.3); a slow header (timeout) or
      // a closed connection gets nothing.
      if (is_malformed_request(hec))
        co_await write_response(stream, malformed_response(hec), 11, false, limits);
      co_return;
    }
    auto received_at = std::chrono::steady_clock::now();
    const unsigned version = parser.get().version();
    if (declared_too_large) {
      if (on_refused) on_refused(413);
      co_await write_response(stream, limit_response(413, limits), version, false, limits);
      co_await discard_input(stream, 4 * limits.max_body_bytes + 65536);
      co_return;
    }
    if (!parser.is_done()) {
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, version};
        lowest.expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
        auto [cec, cn] = co_await http::async_write(stream, go_on, use_tuple);
        if (cec) co_return;
      }
      lowest.expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
      if (bec == http::error::body_limit) {
        if (on_refused) on_refused(413);
        co_await write_response(stream, limit_response(413, limits), version, false, limits);
        co_await discard_input(stream, 4 * limits.max_body_bytes + 65536);
        co_return;
      }
      if (bec) {
        if (is_malformed_request(bec))  // a bad chunk, say
          co_await write_response(stream, malformed_response(bec), version, false, limits);
        co_return;
      }
    }
    auto req = parser.release();
    const bool keep_alive = req.keep_alive();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.content_type = std::string(req[http::field::content_type]);
    // A list header sent on several lines is one list (RFC 9110 §5.3): no line is dropped.
    for (auto [line, end] = req.equal_range("Sixlink-Recipients"); line != end; ++line) {
      if (!r.recipients_header.empty()) r.recipients_header += ',';
      r.recipients_header += line->value();
    }
    r.body = std::move(req.body());
    r.received_at = received_at;
    HttpResponse resp = co_await call_handler(handler, std::move(r), stream.get_executor());
    const bool keep = keep_alive && !resp.close;
    co_await write_response(stream, std::move(resp), version, keep, limits);
    if (!keep) co_return;
  }
}

}  // namespace sixlink::net
