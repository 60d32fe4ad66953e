// sixlink_cases_overdue{link,lead}, refreshed at scrape time (like the queue depths):
// one series per case link and configured member, the count from the store's
// cases_active index. Label values come from configuration only.
#pragma once

#include "gateway/config/config.h"
#include "gateway/metrics/metrics.h"
#include "gateway/store/store.h"

namespace sixlink::cases {

void refresh_overdue_gauge(store::Store& store, GatewayMetrics& metrics, const GatewayConfig& config);

}  // namespace sixlink::cases
