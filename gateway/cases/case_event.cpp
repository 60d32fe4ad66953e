// Envelope -> store::CaseEvent. See case_event.h.
#include "gateway/cases/case_event.h"

#include <boost/json.hpp>

#include "gateway/cases/case_time.h"

namespace sixlink::cases {
namespace json = boost::json;

namespace {

std::optional<std::string> string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

const json::object* object_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// The status a kind implies; nullptr for case.update, which may name any state.
const char* implied_status(std::string_view kind) {
  if (kind == "case.open") return "open";
  if (kind == "case.transfer") return "transferred";
  if (kind == "case.close") return "closed";
  return nullptr;
}

}  // namespace

bool is_case_link(std::string_view link) {
  return link == "joint_mediation" || link == "joint_governance";
}

std::optional<ApiError> make_case_event(const Envelope& e, const GatewayConfig& config,
                                        const std::vector<std::string>& recipients,
                                        std::optional<store::CaseEvent>* event) {
  event->reset();
  if (!is_case_link(e.link) || !e.kind.starts_with("case.") || !e.case_id) return std::nullopt;
  store::CaseEvent ev;
  ev.case_id = *e.case_id;
  ev.link = e.link;
  ev.kind = e.kind;
  ev.actor = e.source;
  ev.status = string_member(e.body, "status").value_or("");
  if (const char* implied = implied_status(e.kind); implied && !ev.status.empty() && ev.status != implied)
    return invalid_field("body.status", e.kind + " carries status \"" + implied + "\" (or none)");
  if (const json::object* lead = object_member(e.body, "lead")) {
    ev.lead = string_member(*lead, "jurisdiction").value_or("");
    ev.lead_unit = string_member(*lead, "unit").value_or("");
    if (!ev.lead.empty() && !config.find_member(ev.lead))
      return invalid_field("body.lead.jurisdiction", "the lead must be a member id of the federation");
  }
  if (auto deadline = string_member(e.body, "deadline")) {
    ev.deadline_ms = parse_rfc3339_ms(*deadline);
    if (!ev.deadline_ms) return invalid_field("body.deadline", "must be an RFC 3339 date-time with offset");
  }
  ev.closure_criteria = string_member(e.body, "closure_criteria");
  ev.title = string_member(e.body, "title");
  ev.category = string_member(e.body, "category");
  if (const json::object* location = object_member(e.body, "location"))
    ev.region_code = string_member(*location, "region_code").value_or("");
  if (ev.region_code.empty() && !e.region_codes.empty()) ev.region_code = e.region_codes.front();
  ev.note = string_member(e.body, "note").value_or("");
  ev.recipients = recipients;
  *event = std::move(ev);
  return std::nullopt;
}

}  // namespace sixlink::cases
