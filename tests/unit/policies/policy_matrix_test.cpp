// The shipped policy (policies/six-link.yaml) as a matrix: every (sender, link, recipient)
// combination of the four members, with the outcome read off the YAML by hand, and the
// recipients of representative messages routed without explicit recipients.
//
// The expectations are written out, not computed: when the shipped policy changes on
// purpose, this table changes with it, row by row, in the same review.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/envelope.h"
#include "policies/policy.h"

namespace sixlink {
namespace {

namespace json = boost::json;
using Names = std::vector<std::string>;

constexpr const char* kAdmitted = "admitted";

class PolicyMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* ids[] = {"taicang", "baoshan", "jiading", "kunshan"};
    const char* regions[] = {"320585", "310113", "310114", "320583"};
    for (int i = 0; i < 4; ++i) {
      MemberConfig m;
      m.id = ids[i];
      m.name = ids[i];
      m.region_code = regions[i];
      m.identity = std::string(ids[i]) + ".sixlink.local";
      m.adapter = "sixlink";
      config.members.push_back(m);
    }
    config.id = "taicang";
    config.policies = std::string(SIXLINK_SOURCE_DIR) + "/policies/six-link.yaml";
    PolicyLoadResult r = load_policy(config);
    for (const auto& e : r.errors) ADD_FAILURE() << e;
    policy = r.policy;
    ASSERT_TRUE(policy);
  }

  // The body of a valid message of `kind`.
  static json::object body_of(const std::string& kind, const std::string& border_line = "south_line",
                              const std::string& severity = "Moderate") {
    if (kind == "alert")
      return json::object{{"identifier", "A-1"}, {"sender", "sixlink"}, {"sent", "2026-11-26T09:30:00+08:00"},
                          {"status", "Actual"}, {"msgType", "Alert"}, {"scope", "Public"},
                          {"info", json::array{json::object{{"category", json::array{"Met"}}, {"event", "暴雨"},
                                                            {"urgency", "Immediate"}, {"severity", severity},
                                                            {"certainty", "Likely"}}}}};
    if (kind.starts_with("case."))
      return json::object{{"title", "界河垃圾倾倒"}, {"status", "open"},
                          {"parties", json::array{json::object{{"name", "张三"}, {"id_number", "310113199001011234"}}}}};
    if (kind.starts_with("patrol."))
      return json::object{{"unit", "联防巡逻组"}, {"border_line", border_line},
                          {"position", json::object{{"lat", 31.49}, {"lon", 121.31}}}};
    return json::object{{"title", "六联 " + kind}};
  }

  static Envelope message(const std::string& source, const std::string& link, const std::string& kind,
                          std::optional<Names> to, Names regions, json::object body) {
    static int n = 0;
    Envelope e;
    e.id = "M-" + std::to_string(++n);
    e.source = source;
    e.link = link;
    e.kind = kind;
    e.created_at = "2026-11-26T09:30:00+08:00";
    e.recipients = std::move(to);
    if (kind.starts_with("case.")) e.case_id = source + ":2026-1126-" + std::to_string(n);
    e.region_codes = std::move(regions);
    e.body = std::move(body);
    auto err = validate_envelope(e);
    EXPECT_FALSE(err.has_value()) << "invalid test message: " << (err ? err->field + " " + err->message : "");
    return e;
  }

  static std::string outcome(const PolicyDecision& d) {
    if (!d.denial) return kAdmitted;
    return std::to_string(d.denial->status) + " " + d.denial->rule;
  }

  GatewayConfig config;
  std::shared_ptr<const Policy> policy;
};

// The kind each link is exercised with: one every partner may send where the YAML
// restricts kinds (partners send joint_meeting/meeting.minutes and
// joint_safety/safety.indicator only).
std::string representative_kind(const std::string& link) {
  if (link == "joint_meeting") return "meeting.minutes";
  if (link == "info_sharing") return "alert";
  if (link == "joint_mediation") return "case.open";
  if (link == "joint_patrol") return "patrol.position";
  if (link == "joint_governance") return "case.open";
  return "safety.indicator";  // joint_safety
}

struct MatrixRow {
  const char* sender;
  const char* link;
  const char* recipient;
  std::string expected;  // "admitted" or "<status> <rule>"
};

// Read off six-link.yaml:
// - taicang sends and receives "*";
// - baoshan and jiading send every link (meeting.minutes and safety.indicator only of
//   joint_meeting and joint_safety) and receive every link;
// - kunshan neither sends nor receives joint_governance.
const std::vector<MatrixRow> kMatrix = {
    {"taicang", "joint_meeting", "baoshan", kAdmitted},
    {"taicang", "joint_meeting", "jiading", kAdmitted},
    {"taicang", "joint_meeting", "kunshan", kAdmitted},
    {"taicang", "info_sharing", "baoshan", kAdmitted},
    {"taicang", "info_sharing", "jiading", kAdmitted},
    {"taicang", "info_sharing", "kunshan", kAdmitted},
    {"taicang", "joint_mediation", "baoshan", kAdmitted},
    {"taicang", "joint_mediation", "jiading", kAdmitted},
    {"taicang", "joint_mediation", "kunshan", kAdmitted},
    {"taicang", "joint_patrol", "baoshan", kAdmitted},
    {"taicang", "joint_patrol", "jiading", kAdmitted},
    {"taicang", "joint_patrol", "kunshan", kAdmitted},
    {"taicang", "joint_governance", "baoshan", kAdmitted},
    {"taicang", "joint_governance", "jiading", kAdmitted},
    {"taicang", "joint_governance", "kunshan", "403 members.kunshan.receive"},
    {"taicang", "joint_safety", "baoshan", kAdmitted},
    {"taicang", "joint_safety", "jiading", kAdmitted},
    {"taicang", "joint_safety", "kunshan", kAdmitted},

    {"baoshan", "joint_meeting", "taicang", kAdmitted},
    {"baoshan", "joint_meeting", "jiading", kAdmitted},
    {"baoshan", "joint_meeting", "kunshan", kAdmitted},
    {"baoshan", "info_sharing", "taicang", kAdmitted},
    {"baoshan", "info_sharing", "jiading", kAdmitted},
    {"baoshan", "info_sharing", "kunshan", kAdmitted},
    {"baoshan", "joint_mediation", "taicang", kAdmitted},
    {"baoshan", "joint_mediation", "jiading", kAdmitted},
    {"baoshan", "joint_mediation", "kunshan", kAdmitted},
    {"baoshan", "joint_patrol", "taicang", kAdmitted},
    {"baoshan", "joint_patrol", "jiading", kAdmitted},
    {"baoshan", "joint_patrol", "kunshan", kAdmitted},
    {"baoshan", "joint_governance", "taicang", kAdmitted},
    {"baoshan", "joint_governance", "jiading", kAdmitted},
    {"baoshan", "joint_governance", "kunshan", "403 members.kunshan.receive"},
    {"baoshan", "joint_safety", "taicang", kAdmitted},
    {"baoshan", "joint_safety", "jiading", kAdmitted},
    {"baoshan", "joint_safety", "kunshan", kAdmitted},

    {"jiading", "joint_meeting", "taicang", kAdmitted},
    {"jiading", "joint_meeting", "baoshan", kAdmitted},
    {"jiading", "joint_meeting", "kunshan", kAdmitted},
    {"jiading", "info_sharing", "taicang", kAdmitted},
    {"jiading", "info_sharing", "baoshan", kAdmitted},
    {"jiading", "info_sharing", "kunshan", kAdmitted},
    {"jiading", "joint_mediation", "taicang", kAdmitted},
    {"jiading", "joint_mediation", "baoshan", kAdmitted},
    {"jiading", "joint_mediation", "kunshan", kAdmitted},
    {"jiading", "joint_patrol", "taicang", kAdmitted},
    {"jiading", "joint_patrol", "baoshan", kAdmitted},
    {"jiading", "joint_patrol", "kunshan", kAdmitted},
    {"jiading", "joint_governance", "taicang", kAdmitted},
    {"jiading", "joint_governance", "baoshan", kAdmitted},
    {"jiading", "joint_governance", "kunshan", "403 members.kunshan.receive"},
    {"jiading", "joint_safety", "taicang", kAdmitted},
    {"jiading", "joint_safety", "baoshan", kAdmitted},
    {"jiading", "joint_safety", "kunshan", kAdmitted},

    {"kunshan", "joint_meeting", "taicang", kAdmitted},
    {"kunshan", "joint_meeting", "baoshan", kAdmitted},
    {"kunshan", "joint_meeting", "jiading", kAdmitted},
    {"kunshan", "info_sharing", "taicang", kAdmitted},
    {"kunshan", "info_sharing", "baoshan", kAdmitted},
    {"kunshan", "info_sharing", "jiading", kAdmitted},
    {"kunshan", "joint_mediation", "taicang", kAdmitted},
    {"kunshan", "joint_mediation", "baoshan", kAdmitted},
    {"kunshan", "joint_mediation", "jiading", kAdmitted},
    {"kunshan", "joint_patrol", "taicang", kAdmitted},
    {"kunshan", "joint_patrol", "baoshan", kAdmitted},
    {"kunshan", "joint_patrol", "jiading", kAdmitted},
    {"kunshan", "joint_governance", "taicang", "403 members.kunshan.send"},
    {"kunshan", "joint_governance", "baoshan", "403 members.kunshan.send"},
    {"kunshan", "joint_governance", "jiading", "403 members.kunshan.send"},
    {"kunshan", "joint_safety", "taicang", kAdmitted},
    {"kunshan", "joint_safety", "baoshan", kAdmitted},
    {"kunshan", "joint_safety", "jiading", kAdmitted},
};

TEST_F(PolicyMatrixTest, EverySenderLinkAndRecipientOfTheShippedPolicy) {
  ASSERT_EQ(kMatrix.size(), 4u * 6u * 3u);
  std::set<std::string> covered;
  for (const auto& row : kMatrix) {
    covered.insert(std::string(row.sender) + "/" + row.link + "/" + row.recipient);
    const std::string kind = representative_kind(row.link);
    Envelope e = message(row.sender, row.link, kind, Names{row.recipient}, {"320585"}, body_of(kind));
    PolicyDecision d = policy->admit(e, to_json_text(e).size());
    EXPECT_EQ(outcome(d), row.expected) << row.sender << " -> " << row.recipient << " " << row.link << "/" << kind;
    if (!d.denial) {
      ASSERT_EQ(d.recipients.size(), 1u);
      EXPECT_EQ(d.recipients[0].member, row.recipient);
    } else {
      EXPECT_EQ(d.denial->code, "policy_denied");
      EXPECT_EQ(d.metric_rule, row.expected.ends_with(".send") ? kRuleSend : kRuleReceive);
    }
  }
  for (const auto& s : {"taicang", "baoshan", "jiading", "kunshan"})
    for (const auto& l : link_ids())
      for (const auto& r : {"taicang", "baoshan", "jiading", "kunshan"}) {
        if (std::string(s) == r) continue;
        EXPECT_TRUE(covered.count(std::string(s) + "/" + l + "/" + r)) << s << " " << l << " " << r;
      }
}

// The kinds a partner may not send even on a link it may use.
TEST_F(PolicyMatrixTest, KindRestrictionsOfTheShippedPolicy) {
  struct Row {
    const char* sender;
    const char* link;
    const char* kind;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"baoshan", "joint_meeting", "meeting.notice", "403 members.baoshan.send"},
      {"jiading", "joint_meeting", "meeting.notice", "403 members.jiading.send"},
      {"kunshan", "joint_meeting", "meeting.notice", "403 members.kunshan.send"},
      {"baoshan", "joint_safety", "safety.campaign", "403 members.baoshan.send"},
      {"jiading", "joint_safety", "safety.campaign", "403 members.jiading.send"},
      {"kunshan", "joint_safety", "safety.campaign", "403 members.kunshan.send"},
      {"taicang", "joint_meeting", "meeting.notice", kAdmitted},
      {"taicang", "joint_safety", "safety.campaign", kAdmitted},
      {"kunshan", "info_sharing", "bulletin", kAdmitted},
      {"baoshan", "joint_governance", "case.transfer", kAdmitted},
      {"kunshan", "joint_patrol", "patrol.incident", kAdmitted},
  };
  for (const auto& r : rows) {
    std::string to = std::string(r.sender) == "taicang" ? "baoshan" : "taicang";
    json::object body = body_of(r.kind);
    if (std::string(r.kind) == "case.transfer") body["lead"] = json::object{{"jurisdiction", "taicang"}};
    if (std::string(r.kind) == "patrol.incident") body["incident"] = json::object{{"type", "dumping"}};
    Envelope e = message(r.sender, r.link, r.kind, Names{to}, {"320585"}, std::move(body));
    EXPECT_EQ(outcome(policy->admit(e, 500)), r.expected) << r.sender << " " << r.kind;
  }
}

struct RouteRow {
  const char* what;
  const char* sender;
  const char* link;
  const char* kind;
  Names regions;
  std::string border_line;
  std::string severity;
  Names expected;  // in configuration order; empty: refused, see expected_rule
  std::string expected_rule = "";
};

// Read off the routing section of six-link.yaml (recipients never include the sender and
// only members that may receive the link and kind).
const std::vector<RouteRow> kRoutes = {
    {"severe alert from kunshan", "kunshan", "info_sharing", "alert", {"320583"}, "", "Severe",
     {"taicang", "baoshan", "jiading"}},
    {"extreme alert from taicang", "taicang", "info_sharing", "alert", {"320585"}, "", "Extreme",
     {"baoshan", "jiading", "kunshan"}},
    {"minor alert concerning 310114, from kunshan", "kunshan", "info_sharing", "alert", {"310114"}, "", "Minor",
     {"taicang", "jiading"}},
    {"minor alert concerning its own region, from baoshan", "baoshan", "info_sharing", "alert", {"310113"}, "",
     "Minor", {"taicang"}},
    {"bulletin from taicang concerning 320583", "taicang", "info_sharing", "bulletin", {"320583"}, "", "",
     {"kunshan"}},
    {"bulletin from taicang concerning no partner", "taicang", "info_sharing", "bulletin", {"320585"}, "", "",
     {}, "422 routing.alerts-to-the-regions-concerned"},
    {"south_line patrol from baoshan", "baoshan", "joint_patrol", "patrol.position", {"310113"}, "south_line", "",
     {"taicang", "jiading"}},
    {"west_line patrol from kunshan", "kunshan", "joint_patrol", "patrol.position", {"320583"}, "west_line", "",
     {"taicang"}},
    {"west_line patrol from taicang", "taicang", "joint_patrol", "patrol.plan", {"320585"}, "west_line", "",
     {"kunshan"}},
    {"case from jiading concerning 310113", "jiading", "joint_mediation", "case.open", {"310113"}, "", "",
     {"taicang", "baoshan"}},
    {"governance case from baoshan concerning 320583", "baoshan", "joint_governance", "case.open", {"320583"}, "",
     "", {"taicang"}},
    {"meeting minutes from baoshan", "baoshan", "joint_meeting", "meeting.minutes", {"310113"}, "", "",
     {"taicang", "jiading", "kunshan"}},
    {"safety indicator from kunshan", "kunshan", "joint_safety", "safety.indicator", {}, "", "",
     {"taicang", "baoshan", "jiading"}},
};

TEST_F(PolicyMatrixTest, RoutingOfMessagesWithoutRecipients) {
  for (const auto& r : kRoutes) {
    Envelope e = message(r.sender, r.link, r.kind, std::nullopt, r.regions,
                         body_of(r.kind, r.border_line, r.severity.empty() ? "Moderate" : r.severity));
    PolicyDecision d = policy->admit(e, to_json_text(e).size());
    if (r.expected.empty()) {
      EXPECT_EQ(outcome(d), r.expected_rule) << r.what;
      continue;
    }
    ASSERT_FALSE(d.denial) << r.what << ": " << outcome(d);
    Names got;
    for (const auto& v : d.recipients) got.push_back(v.member);
    EXPECT_EQ(got, r.expected) << r.what;
  }
}

// Shipped redaction: partners (clearance internal) see restricted cases masked; the hub does not.
TEST_F(PolicyMatrixTest, ShippedRedactionMasksRestrictedCasesForPartnersOnly) {
  json::object body = body_of("case.open");
  body["location"] = json::object{{"region_code", "310113"}, {"address", "宝山区罗泾镇界河村12号"}};
  Envelope e = message("jiading", "joint_mediation", "case.open", std::nullopt, {"310113"}, std::move(body));
  e.classification = "restricted";
  PolicyDecision d = policy->admit(e, 500);
  ASSERT_FALSE(d.denial) << outcome(d);
  ASSERT_EQ(d.recipients.size(), 2u);
  EXPECT_EQ(d.recipients[0].member, "taicang");
  EXPECT_FALSE(d.recipients[0].redacted);
  EXPECT_EQ(d.recipients[1].member, "baoshan");
  ASSERT_EQ(d.recipients[1].redactions.size(), 2u);
  EXPECT_EQ(d.recipients[1].redactions[0].rule, "personal-data");
  EXPECT_EQ(d.recipients[1].redactions[0].fields, (Names{"body.parties[0].id_number"}));
  EXPECT_EQ(d.recipients[1].redactions[1].rule, "exact-address-of-restricted-cases");
  EXPECT_EQ(d.recipients[1].redactions[1].fields, (Names{"body.location.address"}));
}

TEST_F(PolicyMatrixTest, ShippedLimits) {
  EXPECT_EQ(policy->rate_limit("taicang").per_second, 500);
  EXPECT_EQ(policy->rate_limit("taicang").burst, 1000);
  for (const char* m : {"baoshan", "jiading", "kunshan"}) {
    EXPECT_EQ(policy->rate_limit(m).per_second, 100) << m;
    EXPECT_EQ(policy->rate_limit(m).burst, 200) << m;
  }
  Envelope pos = message("baoshan", "joint_patrol", "patrol.position", Names{"taicang"}, {}, body_of("patrol.position"));
  EXPECT_EQ(outcome(policy->admit(pos, 16384)), kAdmitted);
  EXPECT_EQ(outcome(policy->admit(pos, 16385)), "413 limits.max_body_bytes.patrol.position");
  Envelope ind = message("baoshan", "joint_safety", "safety.indicator", Names{"taicang"}, {}, body_of("safety.indicator"));
  EXPECT_EQ(outcome(policy->admit(ind, 65537)), "413 limits.max_body_bytes.safety.indicator");
}

}  // namespace
}  // namespace sixlink
