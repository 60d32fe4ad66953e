// Tests of the six-link policy engine (policies/): each rule type of policies/README.md on
// small policies written to a temp dir and loaded through load_policy, as the gateway does;
// then the loader's errors, each with its exact line and key.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/core/envelope.h"
#include "policies/policy.h"
#include "tests/support/pki.h"

namespace sixlink {
namespace {

namespace json = boost::json;
using Names = std::vector<std::string>;

// Every member may send and receive everything; tests add routing, redaction and limits.
const std::string kOpenMembers =
    "version: 1\nmembers:\n"
    "  taicang: {send: [\"*\"], receive: [\"*\"], clearance: restricted, border_lines: [south_line, west_line]}\n"
    "  baoshan: {send: [\"*\"], receive: [\"*\"], border_lines: [south_line]}\n"
    "  jiading: {send: [\"*\"], receive: [\"*\"], clearance: public, border_lines: [south_line]}\n"
    "  kunshan: {send: [\"*\"], receive: [\"*\"], border_lines: [west_line]}\n";

class SixLinkPolicyTest : public ::testing::Test {
 protected:
  SixLinkPolicyTest() : dir("sixlink-policy-") {
    const char* ids[] = {"taicang", "baoshan", "jiading", "kunshan"};
    const char* regions[] = {"320585", "310113", "310114", "320583"};
    for (int i = 0; i < 4; ++i)
      config.members.push_back({ids[i], ids[i], regions[i], std::string(ids[i]) + ".sixlink.local", "sixlink", {}});
    config.id = "taicang";
    config.policies = dir.file("policy.yaml");
  }

  PolicyLoadResult load_text(const std::string& yaml) {
    std::ofstream(config.policies) << yaml;
    return load_policy(config);
  }
  // Loads a policy that must be valid; fails the test (and returns null) otherwise.
  std::shared_ptr<const Policy> load(const std::string& yaml) {
    PolicyLoadResult r = load_text(yaml);
    for (const auto& e : r.errors) ADD_FAILURE() << e;
    return r.policy;
  }

  // A valid envelope (checked with the ingest path's own validation).
  static Envelope envelope(const std::string& source, const std::string& link, const std::string& kind,
                           json::object body, Names regions = {}, std::optional<Names> to = std::nullopt,
                           const std::string& classification = "internal") {
    static int n = 0;
    Envelope e{.id = "T-" + std::to_string(++n), .source = source, .link = link, .kind = kind,
               .created_at = "2026-11-26T09:30:00+08:00", .recipients = std::move(to),
               .classification = classification,
               .case_id = kind.starts_with("case.") ? std::optional<std::string>("taicang:1126-01") : std::nullopt,
               .patrol_id = std::nullopt, .region_codes = std::move(regions), .body = std::move(body)};
    auto err = validate_envelope(e);
    EXPECT_FALSE(err.has_value()) << "test envelope is invalid: " << (err ? err->field + " " + err->message : "");
    return e;
  }
  static json::object alert_body(Names severities) {
    json::array info;
    for (const auto& s : severities)
      info.push_back(json::object{{"category", json::array{"Met"}}, {"event", "暴雨"}, {"urgency", "Immediate"},
                                  {"severity", s}, {"certainty", "Likely"},
                                  {"area", json::array{json::object{{"areaDesc", "昆山市花桥镇徐公桥村"}}}}});
    return json::object{{"identifier", "A-1"}, {"sender", "kunshan@sixlink"}, {"sent", "2026-11-26T09:30:00+08:00"},
                        {"status", "Actual"}, {"msgType", "Alert"}, {"scope", "Public"}, {"info", std::move(info)}};
  }
  static Envelope alert(const std::string& source, const std::string& severity, Names regions = {"320583"},
                        std::optional<Names> to = std::nullopt) {
    return envelope(source, "info_sharing", "alert", alert_body({severity}), std::move(regions), std::move(to));
  }
  static Envelope case_open(const std::string& source, const std::string& classification,
                            std::optional<Names> to = std::nullopt, Names regions = {"310113"}) {
    json::object body = json::parse(R"({"title":"邻里纠纷","location":{"region_code":"320585",
        "address":"太仓市浏河镇新闸村88号","lat":31.5162,"lon":121.2873},
        "parties":[{"name":"张三","role":"applicant","id_number":"310113199001011234","phone":"13800000000"},
                   {"name":"李四","role":"respondent","phone":"12345"}]})").as_object();
    return envelope(source, "joint_mediation", "case.open", std::move(body), std::move(regions), std::move(to),
                    classification);
  }
  static Envelope patrol(const std::string& source, const std::string& line) {
    json::object body{{"unit", "浏河派出所巡逻一组"}, {"position", json::object{{"lat", 31.49}, {"lon", 121.31}}}};
    if (!line.empty()) body["border_line"] = line;
    return envelope(source, "joint_patrol", "patrol.position", std::move(body), {"320585"});
  }
  static Names recipients(const PolicyDecision& d) {
    Names out;
    for (const auto& r : d.recipients) out.push_back(r.member);
    return out;
  }
  static std::string rule_of(const PolicyDecision& d) { return d.denial ? d.denial->rule : "(admitted)"; }

  testing::TempDir dir;
  GatewayConfig config;
};

// ---------------------------------------------------------------- permissions

TEST_F(SixLinkPolicyTest, SendPermissionByLink) {
  auto p = load(
      "version: 1\nrouting:\n  - {name: everyone, to: all}\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"]}\n  baoshan: {send: [info_sharing], receive: [\"*\"]}\n"
      "  jiading: {send: [], receive: [\"*\"]}\n  kunshan: {receive: [\"*\"]}\n");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->admit(alert("baoshan", "Minor"), 100).denial);
  PolicyDecision d = p->admit(case_open("baoshan", "internal", Names{"taicang"}), 100);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 403);
  EXPECT_EQ(d.denial->code, "policy_denied");
  EXPECT_EQ(d.denial->rule, "members.baoshan.send");
  EXPECT_EQ(d.metric_rule, kRuleSend);
  EXPECT_TRUE(d.recipients.empty());
  EXPECT_EQ(rule_of(p->admit(alert("jiading", "Minor"), 100)), "members.jiading.send") << "empty list: nothing";
  EXPECT_EQ(rule_of(p->admit(alert("kunshan", "Minor"), 100)), "members.kunshan.send") << "absent: nothing";
  EXPECT_EQ(rule_of(p->admit(case_open("taicang", "internal"), 100)), "(admitted)");
}

TEST_F(SixLinkPolicyTest, SendPermissionByLinkAndKind) {
  auto p = load(
      "version: 1\nrouting:\n  - {name: everyone, to: all}\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
      "  baoshan: {send: [joint_meeting/meeting.minutes, info_sharing/bulletin], receive: [\"*\"]}\n"
      "  jiading: {receive: [\"*\"]}\n  kunshan: {receive: [\"*\"]}\n");
  ASSERT_TRUE(p);
  json::object free_form{{"title", "第三次联席会议"}};
  EXPECT_FALSE(p->admit(envelope("baoshan", "joint_meeting", "meeting.minutes", free_form), 100).denial);
  EXPECT_FALSE(p->admit(envelope("baoshan", "info_sharing", "bulletin", free_form), 100).denial);
  PolicyDecision notice = p->admit(envelope("baoshan", "joint_meeting", "meeting.notice", free_form), 100);
  EXPECT_EQ(rule_of(notice), "members.baoshan.send");
  EXPECT_EQ(notice.metric_rule, kRuleSend);
  EXPECT_EQ(rule_of(p->admit(alert("baoshan", "Extreme"), 100)), "members.baoshan.send");
}

TEST_F(SixLinkPolicyTest, ExplicitRecipientsMustBeAllowedToReceive) {
  auto p = load(
      "version: 1\nmembers:\n  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
      "  baoshan: {send: [\"*\"], receive: [info_sharing]}\n  jiading: {send: [\"*\"], receive: []}\n"
      "  kunshan: {send: [\"*\"], receive: [info_sharing/alert]}\n");
  ASSERT_TRUE(p);
  PolicyDecision ok = p->admit(alert("taicang", "Minor", {"320583"}, Names{"kunshan", "baoshan"}), 100);
  EXPECT_FALSE(ok.denial) << "explicit recipients need no routing rule";
  EXPECT_EQ(recipients(ok), (Names{"kunshan", "baoshan"})) << "in the order the sender named them";
  json::object bulletin{{"title", "通报"}};
  PolicyDecision d = p->admit(envelope("taicang", "info_sharing", "bulletin", bulletin, {}, Names{"baoshan", "kunshan"}), 100);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 403);
  EXPECT_EQ(d.denial->rule, "members.kunshan.receive");
  EXPECT_EQ(d.metric_rule, kRuleReceive);
  EXPECT_EQ(rule_of(p->admit(alert("kunshan", "Minor", {"320583"}, Names{"jiading"}), 100)), "members.jiading.receive");
  EXPECT_EQ(rule_of(p->admit(case_open("kunshan", "internal", Names{"taicang", "baoshan"}), 100)),
            "members.baoshan.receive");
}

// The lead a case message names becomes a party that reads the case, personal data and
// all: it must be allowed to receive the message, whoever the recipients are.
TEST_F(SixLinkPolicyTest, NamedCaseLeadMustBeAllowedToReceive) {
  auto p = load(
      "version: 1\nmembers:\n  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
      "  baoshan: {send: [\"*\"], receive: [\"*\"]}\n  jiading: {send: [\"*\"], receive: [joint_mediation]}\n"
      "  kunshan: {send: [\"*\"], receive: [info_sharing]}\n");
  ASSERT_TRUE(p);
  auto led_by = [&](const std::string& kind, const std::string& lead) {
    Envelope e = case_open("baoshan", "internal", Names{"taicang"});
    e.kind = kind;
    e.body["lead"] = json::object{{"jurisdiction", lead}, {"unit", "调解中心"}};
    return p->admit(e, 100);
  };
  PolicyDecision d = led_by("case.open", "kunshan");
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 403);
  EXPECT_EQ(d.denial->code, "policy_denied");
  EXPECT_EQ(d.denial->rule, "members.kunshan.receive");
  EXPECT_EQ(d.metric_rule, kRuleReceive);
  EXPECT_TRUE(d.recipients.empty());
  EXPECT_EQ(rule_of(led_by("case.transfer", "kunshan")), "members.kunshan.receive");
  EXPECT_EQ(rule_of(led_by("case.update", "kunshan")), "members.kunshan.receive");
  EXPECT_EQ(rule_of(led_by("case.open", "jiading")), "(admitted)") << "jiading receives joint_mediation";
  EXPECT_EQ(rule_of(led_by("case.open", "baoshan")), "(admitted)") << "the sender may lead its own case";
  EXPECT_EQ(rule_of(led_by("case.open", "minhang")), "(admitted)")
      << "an unknown member id is the case checks' 400, not a policy denial";
  Envelope routed = case_open("baoshan", "internal", Names{"jiading"});
  routed.body["lead"] = json::object{{"jurisdiction", "kunshan"}};
  EXPECT_EQ(rule_of(p->admit(routed, 100)), "members.kunshan.receive") << "whoever the recipients are";
}

TEST_F(SixLinkPolicyTest, UnknownRecipientOrTheSenderItselfIs400NamingTheIndex) {
  auto p = load(kOpenMembers);
  ASSERT_TRUE(p);
  PolicyDecision d = p->admit(alert("kunshan", "Minor", {"320583"}, Names{"baoshan", "minhang"}), 100);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 400);
  EXPECT_EQ(d.denial->code, "invalid_field");
  EXPECT_EQ(d.denial->field, "recipients[1]");
  EXPECT_EQ(d.metric_rule, kRuleUnknownRecipient);
  PolicyDecision self = p->admit(alert("kunshan", "Minor", {"320583"}, Names{"kunshan"}), 100);
  ASSERT_TRUE(self.denial);
  EXPECT_EQ(self.denial->status, 400);
  EXPECT_EQ(self.denial->field, "recipients[0]");
  EXPECT_NE(self.denial->message.find("itself"), std::string::npos) << self.denial->message;
}

// ---------------------------------------------------------------- routing

TEST_F(SixLinkPolicyTest, RoutingToAllSkipsTheSenderAndMembersThatMayNotReceive) {
  auto p = load(
      "version: 1\nrouting:\n  - {name: everyone, to: all}\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"]}\n  baoshan: {receive: [info_sharing]}\n"
      "  jiading: {receive: [joint_patrol]}\n  kunshan: {send: [\"*\"], receive: [\"*\"]}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(alert("kunshan", "Minor"), 100)), (Names{"taicang", "baoshan"}));
  EXPECT_EQ(recipients(p->admit(patrol("taicang", "south_line"), 100)), (Names{"jiading", "kunshan"}));
}

TEST_F(SixLinkPolicyTest, RoutingToRegionUsesTheConfiguredRegionCodes) {
  auto p = load(kOpenMembers + "routing:\n  - {name: regions, to: region}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(alert("taicang", "Minor", {"320583", "310114"}), 100)), (Names{"jiading", "kunshan"}));
  EXPECT_EQ(recipients(p->admit(alert("kunshan", "Minor", {"320583", "320585"}), 100)), (Names{"taicang"}));
  PolicyDecision none = p->admit(alert("kunshan", "Minor", {"320583", "320581"}), 100);
  EXPECT_EQ(rule_of(none), "routing.regions") << "only the sender's own region and an unknown one";
}

TEST_F(SixLinkPolicyTest, RoutingToBorderLineUsesThePatrolsLine) {
  auto p = load(kOpenMembers + "routing:\n  - {name: along-the-line, to: border_line}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(patrol("taicang", "south_line"), 100)), (Names{"baoshan", "jiading"}));
  EXPECT_EQ(recipients(p->admit(patrol("baoshan", "south_line"), 100)), (Names{"taicang", "jiading"}));
  EXPECT_EQ(recipients(p->admit(patrol("taicang", "west_line"), 100)), (Names{"kunshan"}));
  EXPECT_EQ(recipients(p->admit(patrol("kunshan", "west_line"), 100)), (Names{"taicang"}));
  EXPECT_EQ(rule_of(p->admit(patrol("kunshan", ""), 100)), "routing.along-the-line") << "no border_line in body";
}

TEST_F(SixLinkPolicyTest, RoutingToAListNamesThoseMembersInConfigurationOrder) {
  auto p = load(kOpenMembers + "routing:\n  - {name: pair, to: [kunshan, baoshan]}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(alert("taicang", "Minor"), 100)), (Names{"baoshan", "kunshan"}));
  EXPECT_EQ(recipients(p->admit(alert("kunshan", "Minor"), 100)), (Names{"baoshan"}));
}

TEST_F(SixLinkPolicyTest, ConditionsOnLinkAndKind) {
  auto p = load(kOpenMembers +
                "routing:\n  - {name: cases, when: {link: [joint_mediation, joint_governance]}, to: [taicang]}\n"
                "  - {name: bulletins, when: {link: info_sharing, kind: bulletin}, to: [jiading]}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(case_open("kunshan", "internal"), 100)), (Names{"taicang"}));
  json::object b{{"title", "通报"}};
  EXPECT_EQ(recipients(p->admit(envelope("kunshan", "info_sharing", "bulletin", b), 100)), (Names{"jiading"}));
  PolicyDecision d = p->admit(alert("kunshan", "Extreme"), 100);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 422);
  EXPECT_EQ(d.denial->code, "no_route");
  EXPECT_EQ(d.denial->rule, "routing") << "no rule matches an alert";
  EXPECT_EQ(d.metric_rule, kRuleNoRoute);
}

TEST_F(SixLinkPolicyTest, SeverityConditionSendsExtremeAlertsToAllAndMinorOnesWhereOtherRulesSay) {
  auto p = load(kOpenMembers +
                "routing:\n  - {name: severe, when: {kind: alert, severity: [Extreme, Severe]}, to: all}\n"
                "  - {name: hub, when: {link: info_sharing}, to: [taicang]}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(alert("kunshan", "Extreme"), 100)), (Names{"taicang", "baoshan", "jiading"}));
  EXPECT_EQ(recipients(p->admit(alert("kunshan", "Minor"), 100)), (Names{"taicang"}));
  Envelope mixed = envelope("kunshan", "info_sharing", "alert", alert_body({"Minor", "Severe"}), {"320583"});
  EXPECT_EQ(recipients(p->admit(mixed, 100)), (Names{"taicang", "baoshan", "jiading"})) << "any info block";
}

TEST_F(SixLinkPolicyTest, ConditionsOnRegionCodeAndBorderLine) {
  auto p = load(kOpenMembers +
                "routing:\n  - {name: baoshan-cases, when: {region_code: \"310113\"}, to: [baoshan]}\n"
                "  - {name: west, when: {border_line: west_line}, to: [kunshan]}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(recipients(p->admit(case_open("taicang", "internal", std::nullopt, {"320585", "310113"}), 100)),
            (Names{"baoshan"}));
  EXPECT_EQ(rule_of(p->admit(case_open("taicang", "internal", std::nullopt, {"320585"}), 100)), "routing");
  EXPECT_EQ(recipients(p->admit(patrol("taicang", "west_line"), 100)), (Names{"kunshan"}));
  EXPECT_EQ(rule_of(p->admit(patrol("taicang", "south_line"), 100)), "routing");
}

TEST_F(SixLinkPolicyTest, RecipientsAreTheUnionOfEveryMatchingRuleInConfigurationOrder) {
  auto p = load(kOpenMembers +
                "routing:\n  - {name: a, when: {link: info_sharing}, to: [kunshan]}\n"
                "  - {name: b, when: {kind: alert}, to: [jiading, kunshan]}\n"
                "  - {name: c, when: {link: joint_patrol}, to: all}\n"
                "  - {name: d, to: region}\n");
  ASSERT_TRUE(p);
  // a, b and d match (d names taicang by its region); c does not.
  EXPECT_EQ(recipients(p->admit(alert("baoshan", "Minor", {"320585"}), 100)), (Names{"taicang", "jiading", "kunshan"}));
}

TEST_F(SixLinkPolicyTest, AMatchingRuleThatNamesNobodyWhoMayReceiveIs422NamingTheRule) {
  auto p = load(
      "version: 1\nrouting:\n  - {name: hub-only, when: {link: joint_safety}, to: [taicang]}\n"
      "  - {name: everyone, when: {link: joint_safety}, to: all}\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"]}\n  baoshan: {receive: [info_sharing]}\n"
      "  jiading: {receive: [joint_safety/safety.indicator]}\n  kunshan: {receive: []}\n");
  ASSERT_TRUE(p);
  PolicyDecision d = p->admit(envelope("taicang", "joint_safety", "safety.campaign", json::object{{"title", "冬季消防"}}), 100);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 422);
  EXPECT_EQ(d.denial->code, "no_route");
  EXPECT_EQ(d.denial->rule, "routing.hub-only");
  EXPECT_EQ(d.metric_rule, kRuleNoRoute);
  EXPECT_TRUE(d.recipients.empty());
}

// ---------------------------------------------------------------- size and rate

TEST_F(SixLinkPolicyTest, PerKindSizeLimitIs413NamingTheKind) {
  auto p = load(kOpenMembers + "routing:\n  - {name: all, to: all}\nlimits:\n  max_body_bytes: {alert: 1000}\n");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->admit(alert("kunshan", "Minor"), 1000).denial) << "the limit itself is allowed";
  PolicyDecision d = p->admit(alert("kunshan", "Minor"), 1001);
  ASSERT_TRUE(d.denial);
  EXPECT_EQ(d.denial->status, 413);
  EXPECT_EQ(d.denial->code, "too_large");
  EXPECT_EQ(d.denial->rule, "limits.max_body_bytes.alert");
  EXPECT_EQ(d.metric_rule, kRuleSizeLimit);
  EXPECT_FALSE(p->admit(case_open("kunshan", "internal"), 500000).denial) << "other kinds are not limited";
}

TEST_F(SixLinkPolicyTest, RateLimitValues) {
  auto p = load(
      "version: 1\nmembers:\n  taicang: {rate: {per_second: 500, burst: 1000}}\n"
      "  baoshan: {rate: {per_second: 20}}\n  jiading: {}\n  kunshan: {rate: {per_second: 0, burst: 5}}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rate_limit("taicang").per_second, 500);
  EXPECT_EQ(p->rate_limit("taicang").burst, 1000);
  EXPECT_EQ(p->rate_limit("baoshan").per_second, 20);
  EXPECT_EQ(p->rate_limit("baoshan").burst, 20) << "burst defaults to one second's worth";
  EXPECT_EQ(p->rate_limit("jiading").per_second, 0) << "absent = unlimited";
  EXPECT_EQ(p->rate_limit("kunshan").per_second, 0);
  EXPECT_EQ(p->rate_limit("minhang").per_second, 0);
}

// ---------------------------------------------------------------- redaction

const std::string kRedaction =
    "routing:\n  - {name: all, to: all}\n"
    "redaction:\n  - name: personal-data\n    fields: [\"parties[].id_number\", \"parties[].phone\"]\n"
    "  - name: exact-address\n    fields: [location.address, location.lat]\n    classifications: [restricted]\n"
    "  - name: alert-areas\n    fields: [\"info[].area[].areaDesc\"]\n";

TEST_F(SixLinkPolicyTest, RecipientBelowTheClassificationGetsMaskedFieldsAndTheRuleNamed) {
  auto p = load(kOpenMembers + kRedaction);
  ASSERT_TRUE(p);
  Envelope e = case_open("kunshan", "restricted");
  RecipientView v = p->view_for(e, "baoshan");  // internal < restricted
  EXPECT_EQ(v.member, "baoshan");
  ASSERT_TRUE(v.redacted);
  const json::object& b = v.redacted->body;
  const auto& parties = b.at("parties").as_array();
  EXPECT_EQ(parties[0].at("id_number").as_string(), "310*************34");
  EXPECT_EQ(parties[0].at("phone").as_string(), "138******00");
  EXPECT_EQ(parties[0].at("name").as_string(), "张三") << "only the named fields";
  EXPECT_EQ(parties[1].at("phone").as_string(), "*****") << "short strings become all '*'";
  EXPECT_FALSE(parties[1].as_object().contains("id_number")) << "absent fields stay absent";
  EXPECT_EQ(b.at("location").at("address").as_string(), "太仓市*******8号") << "code points, not bytes";
  EXPECT_EQ(b.at("location").at("lat").as_string(), "***") << "non-strings become \"***\"";
  EXPECT_EQ(b.at("title").as_string(), "邻里纠纷");
  ASSERT_EQ(v.redactions.size(), 2u);
  EXPECT_EQ(v.redactions[0].rule, "personal-data");
  EXPECT_EQ(v.redactions[0].fields,
            (Names{"body.parties[0].id_number", "body.parties[0].phone", "body.parties[1].phone"}));
  EXPECT_EQ(v.redactions[1].rule, "exact-address");
  EXPECT_EQ(v.redactions[1].fields, (Names{"body.location.address", "body.location.lat"}));
  EXPECT_EQ(v.redacted->id, e.id);
  EXPECT_EQ(v.redacted->case_id, e.case_id);
}

TEST_F(SixLinkPolicyTest, ClearedRecipientGetsNoRedaction) {
  auto p = load(kOpenMembers + kRedaction);
  ASSERT_TRUE(p);
  RecipientView v = p->view_for(case_open("kunshan", "restricted"), "taicang");
  EXPECT_FALSE(v.redacted);
  EXPECT_TRUE(v.redactions.empty());
  EXPECT_TRUE(p->view_for(case_open("taicang", "internal"), "baoshan").redactions.empty()) << "internal sees internal";
  EXPECT_TRUE(p->view_for(case_open("taicang", "public"), "jiading").redactions.empty()) << "nothing is below public";
}

TEST_F(SixLinkPolicyTest, ClassificationsLimitWhichRulesApply) {
  auto p = load(kOpenMembers + kRedaction);
  ASSERT_TRUE(p);
  RecipientView v = p->view_for(case_open("kunshan", "internal"), "jiading");  // public < internal
  ASSERT_TRUE(v.redacted);
  ASSERT_EQ(v.redactions.size(), 1u);
  EXPECT_EQ(v.redactions[0].rule, "personal-data");
  EXPECT_EQ(v.redacted->body.at("location").at("address").as_string(), "太仓市浏河镇新闸村88号");
  RecipientView a = p->view_for(alert("kunshan", "Minor"), "jiading");  // any body path the policy names
  ASSERT_EQ(a.redactions.size(), 1u);
  EXPECT_EQ(a.redactions[0].rule, "alert-areas");
  EXPECT_EQ(a.redactions[0].fields, (Names{"body.info[0].area[0].areaDesc"}));
  ASSERT_TRUE(a.redacted);
  EXPECT_EQ(a.redacted->body.at("info").at(0).at("area").at(0).at("areaDesc").as_string(), "昆山市*****桥村");
  RecipientView none = p->view_for(envelope("kunshan", "info_sharing", "bulletin", {{"title", "通报"}}), "jiading");
  EXPECT_TRUE(none.redactions.empty()) << "nothing to mask";
  EXPECT_FALSE(none.redacted);
}

TEST_F(SixLinkPolicyTest, AdmitGivesEachRecipientItsOwnViewAndNeverAltersTheOriginal) {
  auto p = load(kOpenMembers + kRedaction);
  ASSERT_TRUE(p);
  Envelope e = case_open("kunshan", "restricted");
  const std::string before = to_json_text(e);
  PolicyDecision d = p->admit(e, 100);
  ASSERT_FALSE(d.denial);
  ASSERT_EQ(recipients(d), (Names{"taicang", "baoshan", "jiading"}));
  EXPECT_FALSE(d.recipients[0].redacted) << "taicang is cleared";
  ASSERT_TRUE(d.recipients[1].redacted);
  ASSERT_TRUE(d.recipients[2].redacted);
  EXPECT_EQ(d.recipients[2].redacted->body.at("parties").at(0).at("id_number").as_string(), "310*************34");
  EXPECT_EQ(to_json_text(e), before);
  p->view_for(e, "jiading");
  EXPECT_EQ(to_json_text(e), before);
  EXPECT_EQ(e.body.at("parties").at(0).at("id_number").as_string(), "310113199001011234");
}

// ---------------------------------------------------------------- loader errors

// A valid policy. Line numbers are part of the tests below: edit with care.
const std::vector<std::string> kGood = {
    /* 1 */ "version: 1",
    /* 2 */ "members:",
    /* 3 */ "  taicang:",
    /* 4 */ "    clearance: restricted",
    /* 5 */ "    border_lines: [south_line, west_line]",
    /* 6 */ "    send: [\"*\"]",
    /* 7 */ "    receive: [\"*\"]",
    /* 8 */ "  baoshan:",
    /* 9 */ "    send: [info_sharing, joint_meeting/meeting.minutes]",
    /* 10 */ "    receive: [info_sharing]",
    /* 11 */ "    rate: {per_second: 10, burst: 20}",
    /* 12 */ "  jiading:",
    /* 13 */ "    send: [info_sharing]",
    /* 14 */ "  kunshan:",
    /* 15 */ "    send: [info_sharing]",
    /* 16 */ "routing:",
    /* 17 */ "  - name: hub",
    /* 18 */ "    when: {link: info_sharing, severity: [Extreme], region_code: \"320583\"}",
    /* 19 */ "    to: [taicang]",
    /* 20 */ "redaction:",
    /* 21 */ "  - name: personal-data",
    /* 22 */ "    fields: [\"parties[].id_number\"]",
    /* 23 */ "limits:",
    /* 24 */ "  max_body_bytes:",
    /* 25 */ "    alert: 4096",
};

struct LoaderCase {
  std::string what;
  std::map<int, std::string> edits;  // line -> new text ("" blanks the line)
  int line;
  std::string key;
  std::string message_part;
};

TEST_F(SixLinkPolicyTest, LoaderErrorsNameTheFileLineAndKey) {
  std::ostringstream good;
  for (const auto& l : kGood) good << l << "\n";
  ASSERT_TRUE(load(good.str())) << "the known-good file loads";
  const std::vector<LoaderCase> cases = {
      {"unknown key", {{11, "    rates: {per_second: 10}"}}, 11, "members.baoshan.rates", "did you mean \"rate\""},
      {"unknown top-level key", {{16, "colour: blue"}, {17, ""}, {18, ""}, {19, ""}}, 16, "colour", "unknown key"},
      {"unknown link in send", {{13, "    send: [info_sharing, gossip]"}}, 13, "members.jiading.send", "'gossip'"},
      {"kind of another link", {{9, "    send: [info_sharing/case.open]"}}, 9, "members.baoshan.send", "info_sharing/case.open"},
      {"configured member missing", {{12, ""}, {13, ""}}, 2, "members", "jiading"},
      {"member not configured", {{15, "    send: [info_sharing]\n  minhang: {send: [\"*\"]}"}}, 16, "members.minhang", "not a configured member"},
      {"bad clearance", {{4, "    clearance: secret"}}, 4, "members.taicang.clearance", "public, internal or restricted"},
      {"bad border line", {{5, "    border_lines: [north_line]"}}, 5, "members.taicang.border_lines", "north_line"},
      {"bad burst", {{11, "    rate: {per_second: 10, burst: 0}"}}, 11, "members.baoshan.rate.burst", "1.."},
      {"bad to", {{19, "    to: everyone"}}, 19, "routing[0].to", "all, region, border_line"},
      {"unknown member in to", {{19, "    to: [taicang, minhang]"}}, 19, "routing[0].to", "'minhang'"},
      {"bad severity", {{18, "    when: {severity: Terrible}"}}, 18, "routing[0].when.severity", "Terrible"},
      {"bad region code", {{18, "    when: {region_code: \"3205\"}"}}, 18, "routing[0].when.region_code", "3205"},
      {"routing not a list", {{17, "  name: hub"}, {18, ""}, {19, ""}}, 16, "routing", "list"},
      {"redaction without fields", {{22, "    fields: []"}}, 22, "redaction[0].fields", "at least one"},
      {"negative size", {{25, "    alert: -5"}}, 25, "limits.max_body_bytes.alert", "positive"},
      {"size not a number", {{25, "    alert: lots"}}, 25, "limits.max_body_bytes.alert", "positive"},
      {"size of an unknown kind", {{25, "    gossip: 100"}}, 25, "limits.max_body_bytes.gossip", "not a message kind"},
      {"YAML syntax error", {{13, "    send: [info_sharing"}}, 14, "", "YAML:"},
  };
  for (const auto& c : cases) {
    std::ostringstream y;
    for (std::size_t i = 0; i < kGood.size(); ++i) {
      auto it = c.edits.find(static_cast<int>(i + 1));
      y << (it == c.edits.end() ? kGood[i] : it->second) << "\n";
    }
    PolicyLoadResult r = load_text(y.str());
    EXPECT_FALSE(r.policy) << c.what;
    if (r.errors.empty()) {
      ADD_FAILURE() << c.what << ": no error reported";
      continue;
    }
    std::ostringstream all;
    for (const auto& e : r.errors) all << e << "\n";
    EXPECT_EQ(r.errors[0].file, config.policies) << c.what;
    EXPECT_EQ(r.errors[0].line, c.line) << c.what << ":\n" << all.str();
    EXPECT_EQ(r.errors[0].key, c.key) << c.what << ":\n" << all.str();
    EXPECT_NE(r.errors[0].message.find(c.message_part), std::string::npos) << c.what << ":\n" << all.str();
  }
}

// An operator who writes one global number where the format wants a per-kind map must be
// told so at load time, not run without the limits they meant to set.
// Regression guard (was a bug, fixed): policies/policy_loader.cpp:148 reads limits.max_body_bytes only when it is a map;
// any other value (here the scalar 4096) is accepted silently and no limit applies.
TEST_F(SixLinkPolicyTest, SizeLimitThatIsNotAPerKindMapIsAnError) {
  std::ostringstream y;
  for (std::size_t i = 0; i < 23; ++i) y << kGood[i] << "\n";
  y << "  max_body_bytes: 4096\n";  // line 24
  PolicyLoadResult r = load_text(y.str());
  EXPECT_FALSE(r.policy);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 24);
  EXPECT_EQ(r.errors[0].key, "limits.max_body_bytes");
}

// A member listed twice would leave one of its two rule sets silently unused.
// Regression guard (was a bug, fixed): policies/policy_loader.cpp:123/132 read `members` without a MapReader, so the
// duplicate key that every other section reports ("duplicate key (first set on line N)")
// goes unreported here: the first baoshan entry wins and the second (send: []) is ignored.
TEST_F(SixLinkPolicyTest, AMemberListedTwiceIsAnError) {
  std::ostringstream y;
  for (std::size_t i = 0; i < 15; ++i) y << kGood[i] << "\n";
  y << "  baoshan:\n    send: []\n";  // lines 16-17: a second, stricter entry for baoshan
  PolicyLoadResult r = load_text(y.str());
  EXPECT_FALSE(r.policy);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].line, 16);
  EXPECT_EQ(r.errors[0].key, "members.baoshan");
}

TEST_F(SixLinkPolicyTest, EveryErrorIsReportedAtOnce) {
  std::ostringstream y;
  for (std::size_t i = 0; i < kGood.size(); ++i)
    y << (i + 1 == 4 ? "    clearance: secret" : i + 1 == 25 ? "    alert: 0" : kGood[i]) << "\n";
  PolicyLoadResult r = load_text(y.str());
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[1].line, 25);
}

TEST_F(SixLinkPolicyTest, MissingFileIsAnError) {
  config.policies = dir.file("nowhere.yaml");
  PolicyLoadResult r = load_policy(config);
  EXPECT_FALSE(r.policy);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].key, "policies");
}

TEST_F(SixLinkPolicyTest, NonScalarKeysAreErrorsNotExceptions) {
  const std::string yaml =
      "version: 1\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
      "  baoshan: {? [send, receive] : [\"*\"]}\n"
      "  jiading: {}\n  kunshan: {}\n"
      "  ? {nested: map}\n  : {send: [\"*\"]}\n"
      "limits:\n  max_body_bytes:\n    ? [alert]\n    : 100\n";
  PolicyLoadResult r;
  EXPECT_NO_THROW(r = load_text(yaml));
  EXPECT_FALSE(r.policy);
  ASSERT_GE(r.errors.size(), 3u);
  std::ostringstream all;
  for (const auto& e : r.errors) all << e << "\n";
  EXPECT_NE(all.str().find(":4: members.baoshan: keys must be plain names"), std::string::npos) << all.str();
  EXPECT_NE(all.str().find(":7: members.: not a configured member"), std::string::npos) << all.str();
  EXPECT_NE(all.str().find(":11: limits.max_body_bytes.: not a message kind"), std::string::npos) << all.str();
}

}  // namespace
}  // namespace sixlink
