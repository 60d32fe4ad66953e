// POST /v1/messages end to end over mutual TLS: every status code of DESIGN §4 the spine
// answers, and that a refused request changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override { fed.start_gateway(); }

  json::value body_of(const HttpResult& r) { return json::parse(r.body); }
  std::string error_field(const HttpResult& r) {
    auto v = body_of(r);
    auto* f = v.at("error").as_object().if_contains("field");
    return f ? std::string(f->as_string()) : "";
  }
  std::string error_code(const HttpResult& r) { return std::string(body_of(r).at("error").at("code").as_string()); }

  Federation fed;
};

TEST_F(IngestTest, AcceptedMessageAnswers202WithEachRecipientsState) {
  auto c = fed.client("kunshan");
  HttpResult r = c->request("POST", "/v1/messages", alert_json("KS-1", "kunshan", {"baoshan", "taicang"}));
  ASSERT_EQ(r.status, 202) << r.body;
  auto v = body_of(r);
  EXPECT_EQ(v.at("id").as_string(), "KS-1");
  auto& d = v.at("deliveries").as_array();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].at("to").as_string(), "baoshan");
  EXPECT_EQ(d[0].at("state").as_string(), "queued");
  EXPECT_EQ(d[1].at("to").as_string(), "taicang");
  EXPECT_EQ(d[1].at("state").as_string(), "inbox");
}

TEST_F(IngestTest, WithoutRecipientsThePolicyRoutesToEveryOtherMember) {
  auto c = fed.client("kunshan");
  HttpResult r = c->request("POST", "/v1/messages", alert_json("KS-2", "kunshan"));
  ASSERT_EQ(r.status, 202) << r.body;
  std::vector<std::string> to;
  auto v = body_of(r);
  for (auto& d : v.at("deliveries").as_array()) to.emplace_back(d.at("to").as_string());
  std::sort(to.begin(), to.end());
  EXPECT_EQ(to, (std::vector<std::string>{"baoshan", "jiading", "taicang"}));
}

TEST_F(IngestTest, ResendAnswers200WithTheFirstResultAndDeliversNothingNew) {
  auto c = fed.client("kunshan");
  HttpResult first = c->request("POST", "/v1/messages", alert_json("KS-3", "kunshan", {"baoshan"}));
  ASSERT_EQ(first.status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(1, std::chrono::seconds(10)));
  HttpResult again = c->request("POST", "/v1/messages", alert_json("KS-3", "kunshan", {"baoshan"}));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(fed.baoshan_rx->total(), 1u);
}

TEST_F(IngestTest, SameIdWithADifferentBodyIs409) {
  auto c = fed.client("kunshan");
  ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("KS-4", "kunshan", {"baoshan"})).status, 202);
  HttpResult r = c->request("POST", "/v1/messages", alert_json("KS-4", "kunshan", {"baoshan"}, "Minor"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "conflict");
}

TEST_F(IngestTest, TheSameIdFromAnotherSourceIsAnotherMessage) {
  ASSERT_EQ(fed.client("kunshan")->request("POST", "/v1/messages", alert_json("X-1", "kunshan", {"baoshan"})).status, 202);
  EXPECT_EQ(fed.client("jiading")->request("POST", "/v1/messages", alert_json("X-1", "jiading", {"baoshan"})).status, 202);
}

TEST_F(IngestTest, InvalidFieldsAre400NamingTheField) {
  auto c = fed.client("kunshan");
  struct Case { std::string body, field; };
  std::string good = alert_json("KS-5", "kunshan", {"baoshan"});
  std::vector<Case> cases = {
      {alert_json("KS-5", "kunshan", {"baoshan"}, "Terrible"), "body.info[0].severity"},
      {alert_json("bad id!", "kunshan", {"baoshan"}), "id"},
      {alert_json("KS-5", "kunshan", {"nowhere"}), "recipients[0]"},
      {[&] { auto s = good; s.replace(s.find("info_sharing"), 12, "gossip"); return s; }(), "link"},
      {[&] { auto s = good; s.replace(s.find("\"alert\""), 7, "\"case.open\""); return s; }(), "kind"},
      {[&] { auto s = good; s.replace(s.find("2026-11-26T09:30:00+08:00"), 25, "2026-11-26 09:30"); return s; }(), "created_at"},
      {[&] { auto s = good; s.insert(1, "\"colour\":\"red\","); return s; }(), "colour"},
      {[&] { auto s = good; s.replace(s.find("\"320583\""), 8, "\"32058\""); return s; }(), "region_codes[0]"},
  };
  for (const auto& k : cases) {
    HttpResult r = c->request("POST", "/v1/messages", k.body);
    EXPECT_EQ(r.status, 400) << k.field << ": " << r.body;
    EXPECT_EQ(error_code(r), "invalid_field") << r.body;
    EXPECT_EQ(error_field(r), k.field) << r.body;
  }
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/KS-5").status, 404) << "nothing stored";
}

TEST_F(IngestTest, MalformedJsonAndWrongEncodingAre400) {
  auto c = fed.client("kunshan");
  for (std::string body : {std::string("{\"id\":"), std::string("[]"), std::string("\xb4\xab\xb2\xd6")}) {
    HttpResult r = c->request("POST", "/v1/messages", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(error_code(r), "invalid_json");
  }
  std::string gbk_inside = alert_json("KS-6", "kunshan", {"baoshan"});
  gbk_inside.replace(gbk_inside.find("暴雨"), 6, "\xb1\xa9\xd3\xea");  // 暴雨 in GBK, not UTF-8
  EXPECT_EQ(c->request("POST", "/v1/messages", gbk_inside).status, 400);
}

// The reviewer's spoof: taicang sends a document whose first "source" says kunshan. Boost.JSON
// alone kept the last copy (taicang) and answered 202, while a reader keeping the first sees
// kunshan. A member named twice, at any depth, is now 400 and nothing is stored.
TEST_F(IngestTest, RepeatedMemberIs400NamingItAndStoresNothing) {
  auto c = fed.client("taicang");
  struct Case {
    std::string id, after, member, field;
  };
  for (const Case& k : {Case{"TC-D1", "{", R"("source":"kunshan",)", "source"},
                        Case{"TC-D2", R"("body":{)", R"("identifier":"X",)", "body.identifier"},
                        Case{"TC-D3", R"("area":[{)", R"("are\u0061Desc":"x",)",
                             "body.info[0].area[0].areaDesc"}}) {
    std::string body = alert_json(k.id, "taicang", {"baoshan"});
    body.insert(body.find(k.after) + k.after.size(), k.member);
    HttpResult r = c->request("POST", "/v1/messages", body);
    EXPECT_EQ(r.status, 400) << k.field << ": " << r.body;
    EXPECT_EQ(error_code(r), "invalid_json") << r.body;
    EXPECT_EQ(error_field(r), k.field) << r.body;
    EXPECT_EQ(c->request("GET", "/v1/messages/" + k.id).status, 404) << "nothing stored";
    EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/" + k.id).status, 404);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(fed.baoshan_rx->total(), 0u) << "nothing delivered";
}

TEST_F(IngestTest, SpoofedSourceIs403AndStoresNothing) {
  HttpResult r = fed.client("baoshan")->request("POST", "/v1/messages", alert_json("KS-7", "kunshan", {"jiading"}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "forbidden_source");
  EXPECT_EQ(error_field(r), "source");
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/KS-7").status, 404);
  EXPECT_EQ(fed.metric(R"(sixlink_messages_rejected_total{member="baoshan",reason="forbidden"})"), 1);
}

TEST_F(IngestTest, WrongMediaTypeIs415) {
  HttpResult r = fed.client("kunshan")->request("POST", "/v1/messages", alert_json("KS-8", "kunshan"), "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(error_code(r), "unsupported_media_type");
}

TEST_F(IngestTest, GetMessageShowsOnlyTheSendersOwnMessages) {
  ASSERT_EQ(fed.client("kunshan")->request("POST", "/v1/messages", alert_json("KS-9", "kunshan", {"taicang"})).status, 202);
  HttpResult mine = fed.client("kunshan")->request("GET", "/v1/messages/KS-9");
  ASSERT_EQ(mine.status, 200);
  auto v = body_of(mine);
  EXPECT_EQ(v.at("deliveries").as_array()[0].at("to").as_string(), "taicang");
  EXPECT_EQ(v.at("deliveries").as_array()[0].at("state").as_string(), "inbox");
  EXPECT_EQ(fed.client("baoshan")->request("GET", "/v1/messages/KS-9").status, 404);
}

TEST_F(IngestTest, UnknownPathIs404AndWrongMethodIs405) {
  auto c = fed.client("kunshan");
  EXPECT_EQ(c->request("GET", "/v2/nothing").status, 404);
  EXPECT_EQ(c->request("DELETE", "/v1/messages").status, 405);
}

class PolicyIngestTest : public ::testing::Test {
 protected:
  static FederationOptions options() {
    FederationOptions o;
    o.policy_yaml =
        "version: 1\nrouting:\n  - {name: hub, to: [taicang]}\nmembers:\n"
        "  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
        "  baoshan: {send: [info_sharing], receive: [info_sharing]}\n"
        "  jiading: {send: [info_sharing], receive: [info_sharing, joint_patrol]}\n"
        "  kunshan: {send: [info_sharing, joint_mediation], receive: [info_sharing]}\n";
    return o;
  }
  void SetUp() override { fed.start_gateway(); }
  Federation fed{options()};
};

TEST_F(PolicyIngestTest, MemberThatMayNotUseTheLinkIs403NamingTheRule) {
  HttpResult r = fed.client("baoshan")->request("POST", "/v1/messages", case_json("BS-1", "baoshan", "c-1", {"taicang"}));
  EXPECT_EQ(r.status, 403) << r.body;
  auto v = boost::json::parse(r.body);
  EXPECT_EQ(v.at("error").at("code").as_string(), "policy_denied");
  EXPECT_EQ(v.at("error").at("rule").as_string(), "members.baoshan.send");
  EXPECT_EQ(fed.metric(R"(sixlink_policy_denials_total{member="baoshan",rule="send_permission"})"), 1);
}

TEST_F(PolicyIngestTest, RecipientThatMayNotReceiveIs403) {
  HttpResult r = fed.client("kunshan")->request("POST", "/v1/messages", case_json("KS-1", "kunshan", "c-2", {"baoshan"}));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("error").at("rule").as_string(), "members.baoshan.receive");
}

TEST_F(PolicyIngestTest, MessageThatRoutesToNobodyIs422) {
  // Only taicang may receive joint_safety, and a member never receives its own message.
  std::string campaign = R"({"id":"TC-1","source":"taicang","link":"joint_safety","kind":"safety.campaign",)"
                         R"("created_at":"2026-11-26T10:00:00+08:00","body":{"title":"平安联创 冬季消防"}})";
  HttpResult r = fed.client("taicang")->request("POST", "/v1/messages", campaign);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("error").at("code").as_string(), "no_route");
  EXPECT_EQ(fed.client("taicang")->request("GET", "/v1/messages/TC-1").status, 404);
}

}  // namespace
}  // namespace sixlink::testing
