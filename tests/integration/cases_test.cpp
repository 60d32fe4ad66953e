// The shared case registry end to end over mutual TLS (gateway/cases/README.md): a case
// opened by one member, led and closed by another; illegal transitions answered 409 with
// nothing stored or relayed; the overdue list and gauge; access and redaction; the
// report over the API and from the CLI.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Baoshan, Jiading and Kunshan are cleared for internal data only: they get personal
// data of restricted cases masked.
std::string redacting_policy() {
  return "version: 1\nmembers:\n"
         "  taicang: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "  baoshan: {send: [\"*\"], receive: [\"*\"], clearance: internal}\n"
         "  jiading: {send: [\"*\"], receive: [\"*\"], clearance: internal}\n"
         "  kunshan: {send: [\"*\"], receive: [\"*\"], clearance: internal}\n"
         "routing:\n  - {name: everyone, to: all}\n"
         "redaction:\n  - name: personal-data\n    fields: [\"parties[].id_number\", \"parties[].phone\"]\n";
}

FederationOptions options() {
  FederationOptions o;
  o.policy_yaml = redacting_policy();
  return o;
}

// A case event: case_json's envelope with this kind, status and body changes.
std::string event(const std::string& id, const std::string& source, const std::string& case_id,
                  const std::string& kind, const std::string& status, const std::vector<std::string>& to,
                  const json::object& body_changes = {}) {
  json::value v = json::parse(case_json(id, source, case_id, to, kind));
  json::object& body = v.at("body").as_object();
  if (status.empty()) body.erase("status");
  else body["status"] = status;
  if (kind != "case.open") {  // later events carry only what they change
    for (const char* f : {"parties", "location", "deadline", "lead"}) body.erase(f);
  }
  for (const auto& [k, val] : body_changes) body[k] = val;
  return json::serialize(v);
}

class CasesE2E : public ::testing::Test {
 protected:
  CasesE2E() : fed(options()) {}
  void SetUp() override { fed.start_gateway(); }

  HttpResult post(const std::string& member, const std::string& body) {
    return fed.client(member)->request("POST", "/v1/messages", body);
  }
  json::value get(const std::string& member, const std::string& target, int* status = nullptr) {
    HttpResult r = fed.client(member)->request("GET", target);
    if (status) *status = r.status;
    return r.status == 200 ? json::parse(r.body) : json::value(nullptr);
  }
  // Opens kunshan:c-1 (lead taicang) and walks it to `until` through taicang.
  void walk(const std::string& until) {
    ASSERT_EQ(post("kunshan", event("KS-O1", "kunshan", "kunshan:c-1", "case.open", "open", {"taicang", "baoshan"})).status, 202);
    for (const char* s : {"accepted", "in_progress", "resolved"}) {
      if (until == "open") return;
      ASSERT_EQ(post("taicang", event(std::string("TC-") + s, "taicang", "kunshan:c-1", "case.update", s, {"kunshan", "baoshan"})).status, 202) << s;
      if (until == s) return;
    }
    ASSERT_EQ(post("taicang", event("TC-close", "taicang", "kunshan:c-1", "case.close", "closed", {"kunshan", "baoshan"})).status, 202);
  }
  static std::string error_of(const HttpResult& r, const char* member) {
    return std::string(json::parse(r.body).at("error").at(member).as_string());
  }

  Federation fed;
};

TEST_F(CasesE2E, ACaseOpenedByKunshanIsLedAndClosedByTaicang) {
  walk("closed");
  json::value c = get("kunshan", "/v1/cases/kunshan:c-1");
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c.at("status").as_string(), "closed");
  EXPECT_EQ(c.at("origin").as_string(), "kunshan");
  EXPECT_EQ(c.at("lead").at("jurisdiction").as_string(), "taicang");
  EXPECT_EQ(c.at("lead").at("unit").as_string(), "浏河镇调解委员会");
  EXPECT_EQ(c.at("deadline").as_string(), "2026-12-10T17:00:00+08:00");
  EXPECT_FALSE(c.at("closed_at").is_null());
  const auto& h = c.at("history").as_array();
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].at("to").as_string(), "open");
  EXPECT_EQ(h[1].at("actor").as_string(), "taicang");
  EXPECT_EQ(h[1].at("from").as_string(), "open");
  EXPECT_EQ(h[4].at("kind").as_string(), "case.close");
  EXPECT_EQ(h[4].at("message").at("id").as_string(), "TC-close");
  // Baoshan (push) received all five, in order.
  ASSERT_TRUE(fed.baoshan_rx->wait_for_total(5, 10s));
  std::vector<std::string> ids;
  for (const auto& d : fed.baoshan_rx->received()) ids.push_back(d.message_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"KS-O1", "TC-accepted", "TC-in_progress", "TC-resolved", "TC-close"}));
  // A transfer moves the lead; the new lead accepts.
  ASSERT_EQ(post("kunshan", event("KS-O2", "kunshan", "kunshan:c-2", "case.open", "open", {"taicang"})).status, 202);
  ASSERT_EQ(post("taicang", event("TC-T", "taicang", "kunshan:c-2", "case.transfer", "transferred", {"jiading", "kunshan"},
                                  {{"lead", json::object{{"jurisdiction", "jiading"}, {"unit", "嘉定区华亭镇"}}}})).status, 202);
  ASSERT_EQ(post("jiading", event("JD-A", "jiading", "kunshan:c-2", "case.update", "accepted", {"kunshan"})).status, 202);
  json::value c2 = get("jiading", "/v1/cases/kunshan:c-2");
  ASSERT_TRUE(c2.is_object());
  EXPECT_EQ(c2.at("status").as_string(), "accepted");
  EXPECT_EQ(c2.at("lead").at("jurisdiction").as_string(), "jiading");
  EXPECT_EQ(c2.at("lead").at("unit").as_string(), "嘉定区华亭镇");
}

TEST_F(CasesE2E, IllegalTransitionsAre409AndNothingIsStoredOrRelayed) {
  // Closing a case never opened.
  HttpResult r = post("kunshan", event("KS-X1", "kunshan", "kunshan:none", "case.close", "closed", {"baoshan"}));
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_of(r, "code"), "illegal_transition");
  EXPECT_EQ(error_of(r, "state"), "none");
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/KS-X1").status, 404);

  walk("resolved");
  // A member that is not the lead closing it (kunshan is the origin, taicang leads).
  r = post("kunshan", event("KS-X2", "kunshan", "kunshan:c-1", "case.close", "closed", {"baoshan"}));
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_of(r, "state"), "resolved");
  EXPECT_EQ(error_of(r, "field"), "source");
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/KS-X2").status, 404);

  ASSERT_EQ(post("taicang", event("TC-close", "taicang", "kunshan:c-1", "case.close", "", {"kunshan", "baoshan"})).status, 202);
  // An update after close.
  r = post("taicang", event("TC-X3", "taicang", "kunshan:c-1", "case.update", "in_progress", {"baoshan"}));
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_of(r, "state"), "closed");
  EXPECT_EQ(fed.client("taicang")->request("GET", "/v1/messages/TC-X3").status, 404);
  // The idempotent resend of an applied event still answers 200.
  EXPECT_EQ(post("taicang", event("TC-close", "taicang", "kunshan:c-1", "case.close", "", {"kunshan", "baoshan"})).status, 200);

  // A marker after the refusals: once it arrives, everything before it has been relayed.
  ASSERT_EQ(post("kunshan", alert_json("KS-MARK", "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(eventually([&] {
    for (const auto& d : fed.baoshan_rx->received())
      if (d.message_id == "KS-MARK") return true;
    return false;
  }));
  for (const auto& d : fed.baoshan_rx->received()) {
    EXPECT_NE(d.message_id, "KS-X1");
    EXPECT_NE(d.message_id, "KS-X2");
    EXPECT_NE(d.message_id, "TC-X3");
  }
  EXPECT_EQ(get("kunshan", "/v1/cases/kunshan:c-1").at("history").as_array().size(), 5u);
  EXPECT_EQ(fed.metric(R"(sixlink_messages_rejected_total{member="kunshan",reason="illegal_transition"})"), 2);
  EXPECT_EQ(fed.metric(R"(sixlink_messages_rejected_total{member="taicang",reason="illegal_transition"})"), 1);
}

TEST_F(CasesE2E, AContradictoryStatusOrAnUnknownLeadIs400) {
  HttpResult r = post("kunshan", event("KS-B1", "kunshan", "kunshan:b-1", "case.open", "closed", {"taicang"}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_of(r, "field"), "body.status");
  r = post("kunshan", event("KS-B2", "kunshan", "kunshan:b-2", "case.open", "open", {"taicang"},
                            {{"lead", json::object{{"jurisdiction", "shanghai"}}}}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_of(r, "field"), "body.lead.jurisdiction");
}

TEST_F(CasesE2E, OverdueCasesAreListedAndCountedInTheGauge) {
  ASSERT_EQ(post("kunshan", event("KS-D1", "kunshan", "kunshan:late", "case.open", "open", {"taicang"},
                                  {{"deadline", "2026-01-05T17:00:00+08:00"}})).status, 202);
  walk("accepted");  // kunshan:c-1, deadline 2026-12-10: not overdue before then
  int status = 0;
  json::value list = get("taicang", "/v1/cases?overdue=true", &status);
  ASSERT_EQ(status, 200);
  const auto& cases = list.at("cases").as_array();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].at("case_id").as_string(), "kunshan:late");
  EXPECT_TRUE(cases[0].at("overdue").as_bool());
  EXPECT_GT(cases[0].at("days_overdue").as_int64(), 0);
  EXPECT_EQ(get("taicang", "/v1/cases").at("cases").as_array().size(), 2u);
  EXPECT_EQ(fed.metric(R"(sixlink_cases_overdue{lead="taicang",link="joint_mediation"})"), 1);
  EXPECT_EQ(fed.metric(R"(sixlink_cases_overdue{lead="kunshan",link="joint_governance"})"), 0);
}

TEST_F(CasesE2E, AMemberSeesOnlyItsCasesWithPersonalDataMaskedByPolicy) {
  walk("open");
  int status = 0;
  get("jiading", "/v1/cases/kunshan:c-1", &status);
  EXPECT_EQ(status, 404) << "jiading is no party";
  get("jiading", "/v1/cases/kunshan:no-such", &status);
  EXPECT_EQ(status, 404);
  EXPECT_TRUE(get("jiading", "/v1/cases").at("cases").as_array().empty());
  // A non-party cannot act on the case either, and is not told its state.
  HttpResult r = post("jiading", event("JD-X", "jiading", "kunshan:c-1", "case.update", "", {"taicang"}));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_FALSE(json::parse(r.body).at("error").as_object().contains("state"));
  r = post("jiading", event("JD-O", "jiading", "kunshan:c-1", "case.open", "open", {"taicang"}));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_FALSE(json::parse(r.body).at("error").as_object().contains("state")) << "only that the id is taken";
  EXPECT_EQ(r.body.find("open)"), std::string::npos) << r.body;

  json::value seen_by_baoshan = get("baoshan", "/v1/cases/kunshan:c-1", &status);
  ASSERT_EQ(status, 200) << "baoshan received the case";
  const auto& party = seen_by_baoshan.at("details").at("parties").as_array()[0];
  EXPECT_EQ(party.at("name").as_string(), "张三");
  EXPECT_EQ(party.at("id_number").as_string(), "310*************34");
  EXPECT_NE(party.at("phone").as_string(), "13800000000");
  EXPECT_FALSE(seen_by_baoshan.at("details").at("redacted").as_array().empty());
  json::value seen_by_taicang = get("taicang", "/v1/cases/kunshan:c-1");
  EXPECT_EQ(seen_by_taicang.at("details").at("parties").as_array()[0].at("id_number").as_string(), "310113199001011234");
  json::value seen_by_origin = get("kunshan", "/v1/cases/kunshan:c-1");
  EXPECT_EQ(seen_by_origin.at("details").at("parties").as_array()[0].at("phone").as_string(), "13800000000");
}

// Naming a member as the lead makes it a party that reads the case, personal data and
// all; the policy's receive permission applies to it as to a recipient.
TEST(CasesPolicyE2E, ALeadThatMayNotReceiveTheLinkIsRefusedAndSeesNothing) {
  FederationOptions o;
  o.policy_yaml =
      "version: 1\nmembers:\n"
      "  taicang: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
      "  baoshan: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
      "  jiading: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
      "  kunshan: {send: [\"*\"], receive: [info_sharing], clearance: restricted}\n";
  Federation fed(o);
  fed.start_gateway();
  auto open_led_by = [&](const std::string& id, const std::string& lead) {
    return fed.client("baoshan")->request(
        "POST", "/v1/messages",
        event(id, "baoshan", "baoshan:l-" + id, "case.open", "open", {"taicang"},
              {{"lead", json::object{{"jurisdiction", lead}, {"unit", "调解中心"}}}}));
  };
  HttpResult r = open_led_by("BS-L1", "kunshan");
  ASSERT_EQ(r.status, 403) << r.body;
  const json::value answer = json::parse(r.body);
  const json::object& error = answer.at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "policy_denied");
  EXPECT_NE(error.at("message").as_string().find("kunshan"), std::string::npos) << r.body;
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/cases/baoshan:l-BS-L1").status, 404);
  EXPECT_EQ(fed.client("baoshan")->request("GET", "/v1/cases/baoshan:l-BS-L1").status, 404) << "nothing stored";
  EXPECT_EQ(fed.client("baoshan")->request("GET", "/v1/messages/BS-L1").status, 404) << "nothing stored";
  EXPECT_EQ(json::parse(fed.client("kunshan")->request("GET", "/v1/cases").body).at("cases").as_array().size(), 0u);
  EXPECT_EQ(fed.metric(R"(sixlink_policy_denials_total{member="baoshan",rule="receive_permission"})"), 1);

  ASSERT_EQ(open_led_by("BS-L2", "jiading").status, 202) << "a lead that may receive is a party";
  HttpResult seen = fed.client("jiading")->request("GET", "/v1/cases/baoshan:l-BS-L2");
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(json::parse(seen.body).at("lead").at("jurisdiction").as_string(), "jiading");
}

TEST_F(CasesE2E, TheReportAnswersInEachFormatAndFromTheCli) {
  walk("closed");
  HttpResult json_report = fed.client("kunshan")->request("GET", "/v1/reports/cases?format=json&lang=zh");
  ASSERT_EQ(json_report.status, 200) << json_report.body;
  json::value r = json::parse(json_report.body);
  EXPECT_EQ(r.at("overall").at("opened").as_int64(), 1);
  EXPECT_EQ(r.at("overall").at("closed").as_int64(), 1);
  EXPECT_EQ(r.at("scope").as_string(), "kunshan");
  HttpResult csv = fed.client("kunshan")->request("GET", "/v1/reports/cases?format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
  HttpResult html = fed.client("kunshan")->request("GET", "/v1/reports/cases?format=html&lang=en");
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("Joint mediation"), std::string::npos);
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/reports/cases?format=pdf").status, 400);

  fed.stop_gateway();
  std::string out = fed.dir.file("report.csv");
  ProcessRun run = run_gateway_cli("report cases --config " + fed.config_path + " --format csv --lang en --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  EXPECT_EQ(text.str().rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(text.str().find("Joint mediation,taicang,taicang,1,1"), std::string::npos) << text.str();
  EXPECT_EQ(run_gateway_cli("report cases --config " + fed.config_path + " --format pdf --out " + out).exit_code, 2);
}

}  // namespace
}  // namespace sixlink::testing
