// A small federation for end-to-end tests: a test PKI, the gateway (in-process or as a
// real process), and receiving partner servers. Members:
//   taicang  pull   (Taicang's command centre pulls its inbox)
//   baoshan  push   -> baoshan_rx (a PartnerServer)
//   jiading  push   -> jiading_rx
//   kunshan  pull
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/gateway.h"
#include "tests/support/mtls_client.h"
#include "tests/support/partner_server.h"
#include "tests/support/pki.h"

namespace sixlink::testing {

struct FederationOptions {
  std::size_t max_body_bytes = 65536;
  int header_timeout_ms = 400;
  int idle_timeout_ms = 5000;
  int max_connections = 1000;
  std::string durability = "full";
  int backoff_base_ms = 40;
  int backoff_max_ms = 300;
  int breaker_failures = 3;
  int breaker_open_ms = 200;
  int max_attempts = 1000;
  int max_in_flight = 0;  // members[].delivery.max_in_flight of push members; 0 = not written
  bool with_crl = false;
  // Push members (baoshan, jiading) configured as pull members instead.
  std::set<std::string> pull_instead_of_push;
  // Adapter per member id; members not named use the canonical "sixlink".
  std::map<std::string, std::string> adapters;
  // Policy file body; empty = every member may send and receive every link.
  std::string policy_yaml;
  // --log-level of a spawned gateway (its stderr goes to dir/gateway.log).
  std::string log_level = "warn";
};

class Federation {
 public:
  explicit Federation(FederationOptions options = {});
  ~Federation();

  // Writes gateway.yaml (ports 0 = any free port, for the in-process gateway).
  std::string write_config(uint16_t partner_port = 0, uint16_t admin_port = 0);

  // In-process gateway.
  void start_gateway();
  void stop_gateway();
  uint16_t port() const;
  uint16_t admin_port() const;

  // The real binary as a child process (crash tests). Ports are fixed at first start.
  void spawn_gateway();
  void kill_gateway(int signal);  // SIGKILL, SIGTERM; waits for the process to end
  int wait_gateway_exit();        // exit status of the child after kill_gateway(SIGTERM)

  std::unique_ptr<MtlsClient> client(const std::string& member);
  std::unique_ptr<MtlsClient> client_with(const Identity& id);
  HttpResult admin(const std::string& method, const std::string& target, const std::string& body = "");
  // The value of one sample in /metrics (exact series text before the value), or -1.
  double metric(const std::string& series);
  // Reloads through POST /admin/reload for at least `duration` and at least `min_reloads`
  // times (a slow machine gets as many reloads, only later), calling write_version(n)
  // before the n-th reload (n = 0, 1, ...). Returns how many reloads ran; *failure holds
  // the first one not answered 200 ("" when all were).
  int reload_loop(std::chrono::milliseconds duration, const std::function<void(int)>& write_version,
                  std::string* failure, int min_reloads = 10);
  // Polls metric(series) until it is at least `at_least` (counters bumped by another
  // thread after the client already saw the outcome); returns the last value read.
  double wait_metric(const std::string& series, double at_least,
                     std::chrono::milliseconds timeout = std::chrono::seconds(3));

  TempDir dir;
  TestPki pki;
  FederationOptions options;
  Identity gateway_identity;
  std::map<std::string, Identity> members;
  std::unique_ptr<PartnerServer> baoshan_rx;
  std::unique_ptr<PartnerServer> jiading_rx;
  std::string config_path;
  std::string crl_path;

 private:
  std::unique_ptr<Gateway> gateway_;
  pid_t child_ = -1;
  uint16_t fixed_port_ = 0, fixed_admin_port_ = 0;
};

// The sixlink-gateway binary run as a command (check-config, audit verify, ...).
struct ProcessRun {
  int exit_code;
  std::string output;  // stdout and stderr
};
ProcessRun run_gateway_cli(const std::string& args);

// Polls `condition` until it holds or `timeout` passes (the gateway works on its own
// threads; sanitizer builds on a busy machine are slow). Returns the last result.
template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Canonical envelopes for tests.
std::string alert_json(const std::string& id, const std::string& source,
                       const std::vector<std::string>& recipients = {},
                       const std::string& severity = "Severe");
std::string case_json(const std::string& id, const std::string& source, const std::string& case_id,
                      const std::vector<std::string>& recipients = {}, const std::string& kind = "case.open");
std::string patrol_json(const std::string& id, const std::string& source,
                        const std::string& patrol_id,
                        const std::vector<std::string>& recipients = {});

}  // namespace sixlink::testing
