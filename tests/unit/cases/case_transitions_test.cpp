// The case state machine (gateway/cases/case_transitions.h): every legal move of the
// README's table, and a table of illegal ones with the state and field they name.
#include <gtest/gtest.h>

#include "gateway/cases/case_transitions.h"

namespace sixlink::cases {
namespace {

// A case opened by kunshan, led by taicang; baoshan received its messages.
CaseSnapshot snapshot(const std::string& status, bool actor_is_party = true) {
  CaseSnapshot c;
  c.link = "joint_mediation";
  c.origin = "kunshan";
  c.lead = "taicang";
  c.status = status;
  c.deadline_ms = 1000;
  c.closure_criteria = "双方签署调解协议";
  c.actor_is_party = actor_is_party;
  return c;
}

store::CaseEvent event(const std::string& kind, const std::string& actor, const std::string& status = "",
                       const std::string& lead = "") {
  store::CaseEvent e;
  e.case_id = "kunshan:2026-1";
  e.link = "joint_mediation";
  e.kind = kind;
  e.actor = actor;
  e.status = status;
  e.lead = lead;
  return e;
}

struct Legal {
  const char* from;  // "" = no case yet
  const char* kind;
  const char* actor;
  const char* status;
  const char* lead;
  const char* to;
  const char* new_lead;
};

class LegalTransition : public ::testing::TestWithParam<Legal> {};

TEST_P(LegalTransition, IsAllowed) {
  const Legal& l = GetParam();
  std::optional<CaseSnapshot> current;
  if (*l.from) current = snapshot(l.from);
  Transition t = decide(current, event(l.kind, l.actor, l.status, l.lead));
  ASSERT_TRUE(t.legal) << l.from << " " << l.kind << " by " << l.actor << ": " << t.refusal.message;
  EXPECT_EQ(t.to_state, l.to);
  EXPECT_EQ(t.new_lead, l.new_lead);
}

INSTANTIATE_TEST_SUITE_P(
    CasesStateMachine, LegalTransition,
    ::testing::Values(
        Legal{"", "case.open", "kunshan", "", "", "open", "kunshan"},
        Legal{"", "case.open", "kunshan", "open", "taicang", "open", "taicang"},
        Legal{"open", "case.update", "taicang", "accepted", "", "accepted", "taicang"},
        Legal{"open", "case.update", "taicang", "rejected", "", "rejected", "taicang"},
        Legal{"open", "case.update", "kunshan", "", "", "open", "taicang"},          // a note
        Legal{"open", "case.update", "baoshan", "open", "taicang", "open", "taicang"},  // same state
        Legal{"open", "case.transfer", "taicang", "transferred", "baoshan", "transferred", "baoshan"},
        Legal{"transferred", "case.update", "taicang", "accepted", "", "accepted", "taicang"},
        Legal{"transferred", "case.update", "taicang", "rejected", "", "rejected", "taicang"},
        Legal{"transferred", "case.transfer", "taicang", "", "jiading", "transferred", "jiading"},
        Legal{"accepted", "case.update", "taicang", "in_progress", "", "in_progress", "taicang"},
        Legal{"accepted", "case.update", "taicang", "resolved", "", "resolved", "taicang"},
        Legal{"accepted", "case.transfer", "taicang", "", "kunshan", "transferred", "kunshan"},
        Legal{"in_progress", "case.update", "taicang", "resolved", "", "resolved", "taicang"},
        Legal{"in_progress", "case.update", "kunshan", "", "", "in_progress", "taicang"},
        Legal{"in_progress", "case.transfer", "taicang", "", "baoshan", "transferred", "baoshan"},
        Legal{"resolved", "case.update", "kunshan", "in_progress", "", "in_progress", "taicang"},  // reopened by origin
        Legal{"resolved", "case.update", "taicang", "in_progress", "", "in_progress", "taicang"},
        Legal{"resolved", "case.close", "taicang", "closed", "", "closed", "taicang"},
        Legal{"resolved", "case.close", "taicang", "", "", "closed", "taicang"}));

struct Illegal {
  const char* name;
  const char* from;  // "" = no case yet
  const char* kind;
  const char* actor;
  const char* status;
  const char* lead;
  const char* state;  // the state the refusal names
  const char* field;
};

class IllegalTransition : public ::testing::TestWithParam<Illegal> {};

TEST_P(IllegalTransition, IsRefusedNamingTheState) {
  const Illegal& l = GetParam();
  std::optional<CaseSnapshot> current;
  if (*l.from) current = snapshot(l.from);
  Transition t = decide(current, event(l.kind, l.actor, l.status, l.lead));
  ASSERT_FALSE(t.legal) << l.name;
  EXPECT_EQ(t.refusal.state, l.state) << l.name;
  EXPECT_EQ(t.refusal.field, l.field) << l.name;
  EXPECT_FALSE(t.refusal.message.empty()) << l.name;
}

INSTANTIATE_TEST_SUITE_P(
    CasesStateMachine, IllegalTransition,
    ::testing::Values(
        Illegal{"close_never_opened", "", "case.close", "taicang", "", "", "none", "case_id"},
        Illegal{"update_never_opened", "", "case.update", "kunshan", "", "", "none", "case_id"},
        Illegal{"transfer_never_opened", "", "case.transfer", "kunshan", "", "baoshan", "none", "case_id"},
        Illegal{"open_twice", "open", "case.open", "kunshan", "", "", "open", "case_id"},
        Illegal{"close_by_origin", "resolved", "case.close", "kunshan", "", "", "resolved", "source"},
        Illegal{"close_by_recipient", "resolved", "case.close", "baoshan", "", "", "resolved", "source"},
        Illegal{"close_before_resolved", "in_progress", "case.close", "taicang", "", "", "in_progress", "kind"},
        Illegal{"close_open", "open", "case.close", "taicang", "", "", "open", "kind"},
        Illegal{"update_after_close", "closed", "case.update", "taicang", "", "", "closed", "kind"},
        Illegal{"note_after_close", "closed", "case.update", "kunshan", "", "", "closed", "kind"},
        Illegal{"close_twice", "closed", "case.close", "taicang", "", "", "closed", "kind"},
        Illegal{"update_after_reject", "rejected", "case.update", "taicang", "accepted", "", "rejected", "kind"},
        Illegal{"accept_by_origin", "open", "case.update", "kunshan", "accepted", "", "open", "body.status"},
        Illegal{"accept_twice", "accepted", "case.update", "taicang", "open", "", "accepted", "body.status"},
        Illegal{"resolve_unaccepted", "open", "case.update", "taicang", "resolved", "", "open", "body.status"},
        Illegal{"progress_unaccepted", "open", "case.update", "taicang", "in_progress", "", "open", "body.status"},
        Illegal{"reject_accepted", "accepted", "case.update", "taicang", "rejected", "", "accepted", "body.status"},
        Illegal{"close_by_update", "resolved", "case.update", "taicang", "closed", "", "resolved", "body.status"},
        Illegal{"transfer_by_update", "open", "case.update", "taicang", "transferred", "", "open", "body.status"},
        Illegal{"lead_change_by_update", "open", "case.update", "taicang", "", "baoshan", "open", "body.lead.jurisdiction"},
        Illegal{"transfer_by_origin", "open", "case.transfer", "kunshan", "", "baoshan", "open", "source"},
        Illegal{"transfer_to_itself", "open", "case.transfer", "taicang", "", "taicang", "open", "body.lead.jurisdiction"},
        Illegal{"transfer_resolved", "resolved", "case.transfer", "taicang", "", "baoshan", "resolved", "kind"},
        Illegal{"transfer_closed", "closed", "case.transfer", "taicang", "", "baoshan", "closed", "kind"},
        Illegal{"resolve_by_origin", "in_progress", "case.update", "kunshan", "resolved", "", "in_progress", "body.status"}),
    [](const ::testing::TestParamInfo<Illegal>& info) { return std::string(info.param.name); });

TEST(CasesStateMachine, ANonPartyIsRefusedWithoutBeingToldTheState) {
  Transition t = decide(snapshot("open", false), event("case.update", "jiading", "", ""));
  ASSERT_FALSE(t.legal);
  EXPECT_EQ(t.refusal.state, "");
  EXPECT_EQ(t.refusal.field, "case_id");
  // Opening a case id that is taken tells a non-party that much, and nothing more.
  for (const char* status : {"open", "in_progress", "closed"}) {
    Transition open = decide(snapshot(status, false), event("case.open", "jiading", "", ""));
    ASSERT_FALSE(open.legal);
    EXPECT_EQ(open.refusal.state, "") << status;
    EXPECT_EQ(open.refusal.field, "case_id");
    EXPECT_EQ(open.refusal.message.find(status), std::string::npos) << open.refusal.message;
  }
}

TEST(CasesStateMachine, AnotherLinkIsRefused) {
  store::CaseEvent e = event("case.update", "taicang", "accepted");
  e.link = "joint_governance";
  Transition t = decide(snapshot("open"), e);
  ASSERT_FALSE(t.legal);
  EXPECT_EQ(t.refusal.field, "link");
}

TEST(CasesStateMachine, OnlyTheLeadMovesTheDeadlineOrTheClosureStandard) {
  store::CaseEvent e = event("case.update", "kunshan");
  e.deadline_ms = 2000;
  EXPECT_EQ(decide(snapshot("accepted"), e).refusal.field, "body.deadline");
  e.deadline_ms = 1000;  // unchanged: a note may repeat it
  EXPECT_TRUE(decide(snapshot("accepted"), e).legal);
  e.closure_criteria = "另一标准";
  EXPECT_EQ(decide(snapshot("accepted"), e).refusal.field, "body.closure_criteria");
  e.actor = "taicang";
  EXPECT_TRUE(decide(snapshot("accepted"), e).legal);
}

TEST(CasesStateMachine, FinalStates) {
  EXPECT_TRUE(is_final_state("closed"));
  EXPECT_TRUE(is_final_state("rejected"));
  for (const char* s : {"open", "accepted", "in_progress", "resolved", "transferred"}) EXPECT_FALSE(is_final_state(s));
}

}  // namespace
}  // namespace sixlink::cases
