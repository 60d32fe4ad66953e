// Reads policies/*.yaml into a PolicySpec. Every error names file, line and key, like
// the configuration's; check-config and reload report them, and a policy with errors
// never replaces the one in force. The file format is documented in policies/README.md.
#include <yaml-cpp/yaml.h>

#include "gateway/config/yaml_reader.h"
#include "gateway/core/envelope.h"
#include "policies/policy_spec.h"

namespace sixlink::policy {

using config_internal::ErrorList;
using config_internal::MapReader;

namespace {

bool is_classification(const std::string& c) { return c == "public" || c == "internal" || c == "restricted"; }
bool is_border_line(const std::string& l) { return l == "south_line" || l == "west_line"; }
bool is_severity(const std::string& s) {
  return s == "Extreme" || s == "Severe" || s == "Moderate" || s == "Minor" || s == "Unknown";
}

// A scalar or a list of scalars, each checked by `valid`.
std::set<std::string> names(MapReader& m, std::string_view key, bool (*valid)(const std::string&),
                            const char* what) {
  std::set<std::string> out;
  YAML::Node n = m.value(key);
  if (!n.IsDefined() || n.IsNull()) return out;
  std::vector<YAML::Node> items;
  if (n.IsScalar()) items.push_back(n);
  else if (n.IsSequence()) for (const auto& i : n) items.push_back(i);
  else m.fail(key, std::string("must be a ") + what + " or a list of them");
  for (const auto& i : items) {
    std::string v = i.IsScalar() ? i.Scalar() : "";
    if (!valid(v)) m.errors().add(config_internal::line_of(i), m.path_of(key), "'" + v + "' is not a " + what);
    else out.insert(v);
  }
  return out;
}

bool is_link_or_kind_entry(const std::string& e) {
  if (e == "*") return true;
  std::size_t slash = e.find('/');
  if (slash == std::string::npos) return is_link(e);
  return link_has_kind(e.substr(0, slash), e.substr(slash + 1));
}
bool is_kind(const std::string& k) {
  for (const auto& l : link_ids())
    if (link_has_kind(l, k)) return true;
  return false;
}
bool is_region(const std::string& r) { return is_valid_region_code(r); }
bool any_text(const std::string& s) { return !s.empty(); }

void read_member(MapReader& m, const std::string& id, PolicySpec& spec) {
  MemberRules& r = spec.members[id];
  r.send = names(m, "send", is_link_or_kind_entry, "link, link/kind or \"*\"");
  r.receive = names(m, "receive", is_link_or_kind_entry, "link, link/kind or \"*\"");
  if (auto c = m.text("clearance", false)) {
    if (!is_classification(*c)) m.fail("clearance", "must be public, internal or restricted");
    else r.clearance = *c;
  }
  auto lines = names(m, "border_lines", is_border_line, "border line (south_line, west_line)");
  r.border_lines.assign(lines.begin(), lines.end());
  MapReader rate = m.map("rate", {"per_second", "burst"}, false);
  if (auto v = rate.integer("per_second", 0, 1000000)) r.rate.per_second = static_cast<double>(*v);
  if (auto v = rate.integer("burst", 1, 10000000)) r.rate.burst = static_cast<double>(*v);
  if (r.rate.per_second > 0 && r.rate.burst == 0) r.rate.burst = r.rate.per_second;
}

void read_route(const YAML::Node& node, std::size_t i, PolicySpec& spec, ErrorList& errors) {
  std::string path = "routing[" + std::to_string(i) + "]";
  MapReader m(node, path, config_internal::line_of(node), {"name", "when", "to"}, errors);
  if (!m.is_map()) return;
  RouteRule rule;
  rule.name = m.text("name", true).value_or(path);
  MapReader when = m.map("when", {"link", "kind", "severity", "border_line", "region_code"}, false);
  rule.links = names(when, "link", [](const std::string& l) { return is_link(l); }, "link id");
  rule.kinds = names(when, "kind", is_kind, "kind");
  rule.severities = names(when, "severity", is_severity, "CAP severity");
  rule.border_lines = names(when, "border_line", is_border_line, "border line");
  rule.region_codes = names(when, "region_code", is_region, "GB/T 2260 code");
  YAML::Node to = m.value("to");
  if (to.IsScalar() && to.Scalar() == "all") rule.to = RouteRule::To::all;
  else if (to.IsScalar() && to.Scalar() == "region") rule.to = RouteRule::To::region;
  else if (to.IsScalar() && to.Scalar() == "border_line") rule.to = RouteRule::To::border_line;
  else if (to.IsSequence()) {
    for (const auto& t : to) {
      std::string id = t.IsScalar() ? t.Scalar() : "";
      if (!spec.member_region.count(id))
        errors.add(config_internal::line_of(t), path + ".to", "'" + id + "' is not a configured member");
      rule.members.push_back(id);
    }
  } else {
    m.fail("to", "must be all, region, border_line or a list of member ids");
  }
  spec.routes.push_back(std::move(rule));
}

void read_redaction(const YAML::Node& node, std::size_t i, PolicySpec& spec, ErrorList& errors) {
  std::string path = "redaction[" + std::to_string(i) + "]";
  MapReader m(node, path, config_internal::line_of(node), {"name", "fields", "classifications"}, errors);
  if (!m.is_map()) return;
  RedactionRule rule;
  rule.name = m.text("name", true).value_or(path);
  auto fields = names(m, "fields", any_text, "body field path");
  if (fields.empty()) m.fail("fields", "name at least one body field, e.g. parties[].id_number");
  rule.fields.assign(fields.begin(), fields.end());
  rule.classifications = names(m, "classifications", is_classification, "classification");
  spec.redactions.push_back(std::move(rule));
}

void read_sections(const YAML::Node& root, const GatewayConfig& config, PolicySpec& spec, ErrorList& errors) {
  MapReader top(root, "", 1, {"version", "members", "routing", "redaction", "limits"}, errors);
  if (!top.is_map()) return;
  if (top.text("version", true).value_or("1") != "1") top.fail("version", "only version 1 is known");
  YAML::Node members = top.value("members");
  if (!members.IsMap()) {
    top.fail("members", "a map of member id -> rules (send, receive, clearance, border_lines, rate)");
    return;
  }
  for (const auto& m : config.members) {
    YAML::Node n = members[m.id];
    if (!n.IsDefined()) {
      top.fail("members", "no rules for configured member " + m.id + " (it could neither send nor receive)");
      continue;
    }
    MapReader mr(n, "members." + m.id, config_internal::line_of(n),
                 {"send", "receive", "clearance", "border_lines", "rate"}, errors);
    if (mr.is_map()) read_member(mr, m.id, spec);
  }
  std::set<std::string> seen;
  for (const auto& kv : members) {
    std::string id = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!seen.insert(id).second)
      errors.add(config_internal::line_of(kv.first), "members." + id, "listed twice (only the first would count)");
    else if (!spec.member_region.count(id))
      errors.add(config_internal::line_of(kv.first), "members." + id, "not a configured member");
  }
  YAML::Node routing = top.value("routing");
  if (routing.IsSequence())
    for (std::size_t i = 0; i < routing.size(); ++i) read_route(routing[i], i, spec, errors);
  else if (routing.IsDefined() && !routing.IsNull())
    top.fail("routing", "must be a list of rules");
  YAML::Node redaction = top.value("redaction");
  if (redaction.IsSequence())
    for (std::size_t i = 0; i < redaction.size(); ++i) read_redaction(redaction[i], i, spec, errors);
  else if (redaction.IsDefined() && !redaction.IsNull())
    top.fail("redaction", "must be a list of rules");
  MapReader limits = top.map("limits", {"max_body_bytes"}, false);
  YAML::Node sizes = limits.value("max_body_bytes");
  if (sizes.IsDefined() && !sizes.IsNull() && !sizes.IsMap())
    limits.fail("max_body_bytes", "must be a map of kind -> bytes (the overall limit is gateway.limits.max_body_bytes)");
  if (sizes.IsMap()) {
    for (const auto& kv : sizes) {
      std::string kind = kv.first.IsScalar() ? kv.first.Scalar() : "";
      std::string key = "limits.max_body_bytes." + kind;
      if (!is_kind(kind)) errors.add(config_internal::line_of(kv.first), key, "not a message kind");
      else if (!kv.second.IsScalar() || kv.second.as<long long>(0) <= 0)
        errors.add(config_internal::line_of(kv.second), key, "must be a positive number of bytes");
      else spec.max_body_bytes_per_kind[kind] = static_cast<std::size_t>(kv.second.as<long long>());
    }
  }
}

}  // namespace

int classification_rank(const std::string& c) { return c == "public" ? 0 : c == "internal" ? 1 : 2; }

PolicySpec read_policy_file(const GatewayConfig& config, std::vector<ConfigError>& out) {
  PolicySpec spec;
  for (const auto& m : config.members) {
    spec.member_region[m.id] = m.region_code;
    spec.member_order.push_back(m.id);
  }
  ErrorList errors(config.policies);
  try {
    YAML::Node root = YAML::LoadFile(config.policies);
    read_sections(root, config, spec, errors);
  } catch (const YAML::BadFile&) {
    errors.add(0, "policies", "cannot read " + config.policies);
  } catch (const YAML::Exception& e) {
    errors.add(e.mark.line + 1, "", "YAML: " + e.msg);
  }
  out = errors.take();
  return spec;
}

}  // namespace sixlink::policy
