// One load run of sixlink-loadgen: opens the connections on 1-2 threads (one
// io_context each), drives them in the chosen mode, records the latency of every answer
// inside the measured window and prints the result as one JSON line.
#pragma once

#include <string>

#include "bench/loadgen/options.h"

namespace sixlink::bench {

// Runs the load described by `options`; returns the process exit code (0 when at least
// one answer was recorded, or, in idle mode, at least one connection was held).
int run_load(const LoadOptions& options);

}  // namespace sixlink::bench
