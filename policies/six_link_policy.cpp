// The six-link policy engine: permissions (link or link/kind, per member), routing of
// messages without recipients (by link, kind, alert severity, border line, region code),
// per-recipient redaction by clearance, per-kind size limits and per-member rates.
#include <boost/json.hpp>

#include <algorithm>

#include "gateway/core/text.h"
#include "policies/policy_spec.h"

namespace sixlink {
namespace policy {

namespace json = boost::json;

namespace {

bool allows(const std::set<std::string>& entries, const std::string& link, const std::string& kind) {
  return entries.count("*") || entries.count(link) || entries.count(link + "/" + kind);
}

ApiError deny(std::string rule, std::string message) {
  return ApiError{403, "policy_denied", std::move(message), {}, std::move(rule), 0};
}

// CAP severities of an alert's info blocks.
std::set<std::string> severities_of(const Envelope& e) {
  std::set<std::string> out;
  if (const auto* info = e.body.if_contains("info"); info && info->is_array())
    for (const auto& i : info->get_array())
      if (const auto* s = i.is_object() ? i.get_object().if_contains("severity") : nullptr; s && s->is_string())
        out.emplace(s->get_string());
  return out;
}

// body.lead.jurisdiction of a case message, if it names one.
std::optional<std::string> named_lead(const Envelope& e) {
  if (!e.kind.starts_with("case.")) return std::nullopt;
  const auto* lead = e.body.if_contains("lead");
  const auto* j = lead && lead->is_object() ? lead->get_object().if_contains("jurisdiction") : nullptr;
  if (!j || !j->is_string()) return std::nullopt;
  return std::string(j->get_string());
}

std::string border_line_of(const Envelope& e) {
  const auto* l = e.body.if_contains("border_line");
  return l && l->is_string() ? std::string(l->get_string()) : "";
}

template <class Set, class Range>
bool meets(const Set& wanted, const Range& have) {
  if (wanted.empty()) return true;
  for (const auto& h : have)
    if (wanted.count(h)) return true;
  return false;
}

// Masks a string, keeping a few characters at the ends when it is long enough to stay
// recognisable to its owner and useless to anyone else: 310113199001011234 -> 310*************34.
std::string mask(const std::string& s) {
  std::vector<std::size_t> starts;  // code point boundaries
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) starts.push_back(i);
  const std::size_t n = starts.size();
  if (n < 8) return std::string(n, '*');
  return s.substr(0, starts[3]) + std::string(n - 5, '*') + s.substr(starts[n - 2]);
}

void mask_at(json::value& v, const std::vector<std::string>& segs, std::size_t i, const std::string& path,
             std::vector<std::string>& out) {
  if (i == segs.size()) {
    if (v.is_string()) v = mask(std::string(v.get_string()));
    else if (!v.is_null()) v = "***";
    else return;
    out.push_back(path);
    return;
  }
  std::string seg = segs[i];
  const bool each = seg.ends_with("[]");
  if (each) seg.resize(seg.size() - 2);
  if (!v.is_object()) return;
  json::value* child = v.get_object().if_contains(seg);
  if (!child) return;
  if (!each) return mask_at(*child, segs, i + 1, path + "." + seg, out);
  if (!child->is_array()) return;
  auto& arr = child->get_array();
  for (std::size_t k = 0; k < arr.size(); ++k)
    mask_at(arr[k], segs, i + 1, path + "." + seg + "[" + std::to_string(k) + "]", out);
}

class SixLinkPolicy final : public Policy {
 public:
  explicit SixLinkPolicy(PolicySpec spec) : spec_(std::move(spec)) {}

  PolicyDecision admit(const Envelope& e, std::size_t body_bytes) const override {
    PolicyDecision d;
    if (auto it = spec_.max_body_bytes_per_kind.find(e.kind);
        it != spec_.max_body_bytes_per_kind.end() && body_bytes > it->second) {
      d.denial = ApiError{413, "too_large", e.kind + " messages are limited to " + std::to_string(it->second) + " bytes",
                          {}, "limits.max_body_bytes." + e.kind, 0};
      d.metric_rule = kRuleSizeLimit;
      return d;
    }
    if (!allows(rules(e.source).send, e.link, e.kind)) {
      d.denial = deny("members." + e.source + ".send", e.source + " may not send " + e.link + "/" + e.kind);
      d.metric_rule = kRuleSend;
      return d;
    }
    // The lead a case message names becomes a party that reads the case and its parties'
    // personal data (GET /v1/cases/{id}), as a recipient would: it must be allowed to
    // receive the message. An unknown member id is left to the case checks (400).
    if (const auto lead = named_lead(e);
        lead && *lead != e.source && spec_.member_region.count(*lead) && !may_receive(*lead, e)) {
      d.denial = deny("members." + *lead + ".receive",
                      *lead + " may not receive " + e.link + "/" + e.kind + ", so it cannot lead the case");
      d.metric_rule = kRuleReceive;
      return d;
    }
    std::vector<std::string> to;
    if (e.recipients ? !check_explicit(e, d, to) : !route(e, d, to)) return d;
    for (const auto& m : to) d.recipients.push_back(view_for(e, m));
    return d;
  }

  RecipientView view_for(const Envelope& e, const std::string& recipient) const override {
    RecipientView view{recipient, std::nullopt, {}};
    const int clearance = classification_rank(rules(recipient).clearance);
    if (clearance >= classification_rank(e.classification)) return view;
    Envelope copy = e;
    for (const auto& rule : spec_.redactions) {
      if (!rule.classifications.empty() && !rule.classifications.count(e.classification)) continue;
      auto masked = mask_fields(copy.body, rule.fields);
      if (!masked.empty()) view.redactions.push_back({rule.name, std::move(masked)});
    }
    if (!view.redactions.empty()) view.redacted = std::move(copy);
    return view;
  }

  RateLimit rate_limit(const std::string& member) const override { return rules(member).rate; }

 private:
  const MemberRules& rules(const std::string& member) const {
    static const MemberRules none;
    auto it = spec_.members.find(member);
    return it == spec_.members.end() ? none : it->second;
  }

  bool may_receive(const std::string& m, const Envelope& e) const {
    return m != e.source && allows(rules(m).receive, e.link, e.kind);
  }

  bool check_explicit(const Envelope& e, PolicyDecision& d, std::vector<std::string>& to) const {
    for (std::size_t i = 0; i < e.recipients->size(); ++i) {
      const std::string& r = (*e.recipients)[i];
      if (!spec_.member_region.count(r) || r == e.source) {
        d.denial = invalid_field("recipients[" + std::to_string(i) + "]",
                                 r == e.source ? "a member cannot send to itself" : "unknown member '" + r + "'");
        d.metric_rule = kRuleUnknownRecipient;
        return false;
      }
      if (!may_receive(r, e)) {
        d.denial = deny("members." + r + ".receive", r + " may not receive " + e.link + "/" + e.kind);
        d.metric_rule = kRuleReceive;
        return false;
      }
      to.push_back(r);
    }
    return true;
  }

  bool matches(const RouteRule& r, const Envelope& e) const {
    return (r.links.empty() || r.links.count(e.link)) && (r.kinds.empty() || r.kinds.count(e.kind)) &&
           meets(r.severities, severities_of(e)) &&
           (r.border_lines.empty() || r.border_lines.count(border_line_of(e))) &&
           meets(r.region_codes, e.region_codes);
  }

  bool targeted(const RouteRule& r, const std::string& m, const Envelope& e) const {
    switch (r.to) {
      case RouteRule::To::all: return true;
      case RouteRule::To::region:
        return std::find(e.region_codes.begin(), e.region_codes.end(), spec_.member_region.at(m)) != e.region_codes.end();
      case RouteRule::To::border_line: {
        const auto& lines = rules(m).border_lines;
        return std::find(lines.begin(), lines.end(), border_line_of(e)) != lines.end();
      }
      case RouteRule::To::members: return std::find(r.members.begin(), r.members.end(), m) != r.members.end();
    }
    return false;
  }

  bool route(const Envelope& e, PolicyDecision& d, std::vector<std::string>& to) const {
    std::vector<const RouteRule*> matched;
    for (const auto& r : spec_.routes)
      if (matches(r, e)) matched.push_back(&r);
    for (const auto& m : spec_.member_order)
      if (may_receive(m, e) &&
          std::any_of(matched.begin(), matched.end(), [&](const RouteRule* r) { return targeted(*r, m, e); }))
        to.push_back(m);
    if (!to.empty()) return true;
    std::string why = matched.empty() ? "no routing rule matches " + e.link + "/" + e.kind
                                      : "routing rule " + matched.front()->name + " matched, but no member it names may receive " + e.link + "/" + e.kind;
    d.denial = ApiError{422, "no_route", why + "; name recipients or change the policy", {},
                        matched.empty() ? "routing" : "routing." + matched.front()->name, 0};
    d.metric_rule = kRuleNoRoute;
    return false;
  }

  PolicySpec spec_;
};

}  // namespace

std::vector<std::string> mask_fields(json::object& body, const std::vector<std::string>& fields) {
  std::vector<std::string> masked;
  json::value root(std::move(body));
  for (const auto& f : fields) {
    std::vector<std::string> segs;
    for (std::size_t start = 0;;) {
      std::size_t dot = f.find('.', start);
      segs.push_back(f.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    mask_at(root, segs, 0, "body", masked);
  }
  body = std::move(root.get_object());
  return masked;
}

}  // namespace policy

PolicyLoadResult load_policy(const GatewayConfig& config) {
  std::vector<ConfigError> errors;
  policy::PolicySpec spec = policy::read_policy_file(config, errors);
  if (!errors.empty()) return {nullptr, std::move(errors)};
  return {std::make_shared<policy::SixLinkPolicy>(std::move(spec)), {}};
}

}  // namespace sixlink
