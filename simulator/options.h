// The simulator's command line:
//
//   sixlink-simulator --gateway https://127.0.0.1:8443 --pki DIR
//       [--members baoshan,jiading,kunshan] [--listen baoshan=127.0.0.1:PORT,jiading=127.0.0.1:PORT]
//       [--rate N/s] [--duration S | --count N] [--policy FILE] [--drain S]
//       [--summary-file F] [--samples-dir DIR] [--seed N] [--check]
//
// Partners named in --listen receive by push on their own mTLS endpoint; the others pull
// their inbox. See simulator/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink::sim {

struct Options {
  std::string gateway_host = "127.0.0.1";
  uint16_t gateway_port = 8443;
  std::string pki_dir;                         // <member>.pem/.key and ca.pem
  std::vector<std::string> members = {"baoshan", "jiading", "kunshan"};
  std::map<std::string, ListenAddress> listen;  // push receivers
  double rate = 2;                              // messages per second, per partner
  std::optional<double> duration_s;             // stop sending after this long
  std::optional<int> count;                     // stop after this many messages per partner
  std::string policy_file;                      // predicts routing and redaction
  double drain_s = 30;                          // wait this long at most for deliveries
  std::string summary_file;                     // JSON summary, rewritten every second
  std::string samples_dir;                      // one native document per partner and kind
  uint32_t seed = 0;                            // 0: from the clock
  bool check = false;                           // exit 1 when a check fails
};

struct ParseResult {
  std::optional<Options> options;  // set when the command line is valid
  std::string error;               // otherwise why not ("" with --help)
  bool help = false;
};

ParseResult parse_options(const std::vector<std::string>& args);
const char* usage_text();

}  // namespace sixlink::sim
