// See case_metrics.h.
#include "gateway/cases/case_metrics.h"

#include <chrono>

namespace sixlink::cases {

void refresh_overdue_gauge(store::Store& store, GatewayMetrics& metrics, const GatewayConfig& config) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto counts = store.overdue_case_counts(now_ms);
  for (const char* link : {"joint_mediation", "joint_governance"})
    for (const auto& m : config.members) {
      auto it = counts.find({link, m.id});
      metrics.set_cases_overdue(link, m.id, it == counts.end() ? 0.0 : static_cast<double>(it->second));
    }
}

}  // namespace sixlink::cases
