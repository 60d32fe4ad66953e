#include "bench/loadgen/options.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>
#include <string_view>

namespace sixlink::bench {

namespace {

constexpr const char* kUsage = R"(usage: sixlink-loadgen --port P --cert FILE --key FILE --ca FILE [options]

Load generator of the Sixlink benchmark: N keep-alive mutual-TLS connections posting
canonical envelopes (a unique id per request), with latency recorded per request in a
log-linear histogram. Prints one JSON line on stdout. It shares the machine's cores with
the server it measures: use 1-2 threads and say so when quoting its numbers.

  --host ADDR            server address (127.0.0.1)
  --port P               server port (required)
  --sni NAME             SNI and the name checked in the server certificate (localhost)
  --cert/--key FILE      client certificate and key (mutual TLS)
  --ca FILE              CA that signs the server certificate
  --connections N        keep-alive connections (32)
  --threads N            client threads, one io_context each (1)
  --warmup S             seconds not recorded before the window (2)
  --duration S           seconds of the measured window (10)
  --rate R               open loop: R requests/s in total at fixed intended times; latency is
                         measured from the intended send time (coordinated omission corrected)
  --requests N           closed loop: stop after N answers (prefill; ignores --duration)
  --handshake            a new connection (full handshake, no resumption) per request
  --idle N               open N connections, one request each, hold them --hold S seconds
  --hold S               (10)
  --method M, --path P   request line (POST /v1/messages)
  --content-type T       (application/json)
  --body-file FILE       body template; {id} and {ts} (unix ns) are substituted
  --source ID            envelope source of the default body (bench)
  --recipients A,B       envelope recipients of the default body (absent: routed by policy)
  --pad BYTES            filler text in the default body (200)
  --id-prefix P          message ids are P-<conn>-<n> (default unique per process)
  --grace S              wait this long after the window for answers in flight (10)
  --label TEXT           copied into the JSON line
)";

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool to_number(const std::string& text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end && *end == '\0' && !text.empty();
}

}  // namespace

const char* to_string(LoadMode m) {
  switch (m) {
    case LoadMode::closed: return "closed";
    case LoadMode::open: return "open";
    case LoadMode::handshake: return "handshake";
    case LoadMode::idle: return "idle";
  }
  return "?";
}

std::optional<LoadOptions> parse_load_options(int argc, char** argv, int* exit_code) {
  LoadOptions o;
  *exit_code = 2;
  auto fail = [&](const std::string& msg) -> std::optional<LoadOptions> {
    std::cerr << "sixlink-loadgen: " << msg << "\n(see --help)\n";
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      *exit_code = 0;
      return std::nullopt;
    }
    if (a == "--handshake") {
      o.mode = LoadMode::handshake;
      continue;
    }
    if (i + 1 >= argc) return fail("missing value for " + a);
    std::string v = argv[++i];
    double num = 0;
    const bool numeric = to_number(v, &num);
    auto need_number = [&](double min) { return numeric && num >= min; };
    if (a == "--host") o.host = v;
    else if (a == "--port" && need_number(1) && num < 65536) o.port = static_cast<uint16_t>(num);
    else if (a == "--sni") o.sni = v;
    else if (a == "--cert") o.cert = v;
    else if (a == "--key") o.key = v;
    else if (a == "--ca") o.ca = v;
    else if (a == "--connections" && need_number(1)) o.connections = static_cast<int>(num);
    else if (a == "--threads" && need_number(1)) o.threads = static_cast<int>(num);
    else if (a == "--warmup" && need_number(0)) o.warmup_s = num;
    else if (a == "--duration" && need_number(0.1)) o.duration_s = num;
    else if (a == "--rate" && need_number(0.001)) { o.rate = num; o.mode = LoadMode::open; }
    else if (a == "--requests" && need_number(1)) o.max_requests = static_cast<uint64_t>(num);
    else if (a == "--idle" && need_number(1)) { o.connections = static_cast<int>(num); o.mode = LoadMode::idle; }
    else if (a == "--hold" && need_number(0)) o.hold_s = num;
    else if (a == "--method") o.method = v;
    else if (a == "--path") o.path = v;
    else if (a == "--content-type") o.content_type = v;
    else if (a == "--body-file") o.body_file = v;
    else if (a == "--source") o.source = v;
    else if (a == "--recipients") o.recipients = split_commas(v);
    else if (a == "--pad" && need_number(0)) o.pad_bytes = static_cast<int>(num);
    else if (a == "--id-prefix") o.id_prefix = v;
    else if (a == "--grace" && need_number(0)) o.grace_s = num;
    else if (a == "--label") o.label = v;
    else return fail("unknown option or bad value: " + a + " " + v);
  }
  if (o.port == 0) return fail("--port is required");
  if (o.cert.empty() || o.key.empty() || o.ca.empty()) return fail("--cert, --key and --ca are required");
  if (o.threads > o.connections) o.threads = o.connections;
  if (o.id_prefix.empty()) {
    std::ostringstream p;
    p << "lg" << ::getpid() << "x" << std::time(nullptr);
    o.id_prefix = p.str();
  }
  *exit_code = 0;
  return o;
}

}  // namespace sixlink::bench
