// JSON views of the case registry. See case_view.h.
#include "gateway/cases/case_view.h"

#include <boost/json.hpp>

#include "gateway/cases/case_time.h"
#include "gateway/cases/case_transitions.h"

namespace sixlink::cases {
namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<int64_t>& ms) {
  return ms ? json::value(format_beijing(*ms)) : json::value(nullptr);
}

// The opening message's details as `member` may see them: its own message unmasked,
// anyone else's through the policy's redaction.
json::object opening_details(const store::CaseDetail& detail, const std::string& member,
                             const Policy& policy) {
  json::object out;
  Result<Envelope> opened = parse_envelope(detail.open_envelope_json);
  if (!opened) return out;
  const Envelope* shown = &opened.value();
  RecipientView view;
  if (member != opened.value().source) {
    view = policy.view_for(opened.value(), member);
    if (view.redacted) shown = &*view.redacted;
  }
  for (const char* field : {"description", "location", "parties"})
    if (const json::value* v = shown->body.if_contains(field)) out[field] = *v;
  json::array masked;
  for (const auto& r : view.redactions)
    for (const auto& f : r.fields) masked.emplace_back(f);
  if (!masked.empty()) out["redacted"] = std::move(masked);
  return out;
}

}  // namespace

bool is_overdue(const store::CaseRecord& r, int64_t now_ms) {
  return !is_final_state(r.status) && r.deadline_ms && *r.deadline_ms < now_ms;
}

int64_t days_overdue(const store::CaseRecord& r, int64_t now_ms) {
  if (!is_overdue(r, now_ms)) return 0;
  return (now_ms - *r.deadline_ms + kDayMs - 1) / kDayMs;
}

json::object case_summary(const store::CaseRecord& r, int64_t now_ms) {
  json::object o;
  o["case_id"] = r.case_id;
  o["link"] = r.link;
  o["origin"] = r.origin;
  o["lead"] = json::object{{"jurisdiction", r.lead}, {"unit", r.lead_unit}};
  o["status"] = r.status;
  o["title"] = r.title;
  o["category"] = r.category;
  o["region_code"] = r.region_code;
  o["closure_criteria"] = r.closure_criteria;
  o["opened_at"] = format_beijing(r.opened_at_ms);
  o["deadline"] = time_or_null(r.deadline_ms);
  o["closed_at"] = time_or_null(r.closed_at_ms);
  o["updated_at"] = format_beijing(r.updated_at_ms);
  o["overdue"] = is_overdue(r, now_ms);
  o["days_overdue"] = days_overdue(r, now_ms);
  return o;
}

json::object case_detail_view(const store::CaseDetail& d, const std::string& member,
                              const Policy& policy, int64_t now_ms) {
  json::object o = case_summary(d.record, now_ms);
  json::array parties;
  for (const auto& p : d.parties) parties.emplace_back(p);
  o["parties"] = std::move(parties);
  json::array history;
  for (const auto& h : d.history) {
    json::object e{{"seq", h.seq},          {"at", format_beijing(h.at_ms)},
                   {"actor", h.actor},      {"kind", h.kind},
                   {"from", h.from_state.empty() ? json::value(nullptr) : json::value(h.from_state)},
                   {"to", h.to_state},      {"lead", h.lead},
                   {"message", json::object{{"source", h.message_source}, {"id", h.message_id}}}};
    if (!h.note.empty()) e["note"] = h.note;
    history.push_back(std::move(e));
  }
  o["history"] = std::move(history);
  o["details"] = opening_details(d, member, policy);
  return o;
}

}  // namespace sixlink::cases
