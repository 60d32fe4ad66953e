// The services a request handler or worker reaches: configuration, the current policy
// (swapped atomically on reload), the store, the metrics and the relay. Owned by Gateway.
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

struct GatewayContext {
  std::shared_ptr<const GatewayConfig> config;
  std::atomic<std::shared_ptr<const Policy>> policy;
  store::Store* store = nullptr;
  GatewayMetrics* metrics = nullptr;
  Relay* relay = nullptr;
  RateLimiter* rate_limiter = nullptr;
  // Partner requests read and not yet answered: shutdown waits for them to reach zero.
  std::atomic<int> requests_in_flight{0};

  std::shared_ptr<const Policy> current_policy() const { return policy.load(); }
};

}  // namespace sixlink
