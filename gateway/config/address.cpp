// Parsing of listen addresses and https endpoints (see address.h).
#include "gateway/config/address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sixlink {
namespace {

std::optional<uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  unsigned value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  if (value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

bool is_ip(std::string_view host, int family) {
  unsigned char buffer[16];
  const std::string h(host);
  return inet_pton(family, h.c_str(), buffer) == 1;
}

bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

// Splits "host:port" or "[v6]:port" (port optional when `port_optional`) into the
// bare host and the port text; nullopt when the brackets or colon are malformed.
struct HostPort {
  std::string_view host;
  std::string_view port;
  bool bracketed = false;
};

std::optional<HostPort> split_host_port(std::string_view s, bool port_optional) {
  HostPort out;
  std::string_view rest;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = s.substr(1, close - 1);
    out.bracketed = true;
    rest = s.substr(close + 1);
  } else {
    const auto colon = s.rfind(':');
    out.host = s.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
  }
  if (rest.empty()) return port_optional ? std::optional(out) : std::nullopt;
  if (rest.front() != ':') return std::nullopt;
  out.port = rest.substr(1);
  if (out.port.empty()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  const auto parts = split_host_port(text, false);
  if (!parts) return std::nullopt;
  const int family = parts->bracketed ? AF_INET6 : AF_INET;
  if (!is_ip(parts->host, family)) return std::nullopt;
  const auto port = parse_port(parts->port);
  if (!port) return std::nullopt;
  return ListenAddress{std::string(parts->host), *port};
}

std::optional<HttpsEndpoint> parse_https_endpoint(std::string_view text) {
  constexpr std::string_view scheme = "https://";
  if (!text.starts_with(scheme)) return std::nullopt;
  text.remove_prefix(scheme.size());
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto parts = split_host_port(text.substr(0, slash), true);
  if (!parts) return std::nullopt;
  const bool host_ok = parts->bracketed ? is_ip(parts->host, AF_INET6) : is_dns_name(parts->host);
  if (!host_ok) return std::nullopt;
  const std::string_view target = text.substr(slash);
  if (std::any_of(target.begin(), target.end(), [](unsigned char c) { return c <= ' '; }))
    return std::nullopt;
  HttpsEndpoint out{std::string(parts->host), 443, std::string(target)};
  if (!parts->port.empty()) {
    const auto port = parse_port(parts->port);
    if (!port || *port == 0) return std::nullopt;
    out.port = *port;
  }
  return out;
}

}  // namespace sixlink
