// The configuration loader (config.h, DESIGN §9): reads the YAML file, walks the
// `gateway`, `store` and `policies` sections, and leaves `members` to
// config_members.cpp. Owns the error format and `check-config`. YAML shapes and
// typed reading live in yaml_reader.cpp; OpenSSL file checks in pem_check.cpp.
#include "gateway/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "gateway/config/address.h"
#include "gateway/config/config_sections.h"
#include "gateway/config/pem_check.h"
#include "gateway/config/yaml_reader.h"

namespace sixlink {

using config_internal::ErrorList;
using config_internal::LoadContext;
using config_internal::MapReader;
using config_internal::PemKind;

// ============================== Shared helpers ==============================

namespace config_internal {

std::string resolve_path(const LoadContext& ctx, const std::string& path) {
  const std::filesystem::path p(path);
  return (p.is_absolute() ? p : ctx.base_dir / p).lexically_normal().string();
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 32 || id.front() < 'a' || id.front() > 'z') return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> read_pem_path(MapReader& map, std::string_view key, bool required,
                                         PemKind kind, const LoadContext& ctx) {
  const auto text = map.text(key, required);
  if (!text) return std::nullopt;
  std::string path = resolve_path(ctx, *text);
  if (auto problem = pem_problem(kind, path)) {
    map.fail(key, *problem);
    return std::nullopt;
  }
  return path;
}

bool same_identity(std::string_view a, std::string_view b) {
  // DNS names compare without regard to ASCII case (RFC 4343), as certificate checks do.
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace config_internal

namespace {

// ============================== gateway ==============================

std::optional<ListenAddress> read_listen(MapReader& g, std::string_view key, bool required) {
  const auto text = g.text(key, required);
  if (!text) return std::nullopt;
  auto address = parse_listen_address(*text);
  if (!address)
    g.fail(key,
           "expected IPv4:port or [IPv6]:port with a numeric IP and a port in 0..65535, "
           "got \"" +
               *text + "\"");
  return address;
}

void read_tls(MapReader& g, const LoadContext& ctx, TlsFiles& tls) {
  MapReader t = g.map("tls", {"cert", "key", "ca", "crl"}, true);
  const auto cert = read_pem_path(t, "cert", true, PemKind::certificate, ctx);
  const auto key = read_pem_path(t, "key", true, PemKind::private_key, ctx);
  if (cert && key) {
    if (auto problem = config_internal::key_mismatch(*cert, *key)) t.fail("key", *problem);
  }
  tls.cert = cert.value_or("");
  tls.key = key.value_or("");
  tls.ca = read_pem_path(t, "ca", true, PemKind::ca_bundle, ctx).value_or("");
  tls.crl = read_pem_path(t, "crl", false, PemKind::crl, ctx).value_or("");
}

void read_limits(MapReader& g, Limits& limits) {
  MapReader l = g.map("limits",
                      {"max_body_bytes", "max_header_bytes", "header_timeout_ms", "idle_timeout_ms",
                       "max_connections", "drain_timeout_ms"},
                      false);
  l.read("max_body_bytes", 1, int64_t{1} << 30, limits.max_body_bytes);
  l.read("max_header_bytes", 1, int64_t{1} << 20, limits.max_header_bytes);
  l.read("header_timeout_ms", 1, config_internal::kMaxMillis, limits.header_timeout_ms);
  l.read("idle_timeout_ms", 1, config_internal::kMaxMillis, limits.idle_timeout_ms);
  l.read("max_connections", 1, 1'000'000, limits.max_connections);
  l.read("drain_timeout_ms", 0, config_internal::kMaxMillis, limits.drain_timeout_ms);
}

void read_identity(MapReader& g, GatewayConfig& config) {
  if (auto id = g.text("id", true)) {
    if (!config_internal::is_valid_id(*id))
      g.fail("id", "\"" + *id + "\" is not a valid id (expected [a-z][a-z0-9_-]{0,31})");
    config.id = *id;
  }
}

void read_data_dir(MapReader& g, const LoadContext& ctx, GatewayConfig& config) {
  const auto text = g.text("data_dir", true);
  if (!text) return;
  config.data_dir = config_internal::resolve_path(ctx, *text);
  std::error_code ec;
  if (std::filesystem::exists(config.data_dir, ec) &&
      !std::filesystem::is_directory(config.data_dir, ec))
    g.fail("data_dir", "exists but is not a directory: " + config.data_dir);
}

void read_durability(MapReader& g, GatewayConfig& config) {
  const auto text = g.text("durability", false);
  if (!text) return;
  if (*text == "full") {
    config.durability = Durability::full;
  } else if (*text == "normal") {
    config.durability = Durability::normal;
  } else {
    g.fail("durability", "must be full or normal, got \"" + *text + "\"");
  }
}

void read_gateway(MapReader& top, const LoadContext& ctx, GatewayConfig& config) {
  MapReader g = top.map(
      "gateway",
      {"id", "listen", "admin_listen", "threads", "data_dir", "durability", "tls", "limits"}, true);
  read_identity(g, config);
  if (auto listen = read_listen(g, "listen", true)) config.listen = *listen;
  if (auto admin = read_listen(g, "admin_listen", false)) config.admin_listen = *admin;
  g.read("threads", 1, 64, config.threads);
  read_data_dir(g, ctx, config);
  read_durability(g, config);
  read_tls(g, ctx, config.tls);
  read_limits(g, config.limits);
}

// ============================== store, policies ==============================

void read_store(MapReader& top, StoreConfig& store) {
  MapReader s = top.map("store", {"engine", "dsn"}, false);
  if (auto engine = s.text("engine", false)) {
    store.engine = *engine;
    if (*engine == "postgres") {
      s.fail("engine", "postgres is not supported by this build (use sqlite)");
    } else if (*engine != "sqlite") {
      s.fail("engine", "must be sqlite or postgres, got \"" + *engine + "\"");
    }
  }
  if (auto dsn = s.text("dsn", false)) {
    store.dsn = *dsn;
    if (store.engine == "sqlite") s.fail("dsn", "only used with engine: postgres");
  }
}

void read_policies(MapReader& top, const LoadContext& ctx, GatewayConfig& config) {
  const auto text = top.text("policies", true);
  if (!text) return;
  config.policies = config_internal::resolve_path(ctx, *text);
  if (auto problem = config_internal::file_problem(config.policies)) top.fail("policies", *problem);
}

// ============================== the file ==============================

void read_document(const YAML::Node& root, const LoadContext& ctx, ErrorList& errors,
                   GatewayConfig& config) {
  MapReader top(root, "", 0, {"gateway", "store", "policies", "members"}, errors);
  if (!top.is_map()) return;
  read_gateway(top, ctx, config);
  read_store(top, config.store);
  read_policies(top, ctx, config);
  config_internal::read_members(top, ctx, config.members);
}

// The file's text, or nullopt after reporting why it cannot be read.
std::optional<std::string> read_file(const std::string& path, ErrorList& errors) {
  if (auto problem = config_internal::file_problem(path)) {
    errors.add(0, "", *problem);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<YAML::Node> parse_yaml(const std::string& text, ErrorList& errors) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    errors.add(line, "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

void load_into(const std::string& path, ErrorList& errors, GatewayConfig& config) {
  const auto text = read_file(path, errors);
  if (!text) return;
  const auto root = parse_yaml(*text, errors);
  if (!root) return;
  const std::filesystem::path absolute = std::filesystem::absolute(path).lexically_normal();
  config.source_file = absolute.string();
  read_document(*root, LoadContext{absolute.parent_path()}, errors, config);
}

}  // namespace

// ============================== Public API ==============================

ConfigLoadResult load_config(const std::string& path) {
  ErrorList errors(path);
  GatewayConfig config;
  try {
    load_into(path, errors, config);
  } catch (const std::exception& e) {
    // The readers do not throw by design; this keeps the "never throws" promise if
    // yaml-cpp, the filesystem or an allocation does anyway.
    errors.add(0, "", std::string("cannot load configuration: ") + e.what());
  }
  ConfigLoadResult result;
  if (errors.empty()) result.config = std::move(config);
  result.errors = errors.take();
  // Found section by section; reported top to bottom, as an editor would walk them.
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  return result;
}

int check_config_command(const std::string& path, std::ostream& out, std::ostream& err) {
  const ConfigLoadResult result = load_config(path);
  for (const ConfigError& e : result.errors) err << e << '\n';
  if (!result.errors.empty()) return 1;
  out << path << ": ok\n";
  return 0;
}

std::ostream& operator<<(std::ostream& os, const ConfigError& e) {
  os << e.file;
  if (e.line > 0) os << ':' << e.line;
  os << ": ";
  if (!e.key.empty()) os << e.key << ": ";
  return os << e.message;
}

const MemberConfig* GatewayConfig::find_member(const std::string& member_id) const {
  for (const MemberConfig& m : members)
    if (m.id == member_id) return &m;
  return nullptr;
}

const MemberConfig* GatewayConfig::find_member_by_identity(const std::string& identity) const {
  for (const MemberConfig& m : members)
    if (config_internal::same_identity(m.identity, identity)) return &m;
  return nullptr;
}

}  // namespace sixlink
