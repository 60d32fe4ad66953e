#include "bench/loadgen/load_run.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/common/bench_tls.h"
#include "bench/common/cpu_time.h"
#include "bench/common/latency_histogram.h"
#include "bench/loadgen/request_maker.h"

namespace sixlink::bench {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Stream = ssl::stream<tcp::socket>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

int64_t unix_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return b > a ? static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count()) : 0;
}

// What one thread saw; merged at the end.
struct WorkerStats {
  LatencyHistogram latency;
  uint64_t answered = 0;        // answers recorded in the window
  uint64_t errors = 0;          // failed exchanges (write/read), in the window
  uint64_t connect_errors = 0;  // failed connects or handshakes
  uint64_t reconnects = 0;
  uint64_t incomplete = 0;      // open loop: intended in the window, never answered
  std::map<unsigned, uint64_t> status;
};

struct Worker {
  asio::io_context ioc{1};
  WorkerStats stats;
  std::vector<Stream*> live;                  // open streams by local slot, for the hard stop
  std::vector<std::unique_ptr<Stream>> held;  // idle mode
};

// State every connection reads; written only before the threads start, except the atomics.
struct Shared {
  const LoadOptions& o;
  const RequestMaker& maker;
  ssl::context& tls;
  tcp::endpoint endpoint;
  Clock::time_point t0, window_start, window_end;
  int64_t wall0_ns = 0;  // system clock at t0: turns an intended time into a body timestamp
  std::atomic<uint64_t> answered_total{0};
  std::atomic<bool> stop{false};
  std::atomic<int> running{0};
  std::mutex mutex;
  std::condition_variable done;

  int64_t wall_ns(Clock::time_point t) const {
    return wall0_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0).count();
  }
  bool over(Clock::time_point now) const {
    if (stop.load(std::memory_order_relaxed)) return true;
    if (o.max_requests) return answered_total.load(std::memory_order_relaxed) >= o.max_requests;
    return now >= window_end;
  }
  void finished() {
    std::lock_guard lock(mutex);
    --running;
    done.notify_all();
  }
};

// Connects and completes a full handshake (the client context never resumes).
asio::awaitable<std::unique_ptr<Stream>> open_stream(Shared& sh) {
  auto ex = co_await asio::this_coro::executor;
  auto s = std::make_unique<Stream>(ex, sh.tls);
  auto [cec] = co_await s->next_layer().async_connect(sh.endpoint, use_tuple);
  if (cec) co_return nullptr;
  boost::system::error_code ignored;
  s->next_layer().set_option(tcp::no_delay(true), ignored);
  SSL_set_tlsext_host_name(s->native_handle(), sh.o.sni.c_str());
  s->set_verify_callback(ssl::host_name_verification(sh.o.sni));
  auto [hec] = co_await s->async_handshake(ssl::stream_base::client, use_tuple);
  if (hec) co_return nullptr;
  co_return s;
}

// Writes one request and reads its answer; 0 on a transport error.
asio::awaitable<unsigned> exchange(Stream& s, boost::beast::flat_buffer& buffer, const std::string& request,
                                   bool* keep_alive) {
  auto [wec, wn] = co_await asio::async_write(s, asio::buffer(request), use_tuple);
  if (wec) co_return 0;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  auto [rec, rn] = co_await http::async_read(s, buffer, parser, use_tuple);
  if (rec) co_return 0;
  *keep_alive = parser.get().keep_alive();
  co_return parser.get().result_int();
}

// Closed and open loop: one keep-alive connection sending request after request.
asio::awaitable<void> request_loop(Shared& sh, Worker& w, int slot, int conn) {
  const LoadOptions& o = sh.o;
  const bool open_loop = o.mode == LoadMode::open;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::unique_ptr<Stream> s;
  boost::beast::flat_buffer buffer;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(open_loop ? o.connections / o.rate : 0));
  const auto offset = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(open_loop ? conn / o.rate : 0));
  Clock::time_point next = sh.t0 + offset;
  uint64_t n = 0;
  for (;;) {
    Clock::time_point intended;
    if (open_loop) {
      intended = next;
      next += interval;
      if (intended >= sh.window_end || sh.stop) break;
      if (Clock::now() < intended) {
        timer.expires_at(intended);
        co_await timer.async_wait(use_tuple);
      }
    } else if (sh.over(Clock::now())) {
      break;
    }
    if (!s) {
      s = co_await open_stream(sh);
      if (!s) {
        ++w.stats.connect_errors;
        if (sh.stop) break;
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(use_tuple);
        continue;
      }
      w.live[slot] = s.get();
      if (n) ++w.stats.reconnects;
    }
    const Clock::time_point sent = Clock::now();
    if (!open_loop) intended = sent;
    bool keep_alive = false;
    unsigned status = co_await exchange(*s, buffer, sh.maker.make(conn, n++, sh.wall_ns(intended)), &keep_alive);
    const Clock::time_point answered = Clock::now();
    const bool in_window = open_loop ? intended >= sh.window_start && intended < sh.window_end
                                     : answered >= sh.window_start && answered < sh.window_end;
    if (status == 0) {
      if (in_window) ++(sh.stop ? w.stats.incomplete : w.stats.errors);
      w.live[slot] = nullptr;
      s.reset();
      buffer.clear();
      continue;
    }
    sh.answered_total.fetch_add(1, std::memory_order_relaxed);
    if (in_window || o.max_requests) {
      ++w.stats.answered;
      ++w.stats.status[status];
      w.stats.latency.record(ns_between(intended, answered));
    }
    if (!keep_alive) {
      w.live[slot] = nullptr;
      s.reset();
      buffer.clear();
    }
  }
  w.live[slot] = nullptr;
  sh.finished();
}

// Handshake mode: connect, full handshake, one request with "Connection: close", close.
asio::awaitable<void> handshake_loop(Shared& sh, Worker& w, int slot, int conn) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  uint64_t n = 0;
  while (!sh.over(Clock::now())) {
    const Clock::time_point started = Clock::now();
    auto s = co_await open_stream(sh);
    if (!s) {
      ++w.stats.connect_errors;
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(use_tuple);
      continue;
    }
    w.live[slot] = s.get();
    boost::beast::flat_buffer buffer;
    bool keep_alive = false;
    unsigned status = co_await exchange(*s, buffer, sh.maker.make_one_shot(conn, n++, unix_ns_now(), true), &keep_alive);
    boost::system::error_code ignored;
    s->next_layer().close(ignored);
    w.live[slot] = nullptr;
    const Clock::time_point answered = Clock::now();
    if (answered < sh.window_start || answered >= sh.window_end) continue;
    if (status == 0) {
      ++w.stats.errors;
      continue;
    }
    ++w.stats.answered;
    ++w.stats.status[status];
    w.stats.latency.record(ns_between(started, answered));
  }
  sh.finished();
}

// Idle mode: opens `count` connections one after another, one request each, and parks them.
asio::awaitable<void> idle_opener(Shared& sh, Worker& w, int first_conn, int count) {
  for (int i = 0; i < count && !sh.stop; ++i) {
    const Clock::time_point started = Clock::now();
    auto s = co_await open_stream(sh);
    if (!s) {
      ++w.stats.connect_errors;
      continue;
    }
    boost::beast::flat_buffer buffer;
    bool keep_alive = false;
    unsigned status = co_await exchange(*s, buffer, sh.maker.make_one_shot(first_conn + i, 0, unix_ns_now(), false), &keep_alive);
    if (status == 0 || !keep_alive) {
      ++w.stats.errors;
      continue;
    }
    ++w.stats.answered;
    ++w.stats.status[status];
    w.stats.latency.record(ns_between(started, Clock::now()));
    w.held.push_back(std::move(s));
  }
  sh.finished();
}

std::string status_json(const std::map<unsigned, uint64_t>& status) {
  std::string s = "{";
  for (const auto& [code, n] : status) s += "\"" + std::to_string(code) + "\":" + std::to_string(n) + ",";
  if (s.size() > 1) s.pop_back();
  return s + "}";
}

std::string json_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

int run_load(const LoadOptions& o) {
  ssl::context tls(ssl::context::tls_client);
  std::unique_ptr<RequestMaker> maker;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) {
    std::cerr << "sixlink-loadgen: --host must be a numeric address: " << o.host << "\n";
    return 2;
  }
  try {
    make_client_context(tls, o.cert, o.key, o.ca);
    maker = std::make_unique<RequestMaker>(o);
  } catch (const std::exception& e) {
    std::cerr << "sixlink-loadgen: " << e.what() << "\n";
    return 2;
  }
  Shared sh{o, *maker, tls, tcp::endpoint(address, o.port), {}, {}, {}, 0, {}, {}, {}, {}, {}};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) workers.push_back(std::make_unique<Worker>());

  const double cpu0 = process_cpu_seconds();
  sh.t0 = Clock::now();
  sh.wall0_ns = unix_ns_now();
  const auto secs = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  if (o.max_requests || o.mode == LoadMode::idle) {
    sh.window_start = sh.t0;
    sh.window_end = Clock::time_point::max();
  } else {
    sh.window_start = sh.t0 + secs(o.warmup_s);
    sh.window_end = sh.window_start + secs(o.duration_s);
  }

  // Spread the connections over the threads; in idle mode, spread the openers.
  const int tasks = o.mode == LoadMode::idle ? std::min(o.connections, o.handshake_parallel) : o.connections;
  sh.running = tasks;
  for (int c = 0; c < tasks; ++c) {
    Worker& w = *workers[static_cast<std::size_t>(c % o.threads)];
    const int slot = static_cast<int>(w.live.size());
    w.live.push_back(nullptr);
    asio::awaitable<void> task = [&]() {
      switch (o.mode) {
        case LoadMode::handshake: return handshake_loop(sh, w, slot, c);
        case LoadMode::idle: {
          const int share = o.connections / tasks + (c < o.connections % tasks ? 1 : 0);
          return idle_opener(sh, w, c * 1000000, share);
        }
        default: return request_loop(sh, w, slot, c);
      }
    }();
    asio::co_spawn(w.ioc, std::move(task), asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->ioc.run(); });

  // Wait for the run to end; past the window plus the grace period, close what is left.
  {
    std::unique_lock lock(sh.mutex);
    if (o.mode == LoadMode::idle || o.max_requests) {
      sh.done.wait(lock, [&] { return sh.running == 0; });
    } else if (!sh.done.wait_until(lock, sh.window_end + secs(o.grace_s), [&] { return sh.running == 0; })) {
      sh.stop = true;
      for (auto& w : workers) {
        asio::post(w->ioc, [&w] {
          boost::system::error_code ignored;
          for (Stream* s : w->live)
            if (s) s->next_layer().close(ignored);
        });
      }
      if (!sh.done.wait_for(lock, std::chrono::seconds(5), [&] { return sh.running == 0; })) {
        for (auto& w : workers) w->ioc.stop();
      }
    }
  }
  for (auto& t : threads) t.join();
  const Clock::time_point ended = Clock::now();

  WorkerStats all;
  std::size_t held = 0;
  for (auto& w : workers) {
    all.latency.merge(w->stats.latency);
    all.answered += w->stats.answered;
    all.errors += w->stats.errors;
    all.connect_errors += w->stats.connect_errors;
    all.reconnects += w->stats.reconnects;
    all.incomplete += w->stats.incomplete;
    for (auto& [code, n] : w->stats.status) all.status[code] += n;
    held += w->held.size();
  }
  if (o.mode == LoadMode::idle) {
    std::cerr << "{\"event\":\"ready\",\"open\":" << held << "}" << std::endl;
    std::this_thread::sleep_for(secs(o.hold_s));
  }
  const double cpu = process_cpu_seconds() - cpu0;

  double window_s = o.duration_s;
  if (o.max_requests || o.mode == LoadMode::idle)
    window_s = std::chrono::duration<double>(ended - sh.t0).count();
  std::ostringstream j;
  j.setf(std::ios::fixed);
  j.precision(1);
  j << "{\"tool\":\"sixlink-loadgen\",\"label\":\"" << json_escape(o.label) << "\",\"mode\":\""
    << to_string(o.mode) << "\",\"target\":\"" << o.host << ":" << o.port << o.path
    << "\",\"connections\":" << o.connections << ",\"threads\":" << o.threads
    << ",\"warmup_s\":" << o.warmup_s << ",\"duration_s\":" << window_s << ",\"rate_target\":" << o.rate
    << ",\"answered\":" << all.answered << ",\"throughput_rps\":" << all.answered / window_s
    << ",\"errors\":" << all.errors << ",\"connect_errors\":" << all.connect_errors
    << ",\"reconnects\":" << all.reconnects << ",\"incomplete\":" << all.incomplete;
  if (o.mode == LoadMode::idle) j << ",\"held\":" << held;
  j.precision(2);
  j << ",\"status\":" << status_json(all.status) << ",\"latency\":{" << all.latency.summary_json() << "}"
    << ",\"client_cpu_s\":" << cpu << ",\"host_cpus\":" << std::thread::hardware_concurrency()
    << ",\"note\":\"client on the same machine, sharing its cores with the server\"}";
  std::cout << j.str() << std::endl;
  return (all.answered > 0) ? 0 : 1;
}

}  // namespace sixlink::bench
