// The push relay: one worker per push member, each on its own strand, delivering that
// member's queue in order (per case and patrol), with exponential backoff and jitter,
// dead letters after max_attempts or a 4xx, and a circuit breaker so a dead member
// costs the others nothing. Everything it knows survives in the store: after a restart
// the workers resume from the pending rows.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>

#include "gateway/gateway_context.h"
#include "gateway/relay/relay.h"

namespace sixlink {

class MemberWorker;

class PushRelay final : public Relay {
 public:
  PushRelay(boost::asio::io_context& ioc, GatewayContext& ctx);
  ~PushRelay() override;

  // Builds the TLS client and starts the worker of every push member.
  bool start(std::string* error);
  // Stops the workers after their current attempt.
  void stop();

  void wake(const std::string& member) override;
  bool member_up(const std::string& member) const override;

 private:
  boost::asio::io_context& ioc_;
  GatewayContext& ctx_;
  std::map<std::string, std::shared_ptr<MemberWorker>> workers_;
};

}  // namespace sixlink
