// The services a request handler or worker reaches: the configuration and policy in
// force (one snapshot, swapped atomically on reload), the store, the metrics and the
// relay. Owned by Gateway.
#pragma once

#include <atomic>
#include <memory>

#include "gateway/api/rate_limiter.h"
#include "gateway/config/config.h"
#include "gateway/metrics/metrics.h"
#include "gateway/relay/relay.h"
#include "gateway/store/store.h"
#include "policies/policy.h"

namespace sixlink {
namespace tls {
class Revocations;
}

// What is in force: a configuration and the policy built for it. They change together,
// so a request never sees a policy naming a member its configuration lacks. A request
// takes the snapshot once and keeps it (and every reference into it) until it answers.
struct Runtime {
  std::shared_ptr<const GatewayConfig> config;
  std::shared_ptr<const Policy> policy;
  // gateway.tls.crl's lists, for connections opened before they were loaded; null when
  // no CRL is configured.
  std::shared_ptr<const tls::Revocations> revocations;
};

struct GatewayContext {
  std::atomic<std::shared_ptr<const Runtime>> runtime;
  store::Store* store = nullptr;
  GatewayMetrics* metrics = nullptr;
  Relay* relay = nullptr;
  RateLimiter* rate_limiter = nullptr;
  // Partner requests read and not yet answered: shutdown waits for them to reach zero.
  std::atomic<int> requests_in_flight{0};
  // Set when shutdown begins: a request read from then on is refused (503, connection
  // closed) rather than raced against the store closing.
  std::atomic<bool> draining{false};

  std::shared_ptr<const Runtime> current() const { return runtime.load(); }
};

}  // namespace sixlink
