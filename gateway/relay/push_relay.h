// The push relay: one worker per push member, each on its own strand, delivering that
// member's queue with up to max_in_flight requests at once (one connection each) and in
// order per case and patrol (one waiting for a retry holds back only its own messages,
// however many are queued), with exponential backoff and jitter,
// dead letters after max_attempts or a 4xx, and a circuit breaker so a dead member
// costs the others nothing. Everything it knows survives in the store: after a restart
// the workers resume from the pending rows.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>
#include <string>

#include "gateway/config/address.h"
#include "gateway/gateway_context.h"
#include "gateway/net/tls.h"
#include "gateway/relay/relay.h"

namespace sixlink {

class MemberWorker;

// What a push member's worker needs: the configuration it comes from (kept alive with
// it), the member's id in it, the TLS client context and the parsed endpoint.
struct PushTarget {
  std::shared_ptr<const GatewayConfig> config;
  std::string member;
  std::shared_ptr<tls::Context> tls;
  HttpsEndpoint endpoint;
};

// Everything a configuration needs of the relay, built (and checked) before anything
// changes, so a reload either applies whole or not at all.
struct RelayPlan {
  std::vector<PushTarget> targets;
};

class PushRelay final : public Relay {
 public:
  PushRelay(boost::asio::io_context& ioc, GatewayContext& ctx);
  ~PushRelay() override;

  // Builds the TLS client of every push member of `config`; nullopt with *error set
  // when an endpoint or a CA is unusable. Changes nothing.
  std::optional<RelayPlan> plan(std::shared_ptr<const GatewayConfig> config, std::string* error) const;
  // Puts a plan in force: a member already served keeps its worker (and its breaker
  // state and queue position) with the new settings from its next attempt; a new push
  // member gets a worker; a member no longer pushed has its worker stopped.
  void apply(RelayPlan plan);
  // plan() + apply() for `config`, then starts every worker.
  bool start(std::shared_ptr<const GatewayConfig> config, std::string* error);
  // Stops the workers after their current attempt.
  void stop();

  void wake(const std::string& member) override;
  bool member_up(const std::string& member) const override;

 private:
  using Workers = std::map<std::string, std::shared_ptr<MemberWorker>>;
  boost::asio::io_context& ioc_;
  GatewayContext& ctx_;
  std::mutex apply_mu_;
  bool started_ = false;  // under apply_mu_
  // Read lock-free by wake() on the ingest path; replaced whole by apply().
  std::atomic<std::shared_ptr<const Workers>> workers_;
};

}  // namespace sixlink
