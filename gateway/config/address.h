// Address syntax shared by the config loader and whoever dials or binds: the
// listener form `IPv4:port` / `[IPv6]:port` and the push endpoint form
// `https://host[:port]/path`. Parsing only; no name resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config/config.h"

namespace sixlink {

// "0.0.0.0:8443", "[::1]:9464". The host must be a numeric IP (inet_pton); the port a
// decimal 0..65535. Brackets are dropped from the stored host.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

struct HttpsEndpoint {
  std::string host;  // DNS name or numeric IP, without IPv6 brackets
  uint16_t port = 443;
  std::string target;  // path and query, starts with '/'
};

// "https://host[:port]/path": scheme https only, port 1..65535 (443 when absent),
// a non-empty path. Hosts are DNS names (letters, digits, '-', '.') or IP literals.
std::optional<HttpsEndpoint> parse_https_endpoint(std::string_view text);

}  // namespace sixlink
