// The six-link policy as data (DESIGN §7): what policy_loader.cpp reads from YAML and
// six_link_policy.cpp decides with. Private to policies/.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"

namespace sixlink::policy {

// Clearance and classification share one order: public < internal < restricted.
int classification_rank(const std::string& classification);

struct MemberRules {
  std::set<std::string> send;     // "*", "<link>" or "<link>/<kind>"
  std::set<std::string> receive;  // same
  std::string clearance = "internal";
  std::vector<std::string> border_lines;  // south_line, west_line
  RateLimit rate;
};

struct RouteRule {
  std::string name;
  // Conditions; an empty set matches anything.
  std::set<std::string> links, kinds, severities, border_lines, region_codes;
  enum class To { all, region, border_line, members } to = To::members;
  std::vector<std::string> members;  // To::members
};

struct RedactionRule {
  std::string name;
  std::vector<std::string> fields;          // body paths: "parties[].id_number"
  std::set<std::string> classifications;   // empty = any classification
};

struct PolicySpec {
  std::map<std::string, MemberRules> members;  // every configured member has an entry
  std::vector<RouteRule> routes;
  std::vector<RedactionRule> redactions;
  std::map<std::string, std::size_t> max_body_bytes_per_kind;
  std::map<std::string, std::string> member_region;  // from the configuration
  std::vector<std::string> member_order;             // configuration order
};

// Reads the file; errors carry file, line and key.
PolicySpec read_policy_file(const GatewayConfig& config, std::vector<ConfigError>& errors);

// Masks the string at each path of `fields` in `body`; returns the concrete paths masked.
std::vector<std::string> mask_fields(boost::json::object& body, const std::vector<std::string>& fields);

}  // namespace sixlink::policy
