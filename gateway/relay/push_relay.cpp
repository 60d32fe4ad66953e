#include "gateway/relay/push_relay.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>

#include "adapters/adapter.h"
#include "gateway/log.h"
#include "gateway/net/http_server.h"
#include "gateway/relay/push_client.h"

namespace sixlink {

namespace asio = boost::asio;
using net::use_tuple;
using Clock = std::chrono::steady_clock;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// A pass reads the member's open deliveries a page at a time, messages included, and
// delivers the first page that holds any due. Past a page with none due, it steps over
// the rows it cannot send in pages of their keys only (PendingKey), to the next due row:
// a blocked case or patrol holds back only its own messages, even with thousands
// of them queued ahead of the others. The step-over is bounded per pass (kMaxKeyPages x
// kKeyPageSize rows, each far cheaper to read than a row with its message), because a pass
// runs on every wake: a blocked key's unbounded backlog must not make every new message
// for the member cost a scan of all of it.
constexpr int kPageSize = 256;
constexpr int kKeyPageSize = 1024;
constexpr int kMaxKeyPages = 16;
// After a pass that stepped over rows and found nothing due, the next waits at least this
// long, however often new messages wake the worker.
constexpr auto kDeepPassInterval = std::chrono::milliseconds(50);

// DESIGN §4: the headers of a push delivery. (Kept out of the coroutines: GCC 12
// miscompiles brace-initialised string literals inside a coroutine body.)
std::vector<std::pair<std::string, std::string>> delivery_headers(const store::PendingDelivery& d) {
  return {{"Sixlink-Message-Id", d.id}, {"Sixlink-Source", d.source},
          {"Sixlink-Link", d.link}, {"Sixlink-Kind", d.kind}};
}

void log_attempt(const store::PendingDelivery& d, int attempt, const PushResult& r) {
  log_event(LogLevel::info, "delivery",
            {{"member", d.member}, {"message", d.source + "/" + d.id}, {"attempt", std::to_string(attempt)},
             {"status", std::to_string(r.status)}, {"error", r.error}});
}

}  // namespace

// One push member's delivery loop. Lives on its strand; every member function but
// wake() and stop() runs there.
class MemberWorker : public std::enable_shared_from_this<MemberWorker> {
 public:
  MemberWorker(asio::io_context& ioc, GatewayContext& ctx, PushTarget target)
      : strand_(asio::make_strand(ioc)),
        timer_(strand_),
        lanes_done_(strand_),
        ctx_(ctx),
        rng_(std::random_device{}()) {
    use(std::move(target));
  }

  // The loop owns a reference to its worker: a worker a reload retires lives until its
  // loop ends.
  void start() { asio::co_spawn(strand_, run_owned(shared_from_this()), asio::detached); }
  // A reload: the new settings apply between two attempts, never during one.
  void reconfigure(PushTarget target) {
    asio::post(strand_, [self = shared_from_this(), t = std::move(target)]() mutable {
      self->next_ = std::move(t);
      self->timer_.cancel();
    });
  }
  void wake() {
    asio::post(strand_, [self = shared_from_this()] {
      self->woken_ = true;
      self->timer_.cancel();
    });
  }
  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopping_ = true;
      self->timer_.cancel();
      for (auto& client : self->clients_) client->cancel();
    });
  }
  bool up() const { return up_.load(); }

 private:
  struct Pass {
    std::vector<store::PendingDelivery> due;
    int64_t earliest_ms = INT64_MAX;  // next time a not-yet-due delivery becomes due
    bool stepped_over = false;        // read past its first page, by keys
  };

  // Takes a configuration: the member's settings, its metrics and a fresh client (the
  // old one, if any, is idle here, so dropping its connection loses nothing).
  void use(PushTarget t) {
    config_ = std::move(t.config);
    member_ = config_->find_member(t.member);
    metrics_ = ctx_.metrics->member(t.member);
    clients_.clear();
    for (int i = 0; i < member_->delivery.max_in_flight; ++i)
      clients_.push_back(std::make_unique<PushClient>(
          strand_, t.tls, t.endpoint, std::chrono::milliseconds(member_->delivery.timeout_ms)));
  }

  static asio::awaitable<void> run_owned(std::shared_ptr<MemberWorker> self) { co_await self->run(); }

  asio::awaitable<void> run() {
    while (!stopping_) {
      if (next_) {
        use(std::move(*next_));
        next_.reset();
      }
      if (breaker_open()) {
        co_await sleep_until(open_until_);
        continue;
      }
      Pass pass = collect();
      if (pass.due.empty()) {
        if (pass.stepped_over) co_await hold_until(Clock::now() + kDeepPassInterval);
        co_await idle(pass.earliest_ms);
        continue;
      }
      co_await deliver_all(pass.due);
    }
  }

  // Scans the member's pending rows in seq order and picks those due now, keeping
  // per-key order: a delivery waits while an earlier one of its case or patrol is not
  // final. Holds one page at a time, and the keys found blocked.
  Pass collect() {
    Pass pass;
    std::set<std::string> blocked;
    const int64_t now = now_ms();
    // Whether row `d` (PendingDelivery or PendingKey) may go now, taken in seq order;
    // blocks its key if not. A due row blocks nothing, so it may be judged twice.
    auto due = [&](const auto& d) {
      bool keyed = !d.order_key.empty();
      auto rec = recording_.find(d.seq);
      if (rec != recording_.end()) {  // outcome written, commit pending
        if (keyed && !rec->second) blocked.insert(d.order_key);
        return false;
      }
      if (keyed && blocked.count(d.order_key)) return false;
      if (d.next_attempt_ms > now) {
        pass.earliest_ms = std::min(pass.earliest_ms, d.next_attempt_ms);
        if (keyed) blocked.insert(d.order_key);
        return false;
      }
      return true;
    };
    int64_t after = 0;
    for (;;) {
      auto rows = ctx_.store->pending(member_->id, after, kPageSize);
      for (auto& d : rows)
        if (due(d)) pass.due.push_back(std::move(d));
      if (!pass.due.empty() || static_cast<int>(rows.size()) < kPageSize) break;
      pass.stepped_over = true;
      std::optional<int64_t> next = first_due_after(rows.back().seq, due);
      if (!next) break;
      after = *next - 1;  // the next page starts at that row
    }
    return pass;
  }

  // The seq of the first row after `after_seq` that `due` lets go, read without messages;
  // nullopt at the end of the queue or past kMaxKeyPages pages.
  template <class Due>
  std::optional<int64_t> first_due_after(int64_t after_seq, Due& due) {
    for (int page = 0; page < kMaxKeyPages; ++page) {
      auto keys = ctx_.store->pending_keys(member_->id, after_seq, kKeyPageSize);
      for (const auto& k : keys)
        if (due(k)) return k.seq;
      if (static_cast<int>(keys.size()) < kKeyPageSize) return std::nullopt;
      after_seq = keys.back().seq;
    }
    return std::nullopt;
  }

  // Delivers a pass over up to max_in_flight lanes at once, each with its own kept-alive
  // connection. Deliveries of one order key (case, patrol) share a lane, so they go one
  // after the other in seq order, and a failed one holds back the rest of its key; the
  // others are dealt round-robin.
  asio::awaitable<void> deliver_all(std::vector<store::PendingDelivery>& due) {
    const bool probing = consecutive_failures_ >= member_->delivery.breaker_failures;
    const std::size_t n = probing ? 1 : std::min(clients_.size(), due.size());
    std::vector<std::vector<const store::PendingDelivery*>> lanes(n);
    std::size_t next_unkeyed = 0;
    for (const auto& d : due) {
      std::size_t lane =
          d.order_key.empty() ? next_unkeyed++ % n : std::hash<std::string>{}(d.order_key) % n;
      lanes[lane].push_back(&d);
      if (probing) break;  // half-open: one probe decides
    }
    lanes_running_ = n;
    for (std::size_t i = 0; i < n; ++i)
      asio::co_spawn(strand_, run_lane(shared_from_this(), i, std::move(lanes[i])), asio::detached);
    while (lanes_running_ > 0) {  // each lane's end cancels the wait (all on the strand)
      lanes_done_.expires_at(Clock::time_point::max());
      co_await lanes_done_.async_wait(use_tuple);
    }
  }

  static asio::awaitable<void> run_lane(std::shared_ptr<MemberWorker> self, std::size_t lane,
                                        std::vector<const store::PendingDelivery*> items) {
    std::set<std::string> failed_keys;
    for (const auto* d : items) {
      if (self->stopping_ || self->breaker_open()) break;
      if (!d->order_key.empty() && failed_keys.count(d->order_key)) continue;
      bool ok = co_await self->deliver(*self->clients_[lane], *d);
      if (!ok && !d->order_key.empty()) failed_keys.insert(d->order_key);
    }
    if (--self->lanes_running_ == 0) self->lanes_done_.cancel();
  }

  // One attempt; records its outcome. True when the delivery reached a final state.
  asio::awaitable<bool> deliver(PushClient& client, const store::PendingDelivery& d) {
    const Adapter* adapter = find_adapter(member_->adapter);
    // The recipient's own (redacted) form, in its native format.
    std::optional<NativeDocument> doc =
        adapter ? adapter->encode_stored(d.envelope_json) : std::nullopt;
    if (!doc) {
      record(d, store::DeliveryOutcome::What::dead_letter, "cannot encode for " + member_->adapter);
      co_return true;
    }
    PushResult r = co_await client.post(delivery_headers(d), std::move(doc->content_type),
                                        std::move(doc->bytes));
    const int attempts = d.attempts + 1;
    const bool delivered = (r.status >= 200 && r.status < 300) || r.status == 409;
    const bool permanent = r.status >= 400 && r.status < 500 && r.status != 409;
    log_attempt(d, attempts, r);
    if (delivered) {
      on_success();
      metrics_->delivery_latency->Observe(std::max<int64_t>(0, now_ms() - d.accepted_at_ms) / 1000.0);
      record(d, store::DeliveryOutcome::What::delivered, {});
      co_return true;
    }
    if (!permanent) on_failure();  // a 4xx is the message's fault, not the member's
    std::string why = r.status ? "HTTP " + std::to_string(r.status) : r.error;
    if (permanent || attempts >= member_->delivery.max_attempts) {
      record(d, store::DeliveryOutcome::What::dead_letter, why, attempts);
      co_return true;
    }
    record(d, store::DeliveryOutcome::What::retry, why, attempts, now_ms() + backoff_ms(attempts));
    co_return false;
  }

  // Counts the outcome and queues it for the store. One outcome write is in flight at a
  // time; outcomes that come meanwhile go together in the next one, so the writes grow
  // with the rate while at most one commit's worth waits (and is delivered again if the
  // process dies first). Until its write commits, collect() treats the row as taken.
  void record(const store::PendingDelivery& d, store::DeliveryOutcome::What what, std::string error,
              int attempts = 0, int64_t next_ms = 0) {
    using What = store::DeliveryOutcome::What;
    (what == What::delivered ? metrics_->delivered : what == What::retry ? metrics_->retried : metrics_->dead_lettered)->Increment();
    recording_[d.seq] = what != What::retry;
    outcomes_.push_back(
        {d.seq, what, attempts ? attempts : d.attempts + 1, next_ms, std::move(error)});
    flush_outcomes();
  }

  void flush_outcomes() {
    if (outcomes_.empty() || writing_outcomes_) return;
    writing_outcomes_ = true;
    std::vector<int64_t> seqs;
    seqs.reserve(outcomes_.size());
    for (const auto& o : outcomes_) seqs.push_back(o.seq);
    auto written = [self = shared_from_this(), seqs = std::move(seqs)](bool) mutable {
      asio::post(self->strand_, [self, seqs = std::move(seqs)] { self->outcomes_written(seqs); });
    };
    ctx_.store->record_outcomes(std::exchange(outcomes_, {}), std::move(written));
  }

  // The outcome write of `seqs` is committed (or failed: the rows are then collected
  // again); the next write takes what came meanwhile.
  void outcomes_written(const std::vector<int64_t>& seqs) {
    for (int64_t seq : seqs) recording_.erase(seq);
    writing_outcomes_ = false;
    flush_outcomes();
  }

  // Exponential backoff with equal jitter: half the delay fixed, half random.
  int64_t backoff_ms(int attempts) {
    const auto& c = member_->delivery;
    double delay = std::min<double>(c.backoff_max_ms, c.backoff_base_ms * std::pow(2.0, std::min(attempts - 1, 30)));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return static_cast<int64_t>(delay * jitter(rng_));
  }

  void on_success() {
    consecutive_failures_ = 0;
    if (!up_.exchange(true)) log_event(LogLevel::info, "circuit_closed", {{"member", member_->id}});
    metrics_->up->Set(1);
  }

  void on_failure() {
    if (++consecutive_failures_ < member_->delivery.breaker_failures) return;
    open_until_ = Clock::now() + std::chrono::milliseconds(member_->delivery.breaker_open_ms);
    if (up_.exchange(false)) log_event(LogLevel::warn, "circuit_open", {{"member", member_->id}});
    metrics_->up->Set(0);
  }

  bool breaker_open() const {
    return consecutive_failures_ >= member_->delivery.breaker_failures && Clock::now() < open_until_;
  }

  asio::awaitable<void> sleep_until(Clock::time_point t) {
    timer_.expires_at(t);
    co_await timer_.async_wait(use_tuple);
  }

  // Waits until `t` through wake-ups (each stays recorded in woken_ for the next pass), but
  // not through a stop or a reload.
  asio::awaitable<void> hold_until(Clock::time_point t) {
    while (!stopping_ && !next_ && Clock::now() < t) co_await sleep_until(t);
  }

  // Waits for a wake-up, the next due retry, or a periodic re-scan.
  asio::awaitable<void> idle(int64_t earliest_ms) {
    if (woken_ || !recording_.empty()) {
      woken_ = false;
      if (!recording_.empty()) co_await sleep_until(Clock::now() + std::chrono::milliseconds(2));
      co_return;
    }
    int64_t wait = std::clamp<int64_t>(earliest_ms - now_ms(), 1, 5000);
    co_await sleep_until(Clock::now() + std::chrono::milliseconds(wait));
    woken_ = false;
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  asio::steady_timer lanes_done_;  // deliver_all waits on it for its lanes
  GatewayContext& ctx_;
  std::shared_ptr<const GatewayConfig> config_;  // keeps member_ alive
  const MemberConfig* member_ = nullptr;
  MemberMetrics* metrics_ = nullptr;
  std::vector<std::unique_ptr<PushClient>> clients_;  // one per lane, max_in_flight of them
  std::size_t lanes_running_ = 0;
  std::vector<store::DeliveryOutcome> outcomes_;  // waiting for the outcome write in flight
  bool writing_outcomes_ = false;
  std::optional<PushTarget> next_;  // a reload's settings, taken before the next pass
  std::mt19937_64 rng_;
  std::map<int64_t, bool> recording_;  // seq -> final (true) or retry (false), commit pending
  int consecutive_failures_ = 0;
  Clock::time_point open_until_{};
  std::atomic<bool> up_{true};
  bool woken_ = false;
  bool stopping_ = false;
};

PushRelay::PushRelay(asio::io_context& ioc, GatewayContext& ctx)
    : ioc_(ioc), ctx_(ctx), workers_(std::make_shared<const Workers>()) {}

PushRelay::~PushRelay() { stop(); }

std::optional<RelayPlan> PushRelay::plan(std::shared_ptr<const GatewayConfig> config, std::string* error) const {
  RelayPlan plan;
  for (const auto& m : config->members) {
    if (m.delivery.mode != DeliveryMode::push) continue;
    auto endpoint = parse_https_endpoint(m.delivery.endpoint);
    if (!endpoint) {
      *error = "member " + m.id + ": delivery.endpoint is not an https URL";
      return std::nullopt;
    }
    auto tls = tls::make_client_context(config->tls, m.delivery.ca, error);
    if (!tls) return std::nullopt;
    plan.targets.push_back({config, m.id, std::move(tls), std::move(*endpoint)});
  }
  return plan;
}

void PushRelay::apply(RelayPlan plan) {
  std::lock_guard lock(apply_mu_);
  auto next = std::make_shared<Workers>();
  auto current = workers_.load();
  for (auto& t : plan.targets) {
    std::string id = t.member;
    if (auto it = current->find(id); it != current->end()) {
      it->second->reconfigure(std::move(t));
      (*next)[id] = it->second;
      continue;
    }
    auto worker = std::make_shared<MemberWorker>(ioc_, ctx_, std::move(t));
    (*next)[id] = worker;
    if (started_) worker->start();
  }
  for (const auto& [id, w] : *current)
    if (!next->count(id)) {
      log_event(LogLevel::info, "relay_worker_stopped", {{"member", id}});
      w->stop();  // no longer a push member: its pending rows wait in the store
    }
  workers_.store(std::move(next));
}

bool PushRelay::start(std::shared_ptr<const GatewayConfig> config, std::string* error) {
  auto p = plan(std::move(config), error);
  if (!p) return false;
  apply(std::move(*p));
  std::lock_guard lock(apply_mu_);
  started_ = true;
  for (const auto& [id, w] : *workers_.load()) w->start();
  return true;
}

void PushRelay::stop() {
  std::lock_guard lock(apply_mu_);
  for (const auto& [id, w] : *workers_.load()) w->stop();
}

void PushRelay::wake(const std::string& member) {
  auto workers = workers_.load();
  auto it = workers->find(member);
  if (it != workers->end()) it->second->wake();
}

bool PushRelay::member_up(const std::string& member) const {
  auto workers = workers_.load();
  auto it = workers->find(member);
  return it == workers->end() || it->second->up();
}

}  // namespace sixlink
