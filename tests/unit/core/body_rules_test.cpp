// Tests of gateway/core/body_rules: the kind-specific body rules of DESIGN §3 with the
// exact field path of each error ("body.info[0].severity", "body.location.lat", ...).
// Each case edits one field of a known-good body (envelope_samples.h).
#include "gateway/core/body_rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <ostream>
#include <string>

#include "tests/unit/core/envelope_samples.h"

namespace sixlink {
namespace {

namespace json = boost::json;

struct BodyCase {
  const char* name;
  const char* kind;
  std::function<void(json::object&)> edit;
  const char* field;  // "" = valid
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const BodyCase& c, std::ostream* os) { *os << c.name; }

json::object sample_body(std::string_view kind) {
  if (kind == "alert") return test::thunderstorm_alert_body();
  if (kind.starts_with("case.")) return test::mediation_case_body();
  if (kind.starts_with("patrol.")) return test::patrol_position_body();
  return json::object{};
}

json::object& info0(json::object& b) { return b["info"].as_array()[0].as_object(); }
json::object& area0(json::object& b) { return info0(b)["area"].as_array()[0].as_object(); }

void check(const BodyCase& c) {
  json::object body = sample_body(c.kind);
  c.edit(body);
  auto err = validate_body(c.kind, body);
  if (std::string(c.field).empty()) {
    EXPECT_FALSE(err.has_value()) << c.name << ": " << err->to_json();
    return;
  }
  ASSERT_TRUE(err.has_value()) << c.name;
  EXPECT_EQ(err->status, 400) << c.name;
  EXPECT_EQ(err->code, "invalid_field") << c.name;
  EXPECT_EQ(err->field, c.field) << c.name << ": " << err->message;
  EXPECT_FALSE(err->message.empty()) << c.name;
}

std::string case_name(const ::testing::TestParamInfo<BodyCase>& info) { return info.param.name; }

// ---------------------------------------------------------------- alert (CAP 1.2)

class BodyRulesAlertTest : public ::testing::TestWithParam<BodyCase> {};
TEST_P(BodyRulesAlertTest, Checks) { check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, BodyRulesAlertTest,
    ::testing::Values(
        BodyCase{"thunderstorm_is_valid", "alert", [](json::object&) {}, ""},
        BodyCase{"no_info_is_valid", "alert", [](json::object& b) { b.erase("info"); }, ""},
        BodyCase{"extension_members_allowed", "alert",
                 [](json::object& b) { b["x_kunshan_level"] = "Orange"; info0(b)["web"] = "http://x"; }, ""},
        BodyCase{"identifier_missing", "alert", [](json::object& b) { b.erase("identifier"); }, "body.identifier"},
        BodyCase{"identifier_number", "alert", [](json::object& b) { b["identifier"] = 1055887203; }, "body.identifier"},
        BodyCase{"sender_missing", "alert", [](json::object& b) { b.erase("sender"); }, "body.sender"},
        BodyCase{"sent_missing", "alert", [](json::object& b) { b.erase("sent"); }, "body.sent"},
        BodyCase{"sent_no_offset", "alert", [](json::object& b) { b["sent"] = "2003-06-17T14:57:00"; }, "body.sent"},
        BodyCase{"sent_bare_date", "alert", [](json::object& b) { b["sent"] = "2003-06-17"; }, "body.sent"},
        BodyCase{"status_lower", "alert", [](json::object& b) { b["status"] = "actual"; }, "body.status"},
        BodyCase{"status_missing", "alert", [](json::object& b) { b.erase("status"); }, "body.status"},
        BodyCase{"status_exercise", "alert", [](json::object& b) { b["status"] = "Exercise"; }, ""},
        BodyCase{"msgType_unknown", "alert", [](json::object& b) { b["msgType"] = "Notice"; }, "body.msgType"},
        BodyCase{"msgType_cancel", "alert", [](json::object& b) { b["msgType"] = "Cancel"; }, ""},
        BodyCase{"scope_unknown", "alert", [](json::object& b) { b["scope"] = "Everyone"; }, "body.scope"},
        BodyCase{"scope_number", "alert", [](json::object& b) { b["scope"] = 1; }, "body.scope"},
        BodyCase{"info_object", "alert", [](json::object& b) { b["info"] = json::object{}; }, "body.info"},
        BodyCase{"info_element_string", "alert", [](json::object& b) { b["info"] = json::array{"x"}; }, "body.info[0]"},
        BodyCase{"category_missing", "alert", [](json::object& b) { info0(b).erase("category"); }, "body.info[0].category"},
        BodyCase{"category_empty", "alert", [](json::object& b) { info0(b)["category"] = json::array{}; }, "body.info[0].category"},
        BodyCase{"category_string", "alert", [](json::object& b) { info0(b)["category"] = "Met"; }, "body.info[0].category"},
        BodyCase{"category_second_bad", "alert",
                 [](json::object& b) { info0(b)["category"] = json::array{"Met", "Weather"}; }, "body.info[0].category[1]"},
        BodyCase{"category_number", "alert", [](json::object& b) { info0(b)["category"] = json::array{3}; }, "body.info[0].category[0]"},
        BodyCase{"category_lower", "alert", [](json::object& b) { info0(b)["category"] = json::array{"met"}; }, "body.info[0].category[0]"},
        BodyCase{"category_all_twelve", "alert",
                 [](json::object& b) {
                   info0(b)["category"] = json::array{"Geo", "Met", "Safety", "Security", "Rescue", "Fire",
                                                      "Health", "Env", "Transport", "Infra", "CBRNE", "Other"};
                 }, ""},
        BodyCase{"event_missing", "alert", [](json::object& b) { info0(b).erase("event"); }, "body.info[0].event"},
        BodyCase{"urgency_unknown", "alert", [](json::object& b) { info0(b)["urgency"] = "Soon"; }, "body.info[0].urgency"},
        BodyCase{"urgency_missing", "alert", [](json::object& b) { info0(b).erase("urgency"); }, "body.info[0].urgency"},
        BodyCase{"severity_unknown", "alert", [](json::object& b) { info0(b)["severity"] = "High"; }, "body.info[0].severity"},
        BodyCase{"severity_missing", "alert", [](json::object& b) { info0(b).erase("severity"); }, "body.info[0].severity"},
        BodyCase{"severity_null", "alert", [](json::object& b) { info0(b)["severity"] = nullptr; }, "body.info[0].severity"},
        BodyCase{"severity_extreme", "alert", [](json::object& b) { info0(b)["severity"] = "Extreme"; }, ""},
        BodyCase{"certainty_cap11_very_likely", "alert",
                 [](json::object& b) { info0(b)["certainty"] = "Very Likely"; }, "body.info[0].certainty"},
        BodyCase{"headline_number", "alert", [](json::object& b) { info0(b)["headline"] = 1; }, "body.info[0].headline"},
        BodyCase{"instruction_array", "alert", [](json::object& b) { info0(b)["instruction"] = json::array{}; }, "body.info[0].instruction"},
        BodyCase{"expires_no_offset", "alert", [](json::object& b) { info0(b)["expires"] = "2003-06-17T16:00:00"; }, "body.info[0].expires"},
        BodyCase{"onset_bad", "alert", [](json::object& b) { info0(b)["onset"] = "tomorrow"; }, "body.info[0].onset"},
        BodyCase{"effective_ok", "alert", [](json::object& b) { info0(b)["effective"] = "2003-06-17T14:57:00Z"; }, ""},
        BodyCase{"area_object", "alert", [](json::object& b) { info0(b)["area"] = json::object{}; }, "body.info[0].area"},
        BodyCase{"area_desc_missing", "alert", [](json::object& b) { area0(b).erase("areaDesc"); }, "body.info[0].area[0].areaDesc"},
        BodyCase{"area_desc_number", "alert", [](json::object& b) { area0(b)["areaDesc"] = 6109; }, "body.info[0].area[0].areaDesc"},
        BodyCase{"second_area_desc_missing", "alert",
                 [](json::object& b) { info0(b)["area"].as_array().push_back(json::object{{"polygon", json::array{}}}); },
                 "body.info[0].area[1].areaDesc"},
        BodyCase{"second_info_severity", "alert",
                 [](json::object& b) {
                   json::object zh = info0(b);
                   zh["language"] = "zh-CN";
                   zh["severity"] = "严重";
                   b["info"].as_array().push_back(zh);
                 },
                 "body.info[1].severity"}),
    case_name);

// ---------------------------------------------------------------- case.*

class BodyRulesCaseTest : public ::testing::TestWithParam<BodyCase> {};
TEST_P(BodyRulesCaseTest, Checks) { check(GetParam()); }

json::object& location(json::object& b) { return b["location"].as_object(); }

INSTANTIATE_TEST_SUITE_P(
    Cases, BodyRulesCaseTest,
    ::testing::Values(
        BodyCase{"sample_is_valid", "case.open", [](json::object&) {}, ""},
        BodyCase{"open_title_missing", "case.open", [](json::object& b) { b.erase("title"); },
                 "body.title"},
        BodyCase{"update_title_optional", "case.update", [](json::object& b) { b.erase("title"); },
                 ""},
        BodyCase{"update_minimal", "case.update",
                 [](json::object& b) {
                   b = json::object{{"status", "accepted"}};
                 },
                 ""},
        BodyCase{"title_number", "case.update", [](json::object& b) { b["title"] = 7; },
                 "body.title"},
        BodyCase{"location_string", "case.open", [](json::object& b) { b["location"] = "浏河镇"; },
                 "body.location"},
        BodyCase{"lat_91", "case.open", [](json::object& b) { location(b)["lat"] = 91; },
                 "body.location.lat"},
        BodyCase{"lat_minus_90_5", "case.open", [](json::object& b) { location(b)["lat"] = -90.5; },
                 "body.location.lat"},
        BodyCase{"lat_90", "case.open", [](json::object& b) { location(b)["lat"] = 90; }, ""},
        BodyCase{"lat_string", "case.open", [](json::object& b) { location(b)["lat"] = "31.5"; },
                 "body.location.lat"},
        BodyCase{"lon_181", "case.open", [](json::object& b) { location(b)["lon"] = 181.0; },
                 "body.location.lon"},
        BodyCase{"lon_minus_180", "case.open", [](json::object& b) { location(b)["lon"] = -180; },
                 ""},
        BodyCase{"lat_lon_optional", "case.open",
                 [](json::object& b) {
                   location(b).erase("lat");
                   location(b).erase("lon");
                 },
                 ""},
        BodyCase{"region_code_short", "case.open",
                 [](json::object& b) { location(b)["region_code"] = "3205"; },
                 "body.location.region_code"},
        BodyCase{"region_code_number", "case.open",
                 [](json::object& b) { location(b)["region_code"] = 320585; },
                 "body.location.region_code"},
        BodyCase{"address_number", "case.open", [](json::object& b) { location(b)["address"] = 5; },
                 "body.location.address"},
        BodyCase{"parties_object", "case.open",
                 [](json::object& b) { b["parties"] = json::object{}; }, "body.parties"},
        BodyCase{"party_string", "case.open",
                 [](json::object& b) { b["parties"].as_array()[1] = "李四"; }, "body.parties[1]"},
        BodyCase{
            "party_phone_number", "case.open",
            [](json::object& b) { b["parties"].as_array()[1].as_object()["phone"] = 13900000000; },
            "body.parties[1].phone"},
        BodyCase{"party_id_number_number", "case.open",
                 [](json::object& b) { b["parties"].as_array()[0].as_object()["id_number"] = 1; },
                 "body.parties[0].id_number"},
        BodyCase{"party_name_optional", "case.open",
                 [](json::object& b) { b["parties"].as_array()[0].as_object().erase("name"); }, ""},
        BodyCase{"transfer_with_lead", "case.transfer", [](json::object&) {}, ""},
        BodyCase{"transfer_lead_jurisdiction_missing", "case.transfer",
                 [](json::object& b) { b["lead"].as_object().erase("jurisdiction"); },
                 "body.lead.jurisdiction"},
        BodyCase{"transfer_lead_jurisdiction_null", "case.transfer",
                 [](json::object& b) { b["lead"].as_object()["jurisdiction"] = nullptr; },
                 "body.lead.jurisdiction"},
        BodyCase{"update_lead_jurisdiction_optional", "case.update",
                 [](json::object& b) { b["lead"].as_object().erase("jurisdiction"); }, ""},
        BodyCase{"lead_array", "case.update", [](json::object& b) { b["lead"] = json::array{}; },
                 "body.lead"},
        BodyCase{"lead_unit_number", "case.update",
                 [](json::object& b) { b["lead"].as_object()["unit"] = 1; }, "body.lead.unit"},
        BodyCase{"deadline_bare_date", "case.open",
                 [](json::object& b) { b["deadline"] = "2026-05-12"; }, "body.deadline"},
        BodyCase{"status_pending", "case.update", [](json::object& b) { b["status"] = "pending"; },
                 "body.status"},
        BodyCase{"status_upper", "case.update", [](json::object& b) { b["status"] = "Closed"; },
                 "body.status"},
        BodyCase{"status_number", "case.update", [](json::object& b) { b["status"] = 3; },
                 "body.status"},
        BodyCase{"closure_criteria_number", "case.close",
                 [](json::object& b) { b["closure_criteria"] = 1; }, "body.closure_criteria"},
        BodyCase{"note_object", "case.close", [](json::object& b) { b["note"] = json::object{}; },
                 "body.note"}),
    case_name);

TEST(BodyRulesTest, EveryCaseStateIsAccepted) {
  for (const char* s :
       {"open", "accepted", "in_progress", "resolved", "closed", "rejected", "transferred"}) {
    EXPECT_TRUE(is_case_state(s)) << s;
    json::object body = test::mediation_case_body();
    body["status"] = s;
    EXPECT_FALSE(validate_body("case.update", body).has_value()) << s;
  }
  for (const char* s : {"", "Open", "in progress", "done", "pending"})
    EXPECT_FALSE(is_case_state(s)) << s;
}

// Regression guard (was a bug, fixed): lead.jurisdiction is required for case.transfer only when a lead object is
// present: a transfer whose body has no lead at all passes, so it names no member to
// move the case to (DESIGN §3: "transferred (lead moves to another member)").
TEST(BodyRulesTest, TransferWithoutLeadIsRefused) {
  json::object body = test::mediation_case_body();
  body.erase("lead");
  auto err = validate_body("case.transfer", body);
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(err->field == "body.lead" || err->field == "body.lead.jurisdiction") << err->field;
}

// ---------------------------------------------------------------- patrol.*

class BodyRulesPatrolTest : public ::testing::TestWithParam<BodyCase> {};
TEST_P(BodyRulesPatrolTest, Checks) { check(GetParam()); }

json::object incident() {
  return json::object{
      {"type", "illegal_dumping"}, {"description", "渣土倾倒"}, {"severity", "medium"}};
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BodyRulesPatrolTest,
    ::testing::Values(
        BodyCase{"sample_is_valid", "patrol.position", [](json::object&) {}, ""},
        BodyCase{"empty_body", "patrol.plan", [](json::object& b) { b = json::object{}; }, ""},
        BodyCase{"west_line", "patrol.plan",
                 [](json::object& b) { b["border_line"] = "west_line"; }, ""},
        BodyCase{"border_line_unknown", "patrol.plan",
                 [](json::object& b) { b["border_line"] = "east_line"; }, "body.border_line"},
        BodyCase{"border_line_upper", "patrol.plan",
                 [](json::object& b) { b["border_line"] = "SOUTH_LINE"; }, "body.border_line"},
        BodyCase{"unit_number", "patrol.plan", [](json::object& b) { b["unit"] = 1; }, "body.unit"},
        BodyCase{"position_lat_missing", "patrol.position",
                 [](json::object& b) { b["position"].as_object().erase("lat"); },
                 "body.position.lat"},
        BodyCase{"position_lon_missing", "patrol.position",
                 [](json::object& b) { b["position"].as_object().erase("lon"); },
                 "body.position.lon"},
        BodyCase{"position_lat_95", "patrol.position",
                 [](json::object& b) { b["position"].as_object()["lat"] = 95; },
                 "body.position.lat"},
        BodyCase{"position_at_bad", "patrol.position",
                 [](json::object& b) { b["position"].as_object()["at"] = "22:15"; },
                 "body.position.at"},
        BodyCase{"position_array", "patrol.position",
                 [](json::object& b) {
                   b["position"] = json::array{31.5, 121.3};
                 },
                 "body.position"},
        BodyCase{"route_object", "patrol.plan",
                 [](json::object& b) { b["route"] = json::object{}; }, "body.route"},
        BodyCase{"route_second_lon_missing", "patrol.plan",
                 [](json::object& b) { b["route"].as_array()[1].as_object().erase("lon"); },
                 "body.route[1].lon"},
        BodyCase{"incident_ok", "patrol.incident",
                 [](json::object& b) { b["incident"] = incident(); }, ""},
        BodyCase{"incident_type_missing", "patrol.incident",
                 [](json::object& b) {
                   json::object i = incident();
                   i.erase("type");
                   b["incident"] = i;
                 },
                 "body.incident.type"},
        BodyCase{"incident_severity_number", "patrol.incident",
                 [](json::object& b) {
                   json::object i = incident();
                   i["severity"] = 2;
                   b["incident"] = i;
                 },
                 "body.incident.severity"},
        BodyCase{"incident_string", "patrol.incident",
                 [](json::object& b) { b["incident"] = "dumping"; }, "body.incident"}),
    case_name);

// ---------------------------------------------------------------- free-form kinds

TEST(BodyRulesTest, MeetingBulletinAndSafetyBodiesAreFreeForm) {
  json::object body{{"title", 1}, {"severity", "High"}, {"info", "x"}, {"lat", 500}};
  for (const char* kind :
       {"meeting.notice", "meeting.minutes", "bulletin", "safety.campaign", "safety.indicator"}) {
    EXPECT_FALSE(validate_body(kind, body).has_value()) << kind;
    EXPECT_FALSE(validate_body(kind, json::object{}).has_value()) << kind;
  }
  // The same body is refused where rules apply.
  EXPECT_TRUE(validate_body("alert", body).has_value());
  EXPECT_TRUE(validate_body("case.open", body).has_value());
}

TEST(BodyRulesTest, ReportsTheFirstErrorInFieldOrder) {
  json::object body = test::thunderstorm_alert_body();
  body.erase("sender");
  info0(body)["severity"] = "High";
  auto err = validate_body("alert", body);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->field, "body.sender");
}

}  // namespace
}  // namespace sixlink
