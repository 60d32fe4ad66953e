// The CPU time (user + system) this process has used so far, in seconds. Shared by
// sixlink-loadgen and sixlink-bench-store, which report their CPU per request.
#pragma once

#include <sys/resource.h>

namespace sixlink::bench {

inline double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace sixlink::bench
