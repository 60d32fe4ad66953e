// The usual process_* metrics (CPU, resident and virtual memory, open and maximum file
// descriptors, start time), read from /proc at scrape time. prometheus-cpp core has no
// process collector, so this is ours; the names follow the Prometheus client conventions.
#pragma once

#include <prometheus/collectable.h>

#include <memory>

namespace sixlink {

std::shared_ptr<prometheus::Collectable> make_process_collector();

}  // namespace sixlink
