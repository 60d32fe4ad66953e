// Delivery end to end: push to a real receiving partner over mutual TLS, retries,
// dead letters and replay, the circuit breaker, per-case order, pull inbox and ack,
// and resumption after a restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override { fed.start_gateway(); }
  HttpResult send(const std::string& member, const std::string& body) {
    auto& c = clients[member];
    if (!c) c = fed.client(member);
    return c->request("POST", "/v1/messages", body);
  }
  std::string state_of(const std::string& sender, const std::string& id, std::size_t i = 0) {
    HttpResult r = fed.client(sender)->request("GET", "/v1/messages/" + id);
    if (r.status != 200) return "status " + std::to_string(r.status);
    return std::string(json::parse(r.body).at("deliveries").as_array()[i].at("state").as_string());
  }
  Federation fed;
  std::map<std::string, std::unique_ptr<MtlsClient>> clients;
};

TEST_F(RelayTest, PushDeliveryCarriesTheHeadersAndTheCanonicalBody) {
  ASSERT_EQ(send("kunshan", alert_json("KS-1", "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(1, 10s));
  ReceivedDelivery d = fed.baoshan_rx->received().at(0);
  EXPECT_EQ(d.message_id, "KS-1");
  EXPECT_EQ(d.source, "kunshan");
  EXPECT_EQ(d.link, "info_sharing");
  EXPECT_EQ(d.kind, "alert");
  EXPECT_EQ(d.target, "/sixlink/inbox");
  EXPECT_EQ(d.content_type, "application/json");
  EXPECT_EQ(json::parse(d.body).at("body").at("info").as_array()[0].at("event").as_string(), "暴雨");
  EXPECT_EQ(fed.baoshan_rx->client_identity_of_last(), "gateway.sixlink.local");
  EXPECT_TRUE(eventually([&] { return state_of("kunshan", "KS-1") == "delivered"; })) << state_of("kunshan", "KS-1");
  EXPECT_EQ(fed.metric(R"(sixlink_deliveries_total{member="baoshan",outcome="delivered"})"), 1);
}

TEST_F(RelayTest, PushReusesItsConnections) {
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(send("kunshan", alert_json("KS-K" + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(20, 10s));
  // At most one kept-alive connection per delivery in flight (max_in_flight, 4 by default).
  EXPECT_LE(fed.baoshan_rx->connections_accepted(), 4u);
}

// max_in_flight deliveries at once, each on its own connection, and never more.
TEST(RelayInFlight, PushRunsUpToMaxInFlightDeliveriesAtOnce) {
  FederationOptions options;
  options.max_in_flight = 3;
  Federation fed(options);
  fed.start_gateway();
  fed.baoshan_rx->set_delay(300ms);
  auto client = fed.client("kunshan");
  constexpr int kMessages = 12;
  for (int i = 0; i < kMessages; ++i)
    ASSERT_EQ(client->request("POST", "/v1/messages", alert_json("KS-F" + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(kMessages, 20s)) << fed.baoshan_rx->unique();
  EXPECT_GE(fed.baoshan_rx->max_in_flight(), 2u);
  EXPECT_LE(fed.baoshan_rx->max_in_flight(), 3u);
  EXPECT_LE(fed.baoshan_rx->connections_accepted(), 3u);
  for (const auto& [id, n] : fed.baoshan_rx->counts()) EXPECT_EQ(n, 1) << id;
  EXPECT_TRUE(eventually([&] {
    return fed.metric(R"(sixlink_deliveries_total{member="baoshan",outcome="delivered"})") == kMessages;
  }));
}

// Two cases and loose alerts interleaved, with retries, while deliveries overlap: each
// case arrives in its own order; the alerts may overtake.
TEST(RelayInFlight, EachCaseKeepsItsOrderWhileDeliveriesOverlap) {
  FederationOptions options;
  options.max_in_flight = 4;
  Federation fed(options);
  fed.start_gateway();
  fed.baoshan_rx->set_delay(20ms);
  fed.baoshan_rx->set_status_for_next(5, 503);
  auto client = fed.client("kunshan");
  std::map<std::string, std::vector<std::string>> sent;  // case -> message ids in order
  int n = 0;
  for (int i = 0; i < 8; ++i) {
    for (const char* c : {"kunshan:2026-81", "kunshan:2026-82"}) {
      std::string id = "KS-O" + std::to_string(n++);
      ASSERT_EQ(client->request("POST", "/v1/messages", case_json(id, "kunshan", c, {"baoshan"}, i == 0 ? "case.open" : "case.update")).status, 202);
      sent[c].push_back(id);
    }
    ASSERT_EQ(client->request("POST", "/v1/messages", alert_json("KS-OA" + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  }
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(24, 30s)) << fed.baoshan_rx->unique();
  std::map<std::string, std::string> case_of;
  for (const auto& [c, ids] : sent)
    for (const auto& id : ids) case_of[id] = c;
  std::map<std::string, std::vector<std::string>> delivered;
  for (const auto& d : fed.baoshan_rx->received())
    if (d.answered_status == 200 && case_of.count(d.message_id)) delivered[case_of[d.message_id]].push_back(d.message_id);
  EXPECT_EQ(delivered, sent);
  EXPECT_GE(fed.baoshan_rx->max_in_flight(), 2u);
  EXPECT_LE(fed.baoshan_rx->max_in_flight(), 4u);
}

// A patrol whose first message keeps failing holds back only its own messages: another
// patrol and an alert queued behind more of them than a pass reads with their messages
// (pages of 256) go at once, each patrol in its order, and the first patrol keeps its
// order until its head gets through.
TEST(RelayBlockedKey, MessagesQueuedBehindThousandsOfABlockedPatrolGoAtOnce) {
  FederationOptions options;
  options.durability = "normal";  // thousands of acceptances in a few seconds
  Federation fed(options);
  fed.start_gateway();
  fed.baoshan_rx->set_status_for_message("KS-PP0", 503);
  auto client = fed.client("kunshan");
  auto send_patrol = [&](const std::string& patrol, const std::string& prefix, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back(prefix + std::to_string(i));
      std::string body = patrol_json(ids.back(), "kunshan", patrol, {"baoshan"});
      EXPECT_EQ(client->request("POST", "/v1/messages", body).status, 202);
    }
    return ids;
  };
  auto delivered_of = [&](const std::string& prefix) {
    std::vector<std::string> ids;
    for (const auto& d : fed.baoshan_rx->received())
      if (d.answered_status == 200 && d.message_id.starts_with(prefix)) ids.push_back(d.message_id);
    return ids;
  };
  // The head and 2,100 follow-ups: more than 8 pages of 256.
  const std::vector<std::string> blocked = send_patrol("ks-p1", "KS-PP", 2101);
  const std::vector<std::string> other = send_patrol("ks-p2", "KS-PQ", 3);
  std::string alert = alert_json("KS-PA", "kunshan", {"baoshan"});
  ASSERT_EQ(client->request("POST", "/v1/messages", alert).status, 202);
  EXPECT_TRUE(eventually([&] { return fed.baoshan_rx->counts().count("KS-PA") == 1; }, 15s))
      << "the alert waits behind the blocked patrol";
  EXPECT_TRUE(eventually([&] { return delivered_of("KS-PQ") == other; }, 15s))
      << "the other patrol waits behind the blocked one";
  for (const auto& d : fed.baoshan_rx->received())
    EXPECT_TRUE(!d.message_id.starts_with("KS-PP") || d.message_id == "KS-PP0")
        << d.message_id << " overtook its patrol's head";

  fed.baoshan_rx->set_status_for_message("KS-PP0", 200);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(blocked.size() + other.size() + 1, 60s))
      << fed.baoshan_rx->unique();
  std::vector<std::string> delivered = delivered_of("KS-PP");
  ASSERT_EQ(delivered.size(), blocked.size());
  auto [got, want] = std::mismatch(delivered.begin(), delivered.end(), blocked.begin());
  EXPECT_TRUE(got == delivered.end()) << *got << " arrived where " << *want << " was due";
}

TEST_F(RelayTest, PartnerDownForAWhileThenBackReceivesEverythingExactlyOnce) {
  fed.baoshan_rx->stop();
  constexpr int kMessages = 60;
  for (int i = 0; i < kMessages; ++i)
    ASSERT_EQ(send("jiading", alert_json("JD-" + std::to_string(i), "jiading", {"baoshan"})).status, 202);
  // Several retries, then the circuit opens.
  EXPECT_TRUE(eventually([&] { return fed.metric(R"(sixlink_member_up{member="baoshan"})") == 0; }));
  EXPECT_GT(fed.metric(R"(sixlink_deliveries_total{member="baoshan",outcome="retried"})"), 0);
  fed.baoshan_rx->start();
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(kMessages, 30s)) << fed.baoshan_rx->unique();
  std::this_thread::sleep_for(300ms);
  for (const auto& [id, n] : fed.baoshan_rx->counts()) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(fed.baoshan_rx->total(), static_cast<std::size_t>(kMessages));
  EXPECT_TRUE(eventually([&] { return fed.metric(R"(sixlink_member_up{member="baoshan"})") == 1; }));
}

TEST_F(RelayTest, OneDeadPartnerDoesNotDelayAnother) {
  fed.baoshan_rx->stop();
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(send("kunshan", alert_json("KS-D" + std::to_string(i), "kunshan", {"baoshan", "jiading"})).status, 202);
  ASSERT_TRUE(fed.jiading_rx->wait_for_unique(20, 5s)) << fed.jiading_rx->unique();
  EXPECT_EQ(fed.baoshan_rx->total(), 0u);
}

TEST_F(RelayTest, OrderIsKeptPerCaseAcrossRetries) {
  fed.baoshan_rx->set_status_for_next(3, 503);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(send("kunshan", case_json("KS-C" + std::to_string(i), "kunshan", "kunshan:2026-77",
                                        {"baoshan"}, i == 0 ? "case.open" : "case.update")).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(10, 20s));
  std::vector<std::string> delivered;
  for (const auto& d : fed.baoshan_rx->received())
    if (d.answered_status == 200) delivered.push_back(d.message_id);
  ASSERT_EQ(delivered.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(delivered[i], "KS-C" + std::to_string(i));
}

TEST_F(RelayTest, ClientErrorDeadLettersAndReplayDelivers) {
  fed.baoshan_rx->set_status(422);
  ASSERT_EQ(send("kunshan", alert_json("KS-DL", "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_received(1, 10s));
  json::value list;
  eventually([&] {
    list = json::parse(fed.admin("GET", "/admin/deadletters").body);
    return !list.at("deadletters").as_array().empty();
  });
  ASSERT_EQ(list.at("deadletters").as_array().size(), 1u);
  auto& dl = list.at("deadletters").as_array()[0];
  EXPECT_EQ(dl.at("message_id").as_string(), "KS-DL");
  EXPECT_EQ(dl.at("member").as_string(), "baoshan");
  EXPECT_EQ(dl.at("last_error").as_string(), "HTTP 422");
  EXPECT_EQ(state_of("kunshan", "KS-DL"), "dead_letter");
  EXPECT_EQ(fed.metric(R"(sixlink_deadletters{member="baoshan"})"), 1);

  fed.baoshan_rx->set_status(200);
  std::string id(dl.at("id").as_string());
  EXPECT_EQ(fed.admin("POST", "/admin/deadletters/" + id + "/replay").status, 200);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(1, 10s));
  EXPECT_EQ(fed.admin("POST", "/admin/deadletters/" + id + "/replay").status, 404) << "no longer a dead letter";
  EXPECT_EQ(fed.admin("POST", "/admin/deadletters/abc/replay").status, 400);
}

TEST_F(RelayTest, ServerErrorsRetryThenConflictCountsAsDelivered) {
  fed.baoshan_rx->set_status_for_next(2, 500);
  ASSERT_EQ(send("kunshan", alert_json("KS-R", "kunshan", {"baoshan"})).status, 202);
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(1, 10s));
  EXPECT_EQ(fed.baoshan_rx->received().size(), 3u);
  fed.jiading_rx->set_status(409);  // the member already had it: delivered
  ASSERT_EQ(send("kunshan", alert_json("KS-409", "kunshan", {"jiading"})).status, 202);
  EXPECT_TRUE(eventually([&] { return state_of("kunshan", "KS-409") == "delivered"; })) << state_of("kunshan", "KS-409");
}

TEST_F(RelayTest, PullMemberReadsItsInboxAndAcknowledges) {
  ASSERT_EQ(send("kunshan", alert_json("KS-P1", "kunshan", {"taicang"})).status, 202);
  ASSERT_EQ(send("jiading", alert_json("JD-P2", "jiading", {"taicang"})).status, 202);
  auto tc = fed.client("taicang");
  HttpResult page = tc->request("GET", "/v1/inbox?limit=1");
  ASSERT_EQ(page.status, 200) << page.body;
  auto v = json::parse(page.body);
  ASSERT_EQ(v.at("messages").as_array().size(), 1u);
  auto& m = v.at("messages").as_array()[0];
  EXPECT_EQ(m.at("id").as_string(), "KS-P1");
  EXPECT_EQ(m.at("source").as_string(), "kunshan");
  EXPECT_EQ(m.at("body_encoding").as_string(), "utf-8");
  EXPECT_EQ(json::parse(m.at("body").as_string()).at("id").as_string(), "KS-P1");
  std::string next(v.at("next").as_string());

  HttpResult rest = tc->request("GET", "/v1/inbox?after=" + next);
  ASSERT_EQ(json::parse(rest.body).at("messages").as_array().size(), 1u);
  EXPECT_EQ(tc->request("POST", "/v1/inbox/ack", "{\"cursor\":\"" + next + "\"}").status, 204);
  EXPECT_EQ(state_of("kunshan", "KS-P1"), "delivered");
  EXPECT_EQ(state_of("jiading", "JD-P2"), "inbox");
  auto after_ack = json::parse(tc->request("GET", "/v1/inbox").body);
  ASSERT_EQ(after_ack.at("messages").as_array().size(), 1u);
  EXPECT_EQ(after_ack.at("messages").as_array()[0].at("id").as_string(), "JD-P2");

  EXPECT_EQ(tc->request("POST", "/v1/inbox/ack", "{\"cursor\":5}").status, 400);
  // A repeated cursor: Boost.JSON alone kept the last one and acknowledged through it.
  const std::string last(json::parse(rest.body).at("next").as_string());  // JD-P2's cursor
  HttpResult twice =
      tc->request("POST", "/v1/inbox/ack", R"({"cursor":"0","cursor":")" + last + "\"}");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(json::parse(twice.body).at("error").at("field").as_string(), "cursor");
  EXPECT_NE(twice.body.find("appears more than once"), std::string::npos) << twice.body;
  EXPECT_EQ(state_of("jiading", "JD-P2"), "inbox") << "nothing acknowledged";
  EXPECT_EQ(tc->request("GET", "/v1/inbox?limit=0").status, 400);
  HttpResult two_limits = tc->request("GET", "/v1/inbox?limit=1&limit=1000");
  EXPECT_EQ(two_limits.status, 400) << "which limit was meant? " << two_limits.body;
  EXPECT_NE(two_limits.body.find("\"field\":\"limit\""), std::string::npos) << two_limits.body;
  EXPECT_EQ(fed.admin("GET", "/admin/deadletters?limit=1&limit=2").status, 400);
  EXPECT_EQ(fed.client("baoshan")->request("GET", "/v1/inbox").status, 409) << "baoshan is a push member";
}

// A push member that is down is switched to pull (docs/operations.md: a restart). What it
// had queued moves to its inbox, where it can read and acknowledge it; before, those rows
// stayed push rows that the inbox showed but no ack could ever finish.
TEST_F(RelayTest, APushMemberSwitchedToPullReadsAndAcknowledgesItsQueue) {
  fed.baoshan_rx->stop();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(send("kunshan", alert_json("KS-MD" + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  clients.clear();
  fed.stop_gateway();
  fed.options.pull_instead_of_push = {"baoshan"};
  fed.start_gateway();
  auto page = json::parse(fed.client("baoshan")->request("GET", "/v1/inbox").body);
  const auto& messages = page.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u) << page;
  const std::string next(page.at("next").as_string());
  EXPECT_EQ(fed.client("baoshan")->request("POST", "/v1/inbox/ack", "{\"cursor\":\"" + next + "\"}").status, 204);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(state_of("kunshan", "KS-MD" + std::to_string(i)), "delivered") << i;
  auto after = json::parse(fed.client("baoshan")->request("GET", "/v1/inbox").body);
  EXPECT_TRUE(after.at("messages").as_array().empty()) << after;
}

TEST_F(RelayTest, PendingDeliveriesResumeAfterARestart) {
  fed.baoshan_rx->stop();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(send("kunshan", alert_json("KS-RS" + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  clients.clear();
  fed.stop_gateway();
  fed.baoshan_rx->start();
  fed.start_gateway();
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(5, 10s)) << fed.baoshan_rx->unique();
}

}  // namespace
}  // namespace sixlink::testing
