// The `members` section of the configuration (DESIGN §9): each member's identity,
// adapter and delivery settings, and the checks across members (duplicate ids and
// identities). The rest of the file is read in config.cpp.
#include <algorithm>

#include "adapters/adapter.h"
#include "gateway/config/address.h"
#include "gateway/config/config_sections.h"

namespace sixlink::config_internal {
namespace {

bool is_region_code(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// ============================== delivery ==============================

// False when the mode is missing or invalid (reported): the push-only fields then
// cannot be judged and are left alone.
bool read_mode(MapReader& d, DeliveryConfig& delivery) {
  const auto mode = d.text("mode", true);
  if (!mode) return false;
  if (*mode == "push" || *mode == "pull") {
    delivery.mode = *mode == "push" ? DeliveryMode::push : DeliveryMode::pull;
    return true;
  }
  d.fail("mode", "must be push or pull, got \"" + *mode + "\"");
  return false;
}

// endpoint and ca belong to push; with pull they are a mistake worth naming.
void read_push_target(MapReader& d, const LoadContext& ctx, DeliveryConfig& delivery) {
  const bool push = delivery.mode == DeliveryMode::push;
  if (!push) {
    for (std::string_view key : {"endpoint", "ca", "max_in_flight"})
      if (d.has(key)) d.fail(key, "only used with mode: push");
    return;
  }
  if (auto endpoint = d.text("endpoint", true)) {
    delivery.endpoint = *endpoint;
    if (!parse_https_endpoint(*endpoint))
      d.fail("endpoint", "expected https://host[:port]/path, got \"" + *endpoint + "\"");
  }
  delivery.ca = read_pem_path(d, "ca", true, PemKind::ca_bundle, ctx).value_or("");
  d.read("max_in_flight", 1, 256, delivery.max_in_flight);
}

void read_retry(MapReader& d, DeliveryConfig& delivery) {
  d.read("timeout_ms", 1, kMaxMillis, delivery.timeout_ms);
  d.read("max_attempts", 1, 1000, delivery.max_attempts);
  d.read("backoff_base_ms", 1, kMaxMillis, delivery.backoff_base_ms);
  d.read("backoff_max_ms", 1, kMaxMillis, delivery.backoff_max_ms);
  d.read("breaker_failures", 1, 1000, delivery.breaker_failures);
  d.read("breaker_open_ms", 1, kMaxMillis, delivery.breaker_open_ms);
  if (delivery.backoff_base_ms > delivery.backoff_max_ms)
    d.fail(d.has("backoff_max_ms") ? "backoff_max_ms" : "backoff_base_ms",
           "backoff_base_ms (" + std::to_string(delivery.backoff_base_ms) +
               ") exceeds backoff_max_ms (" + std::to_string(delivery.backoff_max_ms) + ")");
}

void read_delivery(MapReader& m, const LoadContext& ctx, DeliveryConfig& delivery) {
  MapReader d = m.map("delivery",
                      {"mode", "endpoint", "ca", "timeout_ms", "max_in_flight", "max_attempts",
                       "backoff_base_ms", "backoff_max_ms", "breaker_failures", "breaker_open_ms"},
                      true);
  if (!d.is_map()) return;
  if (read_mode(d, delivery)) read_push_target(d, ctx, delivery);
  read_retry(d, delivery);
}

// ============================== one member ==============================

void read_adapter(MapReader& m, MemberConfig& member) {
  const auto adapter = m.text("adapter", true);
  if (!adapter) return;
  member.adapter = *adapter;
  const std::vector<std::string> names = adapter_names();
  if (std::find(names.begin(), names.end(), *adapter) == names.end())
    m.fail("adapter", "unknown adapter \"" + *adapter + "\" (known: " + join(names) + ")");
}

void read_member_fields(MapReader& m, const LoadContext& ctx, MemberConfig& member) {
  if (auto id = m.text("id", true)) {
    member.id = *id;
    if (!is_valid_id(*id))
      m.fail("id", "\"" + *id + "\" is not a valid member id (expected [a-z][a-z0-9_-]{0,31})");
  }
  if (auto name = m.text("name", true)) member.name = *name;
  if (auto code = m.text("region_code", true)) {
    member.region_code = *code;
    if (!is_region_code(*code))
      m.fail("region_code", "expected exactly six digits (GB/T 2260), got \"" + *code + "\"");
  }
  if (auto identity = m.text("identity", true)) member.identity = *identity;
  read_adapter(m, member);
  read_delivery(m, ctx, member.delivery);
}

// ============================== across members ==============================

// First sighting of an id or identity, to name it in the duplicate's error.
struct Seen {
  std::string value;
  int line;
};

void check_unique(MapReader& m, std::string_view key, const std::string& value,
                  std::vector<Seen>& seen, bool ignore_case) {
  if (value.empty()) return;
  for (const Seen& s : seen) {
    if (ignore_case ? same_identity(s.value, value) : s.value == value) {
      m.fail(key, "duplicate " + std::string(key) + " \"" + value + "\" (first used on line " +
                      std::to_string(s.line) + ")");
      return;
    }
  }
  seen.push_back(Seen{value, m.line_of(key)});
}

}  // namespace

void read_members(MapReader& top, const LoadContext& ctx, std::vector<MemberConfig>& out) {
  if (!top.is_map()) return;
  const YAML::Node list = top.value("members");  // a null node when absent
  if (!list.IsSequence() || list.size() == 0) {
    top.fail("members", top.present("members") ? "expected a non-empty list of members"
                                               : "required field is missing");
    return;
  }
  std::vector<Seen> ids, identities;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "members[" + std::to_string(i) + "]";
    const YAML::Node item = list[i];
    if (item.IsNull()) {  // a bare "-": yaml-cpp marks it with the next item's line
      top.errors().add(top.line_of("members"), path, "expected a mapping, got an empty item");
      continue;
    }
    MapReader m(item, path, line_of(item),
                {"id", "name", "region_code", "identity", "adapter", "delivery"}, top.errors());
    if (!m.is_map()) continue;
    MemberConfig member;
    read_member_fields(m, ctx, member);
    check_unique(m, "id", member.id, ids, false);
    check_unique(m, "identity", member.identity, identities, true);
    out.push_back(std::move(member));
  }
}

}  // namespace sixlink::config_internal
