// The case state machine. See case_transitions.h and the table in README.md.
#include "gateway/cases/case_transitions.h"

namespace sixlink::cases {
namespace {

Transition refuse(std::string state, std::string field, std::string message) {
  Transition t;
  t.refusal = store::CaseRefusal{std::move(state), std::move(field), std::move(message)};
  return t;
}

Transition allow(std::string to_state, std::string lead) {
  Transition t;
  t.legal = true;
  t.to_state = std::move(to_state);
  t.new_lead = std::move(lead);
  return t;
}

bool in(std::string_view s, std::initializer_list<std::string_view> states) {
  for (auto x : states)
    if (s == x) return true;
  return false;
}

Transition decide_open(const std::optional<CaseSnapshot>& current, const store::CaseEvent& e) {
  // A non-party learns that the id is taken, and nothing of the case.
  if (current && !current->actor_is_party)
    return refuse("", "case_id", "case " + e.case_id + " already exists");
  if (current)
    return refuse(current->status, "case_id",
                  "case " + e.case_id + " already exists (state " + current->status + ")");
  return allow(kOpen, e.lead.empty() ? e.actor : e.lead);
}

// Only the lead may change what the lead owns: the deadline and the closure standard.
std::optional<Transition> check_owned_fields(const CaseSnapshot& c, const store::CaseEvent& e,
                                             bool by_lead) {
  if (by_lead) return std::nullopt;
  if (e.deadline_ms && e.deadline_ms != c.deadline_ms)
    return refuse(c.status, "body.deadline", "only the lead (" + c.lead + ") sets the deadline");
  if (e.closure_criteria && *e.closure_criteria != c.closure_criteria)
    return refuse(c.status, "body.closure_criteria",
                  "only the lead (" + c.lead + ") sets the closure standard");
  return std::nullopt;
}

Transition decide_update(const CaseSnapshot& c, const store::CaseEvent& e) {
  const bool by_lead = e.actor == c.lead;
  if (!e.lead.empty() && e.lead != c.lead)
    return refuse(c.status, "body.lead.jurisdiction",
                  "the lead is " + c.lead + "; a new lead is named by case.transfer");
  if (auto bad = check_owned_fields(c, e, by_lead)) return *bad;
  const std::string& to = e.status;
  if (to.empty() || to == c.status) return allow(c.status, c.lead);  // a progress note
  auto lead_only = [&](std::initializer_list<std::string_view> from) {
    if (!in(c.status, from))
      return refuse(c.status, "body.status", "a case in state " + c.status + " cannot become " + to);
    if (!by_lead)
      return refuse(c.status, "body.status", "only the lead (" + c.lead + ") may set " + to);
    return allow(to, c.lead);
  };
  if (to == kAccepted || to == kRejected) return lead_only({kOpen, kTransferred});
  if (to == kResolved) return lead_only({kAccepted, kInProgress});
  if (to == kInProgress) {
    // The origin may reopen a resolved case whose closure standard is not met.
    if (c.status == kResolved && e.actor == c.origin) return allow(kInProgress, c.lead);
    return lead_only({kAccepted, kResolved});
  }
  const char* use = to == kClosed ? "case.close" : to == kTransferred ? "case.transfer" : nullptr;
  if (use) return refuse(c.status, "body.status", std::string("a case becomes ") + to + " by " + use);
  return refuse(c.status, "body.status", "a case in state " + c.status + " cannot become " + to);
}

Transition decide_transfer(const CaseSnapshot& c, const store::CaseEvent& e) {
  if (e.actor != c.lead)
    return refuse(c.status, "source", "only the lead (" + c.lead + ") may transfer the case");
  if (!in(c.status, {kOpen, kAccepted, kInProgress, kTransferred}))
    return refuse(c.status, "kind", "a case in state " + c.status + " cannot be transferred");
  if (e.lead.empty() || e.lead == c.lead)
    return refuse(c.status, "body.lead.jurisdiction", "a transfer names another member as the lead");
  return allow(kTransferred, e.lead);
}

Transition decide_close(const CaseSnapshot& c, const store::CaseEvent& e) {
  if (e.actor != c.lead)
    return refuse(c.status, "source", "only the lead (" + c.lead + ") may close the case");
  if (c.status != kResolved)
    return refuse(c.status, "kind",
                  "a case is closed once resolved; this one is " + c.status);
  return allow(kClosed, c.lead);
}

}  // namespace

bool is_final_state(std::string_view state) { return state == kClosed || state == kRejected; }

Transition decide(const std::optional<CaseSnapshot>& current, const store::CaseEvent& e) {
  if (e.kind == "case.open") return decide_open(current, e);
  if (!current)
    return refuse(kNone, "case_id", "case " + e.case_id + " was never opened");
  const CaseSnapshot& c = *current;
  // A non-party learns nothing of the case, not even its state.
  if (!c.actor_is_party) return refuse("", "case_id", e.actor + " is not a party to case " + e.case_id);
  if (e.link != c.link)
    return refuse(c.status, "link", "case " + e.case_id + " belongs to link " + c.link);
  if (is_final_state(c.status))
    return refuse(c.status, "kind", "case " + e.case_id + " is " + c.status + "; nothing changes it");
  if (e.kind == "case.update") return decide_update(c, e);
  if (e.kind == "case.transfer") return decide_transfer(c, e);
  if (e.kind == "case.close") return decide_close(c, e);
  return refuse(c.status, "kind", "not a case kind: " + e.kind);
}

}  // namespace sixlink::cases
