// Gateway configuration (DESIGN §9, contract): the typed form of the YAML file and
// its loader. Loading never throws: it returns every error it finds, each with the
// file, line and key, so `sixlink-gateway check-config` can report them all at once.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sixlink {

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 address ("0.0.0.0", "127.0.0.1", "::1")
  uint16_t port = 0;  // 0 = any free port (tests)
};

struct TlsFiles {
  std::string cert;  // absolute paths (resolved against the config file's folder)
  std::string key;
  std::string ca;
  std::string crl;  // empty = no CRL
};

struct Limits {
  std::size_t max_body_bytes = 1048576;
  std::size_t max_header_bytes = 16384;
  int header_timeout_ms = 5000;
  int idle_timeout_ms = 60000;
  int max_connections = 10000;
  // SIGTERM: how long requests in flight may take to finish before the gateway exits anyway.
  int drain_timeout_ms = 10000;
};

enum class Durability { full, normal };
enum class DeliveryMode { push, pull };

struct DeliveryConfig {
  DeliveryMode mode = DeliveryMode::pull;
  std::string endpoint;  // https://host:port/path (push only)
  std::string ca;        // CA that signs the member's server certificate (push only)
  int timeout_ms = 5000;
  // Deliveries in flight at once (push only), each on its own kept-alive connection.
  // Messages of one case or patrol still go one after the other, in order.
  int max_in_flight = 4;
  int max_attempts = 12;
  int backoff_base_ms = 1000;     // first retry delay; doubles per attempt, with jitter
  int backoff_max_ms = 300000;    // cap of the retry delay
  int breaker_failures = 5;       // consecutive failures that open the circuit
  int breaker_open_ms = 30000;    // how long the circuit stays open before a probe
};

struct MemberConfig {
  std::string id;
  std::string name;
  std::string region_code;  // GB/T 2260, six digits
  std::string identity;     // SAN DNS name (or CN) of the member's client certificate
  std::string adapter;      // adapter name, e.g. "sixlink"
  DeliveryConfig delivery;
};

struct StoreConfig {
  std::string engine = "sqlite";
  std::string dsn;  // postgres only
};

struct GatewayConfig {
  std::string id;
  ListenAddress listen;
  ListenAddress admin_listen{"127.0.0.1", 9464};
  int threads = 2;
  std::string data_dir;  // absolute
  Durability durability = Durability::full;
  TlsFiles tls;
  Limits limits;
  StoreConfig store;
  std::string policies;  // absolute path of the policy file
  std::vector<MemberConfig> members;
  std::string source_file;  // the file this was loaded from

  const MemberConfig* find_member(const std::string& id) const;
  const MemberConfig* find_member_by_identity(const std::string& identity) const;
};

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string key;  // dotted path, e.g. "members[2].delivery.endpoint"
  std::string message;
};
std::ostream& operator<<(std::ostream&, const ConfigError&);  // "file:line: key: message"

struct ConfigLoadResult {
  std::optional<GatewayConfig> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

// Reads and validates the file: unknown keys, missing or ill-typed fields, bad listen
// addresses, duplicate member ids or identities, unknown adapters, unreadable
// certificate/key/CA/CRL files. Relative paths are resolved against the file's folder.
ConfigLoadResult load_config(const std::string& path);

// `sixlink-gateway check-config FILE`: prints each error on `err` and "FILE: ok" on `out`;
// returns the process exit code (0 good, 1 errors).
int check_config_command(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace sixlink
