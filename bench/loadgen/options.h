// sixlink-loadgen's command line: what to load, how hard, for how long. Parsing only;
// the load itself is in load_run.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sixlink::bench {

enum class LoadMode {
  closed,     // each connection sends its next request when the answer arrives
  open,       // fixed total rate, requests scheduled at intended times (latency from the intended time)
  handshake,  // a new connection (full TLS handshake) per request
  idle,       // open N connections, one request each, hold them idle
};

struct LoadOptions {
  LoadMode mode = LoadMode::closed;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string sni = "localhost";  // SNI and the name checked in the server certificate
  std::string cert, key, ca;      // client identity and the CA that signs the server
  std::string method = "POST";
  std::string path = "/v1/messages";
  std::string content_type = "application/json";
  // Body: a template file with {id} and {ts} placeholders, or (empty) the default
  // canonical bulletin built from source/recipients/pad_bytes.
  std::string body_file;
  std::string source = "bench";
  std::vector<std::string> recipients = {};
  int pad_bytes = 200;
  std::string id_prefix;  // default: "lg<pid>x<time>"
  int connections = 32;
  int threads = 1;
  double warmup_s = 2;
  double duration_s = 10;
  double rate = 0;             // open loop: total requests per second
  uint64_t max_requests = 0;   // closed loop: stop after this many answers (0 = by time only)
  double hold_s = 10;          // idle mode: how long to hold the connections
  int handshake_parallel = 64; // idle mode: connections opened at once
  double grace_s = 10;         // after the window, how long to wait for answers in flight
  std::string label;
};

// Parses argv; on error or --help returns nullopt after printing to stderr/stdout;
// `exit_code` tells which (0 for --help).
std::optional<LoadOptions> parse_load_options(int argc, char** argv, int* exit_code);

const char* to_string(LoadMode m);

}  // namespace sixlink::bench
