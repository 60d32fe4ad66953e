#include "gateway/metrics/process_metrics.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sixlink {

namespace pm = prometheus;

namespace {

struct ProcStat {
  double cpu_seconds = 0, start_time = 0, virtual_bytes = 0, resident_bytes = 0;
  bool ok = false;
};

double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

// /proc/self/stat: the command name (field 2) may hold spaces, so fields are counted
// from the closing parenthesis.
ProcStat read_stat() {
  ProcStat s;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return s;
  auto close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string x; fields >> x;) f.push_back(x);
  if (f.size() < 22) return s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;  // utime + stime
  s.start_time = boot_time() + std::stod(f[19]) / ticks;           // starttime
  s.virtual_bytes = std::stod(f[20]);                              // vsize
  s.resident_bytes = std::stod(f[21]) * page;                      // rss (pages)
  s.ok = true;
  return s;
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

pm::MetricFamily family(const char* name, const char* help, pm::MetricType type, double value) {
  pm::ClientMetric m;
  if (type == pm::MetricType::Counter) m.counter.value = value;
  else m.gauge.value = value;
  return {name, help, type, {m}};
}

class ProcessCollector final : public pm::Collectable {
 public:
  std::vector<pm::MetricFamily> Collect() const override {
    std::vector<pm::MetricFamily> out;
    ProcStat s = read_stat();
    if (s.ok) {
      out.push_back(family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                           pm::MetricType::Counter, s.cpu_seconds));
      out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                           pm::MetricType::Gauge, s.resident_bytes));
      out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           pm::MetricType::Gauge, s.virtual_bytes));
      out.push_back(family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                           pm::MetricType::Gauge, s.start_time));
    }
    out.push_back(family("process_open_fds", "Number of open file descriptors.", pm::MetricType::Gauge, open_fds()));
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
      out.push_back(family("process_max_fds", "Maximum number of open file descriptors.", pm::MetricType::Gauge,
                           static_cast<double>(lim.rlim_cur)));
    return out;
  }
};

}  // namespace

std::shared_ptr<pm::Collectable> make_process_collector() { return std::make_shared<ProcessCollector>(); }

}  // namespace sixlink
