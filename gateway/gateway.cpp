// Wiring and lifecycle. Start order: store (recovers pending deliveries), policy,
// metrics, TLS, relay, listeners. Stop order is the reverse, so nothing accepted is
// left uncommitted: listeners stop, in-flight requests finish, the relay stops after
// its current attempt, the store drains its writer and closes.
#include "gateway/gateway.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "gateway/admin/admin_api.h"
#include "gateway/api/partner_api.h"
#include "gateway/cases/case_metrics.h"
#include "gateway/listeners/admin_session.h"
#include "gateway/listeners/partner_session.h"
#include "gateway/log.h"
#include "gateway/net/acceptor.h"
#include "gateway/relay/push_relay.h"

namespace sixlink {

namespace asio = boost::asio;

struct Gateway::Impl {
  explicit Impl(GatewayConfig c)
      : config(std::make_shared<const GatewayConfig>(std::move(c))), metrics(*config),
        ioc(config->threads) {}

  // The configuration the process started with: what needs a restart to change
  // (listeners, threads, data_dir, store) stays as it says. The configuration and policy
  // in force are ctx.runtime.
  std::shared_ptr<const GatewayConfig> config;
  GatewayMetrics metrics;
  asio::io_context ioc;
  std::unique_ptr<store::Store> store;
  GatewayContext ctx;
  std::unique_ptr<PushRelay> relay;
  std::unique_ptr<RateLimiter> rate_limiter;
  std::unique_ptr<PartnerApi> partner_api;
  std::unique_ptr<AdminApi> admin_api;
  std::atomic<std::shared_ptr<tls::Context>> server_tls;
  std::atomic<int64_t> server_cert_not_after{0};  // of the certificate server_tls holds
  std::unique_ptr<net::Acceptor> partner;
  std::unique_ptr<net::Acceptor> admin;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::mutex reload_mu;  // one reload at a time (SIGHUP and POST /admin/reload)

  void refresh_gauges();
  bool start_listeners(std::string* error);
};

Gateway::Gateway(GatewayConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Gateway::~Gateway() { stop(); }

namespace {

std::vector<std::string> member_ids(const GatewayConfig& c) {
  std::vector<std::string> ids;
  for (const auto& m : c.members) ids.push_back(m.id);
  return ids;
}

std::string text(const ListenAddress& a) { return a.host + ":" + std::to_string(a.port); }

// What a reload cannot change in a running process: the listeners' addresses, the
// threads, where and how the store is kept, the gateway's id, and a member's delivery
// mode (its queued rows are kept for one mode). Each is named, with both values.
std::vector<ConfigError> restart_only_changes(const GatewayConfig& running, const GatewayConfig& fresh) {
  std::vector<ConfigError> errors;
  auto check = [&](bool same, const std::string& key, const std::string& was, const std::string& now) {
    if (!same)
      errors.push_back({fresh.source_file, 0, key,
                        "cannot change while running (running: " + was + ", file: " + now + "); restart to apply"});
  };
  check(running.id == fresh.id, "gateway.id", running.id, fresh.id);
  check(running.listen.host == fresh.listen.host && running.listen.port == fresh.listen.port, "gateway.listen",
        text(running.listen), text(fresh.listen));
  check(running.admin_listen.host == fresh.admin_listen.host && running.admin_listen.port == fresh.admin_listen.port,
        "gateway.admin_listen", text(running.admin_listen), text(fresh.admin_listen));
  check(running.threads == fresh.threads, "gateway.threads", std::to_string(running.threads), std::to_string(fresh.threads));
  check(running.data_dir == fresh.data_dir, "gateway.data_dir", running.data_dir, fresh.data_dir);
  auto durability = [](Durability d) { return std::string(d == Durability::full ? "full" : "normal"); };
  check(running.durability == fresh.durability, "gateway.durability", durability(running.durability),
        durability(fresh.durability));
  check(running.store.engine == fresh.store.engine && running.store.dsn == fresh.store.dsn, "store",
        running.store.engine, fresh.store.engine);
  auto mode = [](DeliveryMode m) { return std::string(m == DeliveryMode::push ? "push" : "pull"); };
  for (std::size_t i = 0; i < fresh.members.size(); ++i) {
    const MemberConfig& m = fresh.members[i];
    if (const MemberConfig* old = running.find_member(m.id))
      check(old->delivery.mode == m.delivery.mode, "members[" + std::to_string(i) + "].delivery.mode",
            mode(old->delivery.mode), mode(m.delivery.mode));
  }
  return errors;
}

}  // namespace

void Gateway::Impl::refresh_gauges() {
  auto depths = store->queue_depths();
  auto dead = store->dead_letter_counts();
  auto now = ctx.current()->config;
  for (const auto& m : now->members) {
    MemberMetrics* mm = metrics.member(m.id);
    if (!mm) continue;
    mm->queue_depth->Set(static_cast<double>(depths.count(m.id) ? depths[m.id] : 0));
    mm->deadletters->Set(static_cast<double>(dead.count(m.id) ? dead[m.id] : 0));
  }
  if (auto s = tls::seconds_until_expiry(now->tls.cert)) metrics.set_certificate_expiry("gateway", *s);
  if (auto s = tls::seconds_until_expiry(now->tls.ca)) metrics.set_certificate_expiry("ca", *s);
  metrics.refresh_member_certificates();
  cases::refresh_overdue_gauge(*store, metrics, *now);
}

bool Gateway::Impl::start_listeners(std::string* error) {
  partner = std::make_unique<net::Acceptor>(
      ioc, "partner", config->limits.max_connections, metrics.connections_partner(),
      [this](net::tcp::socket s) { return run_partner_session(std::move(s), server_tls.load(), ctx, *partner_api); });
  admin = std::make_unique<net::Acceptor>(
      ioc, "admin", 256, metrics.connections_admin(),
      [this](net::tcp::socket s) { return run_admin_session(std::move(s), ctx.current()->config->limits, *admin_api); });
  return partner->start(config->listen, error) && admin->start(config->admin_listen, error);
}

bool Gateway::start(std::string* error) {
  Impl& d = *impl_;
  std::error_code fs_ec;
  std::filesystem::create_directories(d.config->data_dir, fs_ec);
  if (fs_ec) return *error = "cannot create data_dir " + d.config->data_dir + ": " + fs_ec.message(), false;
  store::StoreOptions so;
  so.path = (std::filesystem::path(d.config->data_dir) / "sixlink.db").string();
  so.durability = d.config->durability;
  so.on_commit = [m = &d.metrics](double seconds, std::size_t) { m->store_commit().Observe(seconds); };
  for (const auto& m : d.config->members)
    so.delivery_modes[m.id] = m.delivery.mode == DeliveryMode::push ? "push" : "pull";
  // The answers are built on the I/O threads, not on the writer: one post per commit.
  so.run_ingest_completions = [&ioc = d.ioc](std::function<void()> run) {
    asio::post(ioc, std::move(run));
  };
  d.store = store::open_sqlite_store(so, error);
  if (!d.store) return false;
  PolicyLoadResult policy = load_policy(*d.config);
  if (!policy.policy) {
    std::ostringstream os;
    for (const auto& e : policy.errors) os << e << "\n";
    return *error = "policy refused:\n" + os.str(), false;
  }
  auto server_tls = tls::make_server_context(d.config->tls, error);
  if (!server_tls) return false;
  std::shared_ptr<const tls::Revocations> revocations;
  if (!d.config->tls.crl.empty() &&
      !(revocations = tls::Revocations::load(d.config->tls.crl, error)))
    return false;
  d.server_tls = server_tls;
  d.server_cert_not_after = tls::not_after_of_file(d.config->tls.cert).value_or(0);
  d.relay = std::make_unique<PushRelay>(d.ioc, d.ctx);
  d.ctx.runtime =
      std::make_shared<const Runtime>(Runtime{d.config, policy.policy, std::move(revocations)});
  d.ctx.store = d.store.get();
  d.ctx.metrics = &d.metrics;
  d.ctx.relay = d.relay.get();
  d.rate_limiter = std::make_unique<RateLimiter>(member_ids(*d.config));
  d.ctx.rate_limiter = d.rate_limiter.get();
  d.partner_api = std::make_unique<PartnerApi>(d.ctx);
  d.admin_api = std::make_unique<AdminApi>(
      d.ctx, AdminHooks{[&d] { return d.partner && d.partner->listening(); },
                        [&d] {
                          return d.server_tls.load() != nullptr &&
                                 d.server_cert_not_after.load() > static_cast<int64_t>(std::time(nullptr));
                        },
                        [&d] { d.refresh_gauges(); },
                        [this] { return reload(); }});
  if (!d.relay->start(d.config, error) || !d.start_listeners(error)) return false;
  for (int i = 0; i < d.config->threads; ++i) d.threads.emplace_back([&d] { d.ioc.run(); });
  log_event(LogLevel::info, "started",
            {{"gateway", d.config->id}, {"partner_port", std::to_string(d.partner->port())},
             {"admin_port", std::to_string(d.admin->port())}, {"version", SIXLINK_VERSION}});
  return true;
}

int Gateway::run_until_signalled() {
  Impl& d = *impl_;
  asio::io_context signals_ioc;
  asio::signal_set signals(signals_ioc, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          auto errors = reload();
          for (const auto& e : errors)
            log_event(LogLevel::error, "reload_refused", {{"file", e.file}, {"line", std::to_string(e.line)}, {"key", e.key}, {"message", e.message}});
          signals.async_wait(on_signal);
          return;
        }
        log_event(LogLevel::info, "stopping", {{"signal", std::to_string(sig)}});
      };
  signals.async_wait(on_signal);
  signals_ioc.run();
  (void)d;
  stop();
  return 0;
}

void Gateway::stop() {
  Impl& d = *impl_;
  if (d.stopped.exchange(true)) return;
  if (d.partner) d.partner->stop();
  if (d.admin) d.admin->stop();
  d.ctx.draining = true;  // after in-flight requests are counted: see the partner session
  // Let requests in flight finish (their answers wait on the store). Idle kept-alive
  // connections are not waited for: they end with the io_context, having nothing owed.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(d.ctx.current() ? d.ctx.current()->config->limits.drain_timeout_ms
                                                            : d.config->limits.drain_timeout_ms);
  while (d.ctx.requests_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (int left = d.ctx.requests_in_flight.load())
    log_event(LogLevel::warn, "drain_timeout", {{"requests_in_flight", std::to_string(left)}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // last answers' writes
  if (d.relay) d.relay->stop();
  if (d.store) d.store->close();
  d.ioc.stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  log_event(LogLevel::info, "stopped", {{"gateway", d.config->id}});
}

// Everything that can fail is built first (configuration, policy, server TLS, the push
// clients); only then is anything swapped, so a refused reload leaves the running set
// whole. Requests in flight finish with the snapshot they started with.
std::vector<ConfigError> Gateway::reload() {
  Impl& d = *impl_;
  std::lock_guard lock(d.reload_mu);
  ConfigLoadResult fresh = load_config(d.config->source_file);
  if (!fresh.config) return fresh.errors;
  auto config = std::make_shared<const GatewayConfig>(std::move(*fresh.config));
  if (auto errors = restart_only_changes(*d.config, *config); !errors.empty()) return errors;
  PolicyLoadResult policy = load_policy(*config);
  if (!policy.policy) return policy.errors;
  std::string error;
  auto server_tls = tls::make_server_context(config->tls, &error);
  if (!server_tls) return {{config->source_file, 0, "gateway.tls", error}};
  std::shared_ptr<const tls::Revocations> revocations;
  if (!config->tls.crl.empty() && !(revocations = tls::Revocations::load(config->tls.crl, &error)))
    return {{config->source_file, 0, "gateway.tls.crl", error}};
  auto relay_plan = d.relay->plan(config, &error);
  if (!relay_plan) return {{config->source_file, 0, "members", error}};

  d.metrics.add_members(*config);  // handles first: workers and requests look them up
  d.rate_limiter->add_members(member_ids(*config));
  d.ctx.runtime =
      std::make_shared<const Runtime>(Runtime{config, policy.policy, std::move(revocations)});
  d.server_tls = server_tls;
  d.server_cert_not_after = tls::not_after_of_file(config->tls.cert).value_or(0);
  d.relay->apply(std::move(*relay_plan));
  if (d.partner) d.partner->set_max_connections(config->limits.max_connections);
  log_event(LogLevel::info, "reloaded",
            {{"config", config->source_file}, {"policies", config->policies},
             {"members", std::to_string(config->members.size())}});
  return {};
}

uint16_t Gateway::partner_port() const { return impl_->partner ? impl_->partner->port() : 0; }
uint16_t Gateway::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

}  // namespace sixlink
