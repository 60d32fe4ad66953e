// Wiring and lifecycle. Start order: store (recovers pending deliveries), policy,
// metrics, TLS, relay, listeners. Stop order is the reverse, so nothing accepted is
// left uncommitted: listeners stop, in-flight requests finish, the relay stops after
// its current attempt, the store drains its writer and closes.
#include "gateway/gateway.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

#include "gateway/admin/admin_api.h"
#include "gateway/api/partner_api.h"
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
  std::unique_ptr<net::Acceptor> partner;
  std::unique_ptr<net::Acceptor> admin;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  void refresh_gauges();
  bool start_listeners(std::string* error);
};

Gateway::Gateway(GatewayConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Gateway::~Gateway() { stop(); }

void Gateway::Impl::refresh_gauges() {
  auto depths = store->queue_depths();
  auto dead = store->dead_letter_counts();
  for (const auto& m : config->members) {
    MemberMetrics* mm = metrics.member(m.id);
    mm->queue_depth->Set(static_cast<double>(depths.count(m.id) ? depths[m.id] : 0));
    mm->deadletters->Set(static_cast<double>(dead.count(m.id) ? dead[m.id] : 0));
  }
  if (auto s = tls::seconds_until_expiry(config->tls.cert)) metrics.set_certificate_expiry("gateway", *s);
  if (auto s = tls::seconds_until_expiry(config->tls.ca)) metrics.set_certificate_expiry("ca", *s);
}

bool Gateway::Impl::start_listeners(std::string* error) {
  partner = std::make_unique<net::Acceptor>(
      ioc, "partner", config->limits.max_connections, metrics.connections_partner(),
      [this](net::tcp::socket s) { return run_partner_session(std::move(s), server_tls.load(), ctx, *partner_api); });
  admin = std::make_unique<net::Acceptor>(
      ioc, "admin", 256, metrics.connections_admin(),
      [this](net::tcp::socket s) { return run_admin_session(std::move(s), config->limits, *admin_api); });
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
  d.server_tls = server_tls;
  d.relay = std::make_unique<PushRelay>(d.ioc, d.ctx);
  d.ctx.config = d.config;
  d.ctx.policy = policy.policy;
  d.ctx.store = d.store.get();
  d.ctx.metrics = &d.metrics;
  d.ctx.relay = d.relay.get();
  std::vector<std::string> member_ids;
  for (const auto& m : d.config->members) member_ids.push_back(m.id);
  d.rate_limiter = std::make_unique<RateLimiter>(member_ids);
  d.ctx.rate_limiter = d.rate_limiter.get();
  d.partner_api = std::make_unique<PartnerApi>(d.ctx);
  d.admin_api = std::make_unique<AdminApi>(
      d.ctx, AdminHooks{[&d] { return d.partner && d.partner->listening(); },
                        [&d] { return d.server_tls.load() != nullptr; }, [&d] { d.refresh_gauges(); },
                        [this] { return reload(); }});
  if (!d.relay->start(error) || !d.start_listeners(error)) return false;
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
  // Let requests in flight finish (their answers wait on the store). Idle kept-alive
  // connections are not waited for: they end with the io_context, having nothing owed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (d.ctx.requests_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // last answers' writes
  if (d.relay) d.relay->stop();
  if (d.store) d.store->close();
  d.ioc.stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  log_event(LogLevel::info, "stopped", {{"gateway", d.config->id}});
}

std::vector<ConfigError> Gateway::reload() {
  Impl& d = *impl_;
  ConfigLoadResult fresh = load_config(d.config->source_file);
  if (!fresh.config) return fresh.errors;
  PolicyLoadResult policy = load_policy(*fresh.config);
  if (!policy.policy) return policy.errors;
  std::string error;
  auto server_tls = tls::make_server_context(fresh.config->tls, &error);
  if (!server_tls) return {{fresh.config->source_file, 0, "gateway.tls", error}};
  d.ctx.policy = policy.policy;
  d.server_tls = server_tls;
  log_event(LogLevel::info, "reloaded", {{"policies", fresh.config->policies}});
  return {};
}

uint16_t Gateway::partner_port() const { return impl_->partner ? impl_->partner->port() : 0; }
uint16_t Gateway::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

}  // namespace sixlink
