// sixlink-gateway: the command line (DESIGN §9, contract).
//   sixlink-gateway serve --config FILE [--log-level debug|info|warn|error]
//   sixlink-gateway check-config FILE
//   sixlink-gateway audit verify --config FILE
//   sixlink-gateway report cases --config FILE [--from D] [--to D] [--format F] [--lang L] --out FILE
//   sixlink-gateway version
#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/gateway.h"
#include "gateway/log.h"
#include "gateway/reports/case_report.h"
#include "gateway/store/store.h"
#include "policies/policy.h"

namespace {

using sixlink::ConfigLoadResult;

int usage(std::ostream& out, int code) {
  out << "usage:\n"
         "  sixlink-gateway serve --config FILE [--log-level debug|info|warn|error]\n"
         "  sixlink-gateway check-config FILE\n"
         "  sixlink-gateway audit verify --config FILE\n"
         "  sixlink-gateway report cases --config FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
         "                               [--format json|csv|html] [--lang zh|en] --out FILE\n"
         "  sixlink-gateway version\n";
  return code;
}

// Finds "--name VALUE" in args; empty when absent.
std::string option(const std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return {};
}

std::optional<sixlink::GatewayConfig> load_or_report(const std::string& path) {
  ConfigLoadResult r = sixlink::load_config(path);
  for (const auto& e : r.errors) std::cerr << e << "\n";
  return r.config;
}

// glibc hands freed heap back to the kernel eagerly; the store's writer frees and
// re-allocates SQLite's per-transaction memory on every commit, so each commit paid page
// faults for it. Keep up to 256 MiB of freed heap, grow it 16 MiB at a time, and serve
// blocks up to 32 MiB from the heap rather than fresh mappings (docs/performance.md,
// "Proposed changes" 1: the same settings as GLIBC_TUNABLES gave 1.4-2.5x deliveries/s).
// An operator's GLIBC_TUNABLES still wins: these are only set when it says nothing.
void tune_allocator() {
  if (std::getenv("GLIBC_TUNABLES")) return;
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

int serve(const std::vector<std::string>& args) {
  tune_allocator();
  std::string path = option(args, "--config");
  if (path.empty()) return usage(std::cerr, 2);
  if (std::string level = option(args, "--log-level"); !level.empty()) {
    sixlink::LogLevel l;
    if (!sixlink::parse_log_level(level, &l)) return usage(std::cerr, 2);
    sixlink::set_log_level(l);
  }
  auto config = load_or_report(path);
  if (!config) return 1;
  sixlink::Gateway gateway(std::move(*config));
  std::string error;
  if (!gateway.start(&error)) {
    sixlink::log_event(sixlink::LogLevel::error, "start_failed", {{"error", error}});
    return 1;
  }
  return gateway.run_until_signalled();
}

// The configuration, then the policy file it names (checked against its members).
int check_config(const std::string& path) {
  int rc = sixlink::check_config_command(path, std::cout, std::cerr);
  if (rc != 0) return rc;
  ConfigLoadResult r = sixlink::load_config(path);
  sixlink::PolicyLoadResult policy = sixlink::load_policy(*r.config);
  for (const auto& e : policy.errors) std::cerr << e << "\n";
  if (!policy.policy) return 1;
  std::cout << r.config->policies << ": ok\n";
  return 0;
}

// The store of a configuration, for the commands that read it; reports why on stderr.
std::unique_ptr<sixlink::store::Store> open_store(const sixlink::GatewayConfig& config) {
  sixlink::store::StoreOptions so;
  so.path = config.data_dir + "/sixlink.db";
  so.durability = config.durability;
  std::string error;
  auto store = sixlink::store::open_sqlite_store(so, &error);
  if (!store) std::cerr << "cannot open store: " << error << "\n";
  return store;
}

int audit_verify(const std::vector<std::string>& args) {
  std::string path = option(args, "--config");
  if (path.empty()) return usage(std::cerr, 2);
  auto config = load_or_report(path);
  if (!config) return 1;
  auto store = open_store(*config);
  if (!store) return 1;
  auto v = store->verify_audit();
  if (v.ok) {
    std::cout << "audit chain ok: " << v.entries << " entries\n";
    return 0;
  }
  std::cout << "audit chain BROKEN at entry " << v.first_broken_seq << ": " << v.reason << "\n";
  return 1;
}

// The joint-meeting case report over every case (the operator's view), written to --out.
int report_cases(const std::vector<std::string>& args) {
  std::string path = option(args, "--config"), out = option(args, "--out");
  if (path.empty() || out.empty()) return usage(std::cerr, 2);
  std::map<std::string, std::string> params;
  for (const char* name : {"from", "to", "format", "lang"})
    if (std::string v = option(args, std::string("--") + name); !v.empty()) params[name] = v;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  sixlink::reports::ReportRequest request;
  auto bad = sixlink::reports::parse_report_request(
      [&](std::string_view name) -> const std::string* {
        auto it = params.find(std::string(name));
        return it == params.end() ? nullptr : &it->second;
      },
      now_ms, &request);
  if (bad) {
    std::cerr << "--" << bad->field << ": " << bad->message << "\n";
    return 2;
  }
  auto config = load_or_report(path);
  if (!config) return 1;
  auto store = open_store(*config);
  if (!store) return 1;
  auto report = sixlink::reports::build_case_report(*store, *config, request);
  store->close();
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << report.body;
  if (!file.flush()) {
    std::cerr << "cannot write " << out << "\n";
    return 1;
  }
  std::cout << "case report (" << request.format << ") written to " << out << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage(std::cerr, 2);
  const std::string& cmd = args[0];
  if (cmd == "serve") return serve(args);
  if (cmd == "check-config" && args.size() == 2) return check_config(args[1]);
  if (cmd == "audit" && args.size() >= 2 && args[1] == "verify") return audit_verify(args);
  if (cmd == "report" && args.size() >= 2 && args[1] == "cases") return report_cases(args);
  if (cmd == "version" || cmd == "--version") {
    std::cout << "sixlink-gateway " << SIXLINK_VERSION << "\n";
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") return usage(std::cout, 0);
  return usage(std::cerr, 2);
}
