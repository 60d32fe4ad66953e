// sixlink-bench-receiver: the receiving partner endpoint of the benchmark. A mutual-TLS
// HTTP/1.1 server (Beast) that answers 200 to every POST, counts deliveries and, when the
// body carries "bench_t":<unix ns> (the load generator's send time), records the
// delivery latency (send -> arrival here) in a log-linear histogram.
//
// Control, on the same listener (any client certificate of the federation CA):
//   GET  /_bench/stats   {"delivered":N,"window_s":S,"rate_rps":R,"latency":{…},…}
//   POST /_bench/reset   starts a new window (counts and histogram zeroed)
// SIGTERM/SIGINT print the final stats line on stdout and exit 0.
// One thread: the receiver is not meant to be the bottleneck, but it shares the machine.
// --release-buffers on sets SSL_MODE_RELEASE_BUFFERS (as nginx does), to measure what it
// saves per idle connection (docs/performance.md).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/common/bench_tls.h"
#include "bench/common/latency_histogram.h"

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using sixlink::bench::LatencyHistogram;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string cert, key, ca;
  int status = 200;
  bool release_buffers = false;  // SSL_MODE_RELEASE_BUFFERS: free TLS buffers of idle connections
};

// The window's counts. One thread touches them: no locks.
struct Stats {
  Clock::time_point since = Clock::now();
  Clock::time_point last_delivery{};
  uint64_t delivered = 0;
  uint64_t delivered_total = 0;
  uint64_t connections = 0;
  uint64_t handshake_failures = 0;
  LatencyHistogram latency;

  void reset() {
    since = Clock::now();
    last_delivery = {};
    delivered = 0;
    latency.reset();
  }

  std::string json() const {
    const double window = std::chrono::duration<double>(Clock::now() - since).count();
    const double active = last_delivery > since ? std::chrono::duration<double>(last_delivery - since).count() : 0;
    char head[256];
    std::snprintf(head, sizeof head,
                  "{\"tool\":\"sixlink-bench-receiver\",\"delivered\":%llu,\"delivered_total\":%llu,"
                  "\"window_s\":%.3f,\"rate_rps\":%.1f,\"last_delivery_s\":%.3f,\"connections\":%llu,"
                  "\"handshake_failures\":%llu,",
                  static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(delivered_total),
                  window, window > 0 ? static_cast<double>(delivered) / window : 0.0, active,
                  static_cast<unsigned long long>(connections), static_cast<unsigned long long>(handshake_failures));
    return std::string(head) + "\"latency\":{\"count\":" + std::to_string(latency.count()) + "," +
           latency.summary_json() + "}}";
  }
};

int64_t unix_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// The send time the load generator put in the body ("bench_t":<digits>), or 0.
int64_t body_timestamp(const std::string& body) {
  static constexpr std::string_view key = "\"bench_t\":";
  auto pos = body.find(key);
  if (pos == std::string::npos) return 0;
  return std::strtoll(body.c_str() + pos + key.size(), nullptr, 10);
}

http::response<http::string_body> answer(Stats& stats, const Options& o,
                                         const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "sixlink-bench-receiver");
  res.keep_alive(req.keep_alive());
  const std::string_view target = req.target();
  if (target == "/_bench/stats") {
    res.set(http::field::content_type, "application/json");
    res.body() = stats.json();
  } else if (target == "/_bench/reset") {
    stats.reset();
    res.result(http::status::no_content);
  } else if (req.method() == http::verb::post) {
    ++stats.delivered;
    ++stats.delivered_total;
    stats.last_delivery = Clock::now();
    if (int64_t sent = body_timestamp(req.body()); sent > 0) {
      const int64_t now = unix_ns_now();
      stats.latency.record(now > sent ? static_cast<uint64_t>(now - sent) : 0);
    }
    res.result(static_cast<http::status>(o.status));
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket socket, ssl::context& tls, Stats& stats, const Options& o) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  ssl::stream<tcp::socket> stream(std::move(socket), tls);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (hec) {
    ++stats.handshake_failures;
    co_return;
  }
  ++stats.connections;
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(4 << 20);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) break;  // closed by the peer (or garbage): nothing to answer
    auto res = answer(stats, o, parser.get());
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  stream.next_layer().close(ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context& tls, Stats& stats, const Options& o) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // EMFILE and friends: keep serving the connections we have
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), tls, stats, o), asio::detached);
  }
}

int usage() {
  std::cerr << "usage: sixlink-bench-receiver --port P --cert FILE --key FILE --ca FILE [--host ADDR] [--status CODE] [--release-buffers on|off]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = static_cast<uint16_t>(std::atoi(v.c_str()));
    else if (a == "--cert") o.cert = v;
    else if (a == "--key") o.key = v;
    else if (a == "--ca") o.ca = v;
    else if (a == "--status") o.status = std::atoi(v.c_str());
    else if (a == "--release-buffers") o.release_buffers = v == "1" || v == "on";
    else return usage();
  }
  if (argc % 2 == 0 || o.cert.empty() || o.key.empty() || o.ca.empty()) return usage();
  asio::io_context ioc(1);
  ssl::context tls(ssl::context::tls_server);
  try {
    sixlink::bench::make_server_context(tls, o.cert, o.key, o.ca);
    if (o.release_buffers) SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  } catch (const std::exception& e) {
    std::cerr << "sixlink-bench-receiver: " << e.what() << "\n";
    return 2;
  }
  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(o.host, ec), o.port);
  if (ec) return usage();
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "sixlink-bench-receiver: cannot listen on " << o.host << ":" << o.port << ": " << ec.message() << "\n";
    return 1;
  }
  Stats stats;
  std::cout << "{\"event\":\"listening\",\"port\":" << acceptor.local_endpoint().port() << "}" << std::endl;
  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) {
    std::cout << stats.json() << std::endl;
    ioc.stop();
  });
  asio::co_spawn(ioc, accept_loop(acceptor, tls, stats, o), asio::detached);
  ioc.run();
  return 0;
}
