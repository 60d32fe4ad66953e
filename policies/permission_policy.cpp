// Permission policy: per member, the links it may send and receive; routing of messages
// without recipients to every member that may receive the link. File format:
//
//   version: 1
//   permissions:
//     kunshan: { send: [info_sharing, joint_patrol], receive: ["*"] }
//
// Errors name file, line and key, as configuration errors do.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "policies/policy.h"

namespace sixlink {

namespace {

struct Permissions {
  std::set<std::string> send;
  std::set<std::string> receive;
};

class PermissionPolicy final : public Policy {
 public:
  PermissionPolicy(std::map<std::string, Permissions> perms, std::vector<std::string> members)
      : perms_(std::move(perms)), members_(std::move(members)) {}

  PolicyDecision admit(const Envelope& e) const override {
    PolicyDecision d;
    if (!may(e.source, e.link, &Permissions::send)) {
      d.denial = deny("permissions." + e.source + ".send",
                      "member " + e.source + " may not send on link " + e.link);
      d.metric_rule = kRuleSend;
      return d;
    }
    if (e.recipients) return check_explicit(e, std::move(d));
    for (const auto& m : members_)
      if (m != e.source && may(m, e.link, &Permissions::receive)) d.recipients.push_back(m);
    if (d.recipients.empty()) {
      d.denial = ApiError{422, "no_route", "no member may receive link " + e.link, {},
                          "routing." + e.link, 0};
      d.metric_rule = kRuleNoRoute;
    }
    return d;
  }

  Envelope view_for(const Envelope& e, const std::string&) const override { return e; }

 private:
  PolicyDecision check_explicit(const Envelope& e, PolicyDecision d) const {
    for (std::size_t i = 0; i < e.recipients->size(); ++i) {
      const std::string& r = (*e.recipients)[i];
      if (std::find(members_.begin(), members_.end(), r) == members_.end() || r == e.source) {
        d.denial = invalid_field("recipients[" + std::to_string(i) + "]",
                                 r == e.source ? "a member cannot send to itself"
                                               : "unknown member '" + r + "'");
        d.metric_rule = kRuleUnknownRecipient;
        return d;
      }
      if (!may(r, e.link, &Permissions::receive)) {
        d.denial = deny("permissions." + r + ".receive",
                        "member " + r + " may not receive link " + e.link);
        d.metric_rule = kRuleReceive;
        return d;
      }
      d.recipients.push_back(r);
    }
    return d;
  }

  bool may(const std::string& member, const std::string& link,
           std::set<std::string> Permissions::*which) const {
    auto it = perms_.find(member);
    if (it == perms_.end()) return false;
    const auto& set = it->second.*which;
    return set.count("*") || set.count(link);
  }

  static ApiError deny(std::string rule, std::string message) {
    return ApiError{403, "policy_denied", std::move(message), {}, std::move(rule), 0};
  }

  std::map<std::string, Permissions> perms_;
  std::vector<std::string> members_;
};

struct PolicyReader {
  const GatewayConfig& config;
  std::string file;
  std::vector<ConfigError> errors;

  void error(const YAML::Node& n, std::string key, std::string message) {
    errors.push_back({file, n.IsDefined() ? n.Mark().line + 1 : 0, std::move(key),
                      std::move(message)});
  }

  std::set<std::string> links(const YAML::Node& n, const std::string& key) {
    std::set<std::string> out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsSequence()) {
      error(n, key, "must be a list of link ids (or \"*\")");
      return out;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string v = n[i].IsScalar() ? n[i].as<std::string>() : "";
      if (v != "*" && !is_link(v))
        error(n[i], key + "[" + std::to_string(i) + "]", "unknown link '" + v + "'");
      else
        out.insert(v);
    }
    return out;
  }

  std::map<std::string, Permissions> permissions(const YAML::Node& root) {
    std::map<std::string, Permissions> perms;
    YAML::Node p = root["permissions"];
    if (!p.IsMap()) {
      error(root, "permissions", "a map of member id -> {send, receive} is required");
      return perms;
    }
    for (const auto& kv : p) {
      std::string member = kv.first.as<std::string>();
      std::string key = "permissions." + member;
      if (!config.find_member(member)) error(kv.first, key, "not a configured member");
      if (!kv.second.IsMap()) {
        error(kv.second, key, "must be a map with send and receive");
        continue;
      }
      for (const auto& f : kv.second) {
        std::string name = f.first.as<std::string>();
        if (name != "send" && name != "receive") error(f.first, key + "." + name, "unknown key");
      }
      perms[member] = {links(kv.second["send"], key + ".send"),
                       links(kv.second["receive"], key + ".receive")};
    }
    return perms;
  }
};

}  // namespace

PolicyLoadResult load_policy(const GatewayConfig& config) {
  PolicyReader reader{config, config.policies, {}};
  YAML::Node root;
  try {
    root = YAML::LoadFile(config.policies);
  } catch (const YAML::Exception& e) {
    reader.errors.push_back({config.policies, e.mark.line + 1, "", e.msg});
    return {nullptr, reader.errors};
  }
  if (!root.IsMap()) {
    reader.errors.push_back({config.policies, 1, "", "a policy file is a YAML map"});
    return {nullptr, reader.errors};
  }
  std::map<std::string, Permissions> perms;
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (key != "version" && key != "permissions") reader.error(kv.first, key, "unknown key");
    }
    if (!root["version"].IsDefined() || root["version"].as<std::string>("") != "1")
      reader.error(root, "version", "version: 1 is required");
    perms = reader.permissions(root);
  } catch (const YAML::Exception& e) {
    // A key or value of the wrong shape (a list where a name belongs, say).
    reader.errors.push_back({config.policies, e.mark.line + 1, "", "unexpected YAML here: " + e.msg});
  }
  if (!reader.errors.empty()) return {nullptr, reader.errors};
  std::vector<std::string> members;
  for (const auto& m : config.members) members.push_back(m.id);
  return {std::make_shared<PermissionPolicy>(std::move(perms), std::move(members)), {}};
}

}  // namespace sixlink
