// The running gateway: wires configuration, store, policy, metrics, relay and the two
// listeners together, and owns the threads that run them. main() and the tests use it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink {

class Gateway {
 public:
  explicit Gateway(GatewayConfig config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Opens the store, loads the policy, binds both listeners and starts the relay.
  bool start(std::string* error);
  // Serves until SIGTERM or SIGINT (drain, then return 0); SIGHUP reloads.
  int run_until_signalled();
  // Stops accepting, lets in-flight requests finish, flushes the store. Idempotent.
  void stop();
  // Re-reads the configuration file and policy; swaps policy and TLS material atomically.
  // Returns the errors that made it refuse (the running set stays in force).
  std::vector<ConfigError> reload();

  uint16_t partner_port() const;
  uint16_t admin_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sixlink
