// The admin listener (DESIGN §5): health, readiness, metrics, audit verification, reload.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override { fed.start_gateway(); }
  Federation fed;
};

TEST_F(AdminTest, HealthAndReadiness) {
  EXPECT_EQ(fed.admin("GET", "/healthz").status, 200);
  HttpResult r = fed.admin("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  auto checks = json::parse(r.body).at("checks");
  EXPECT_TRUE(checks.at("store_writable").as_bool());
  EXPECT_TRUE(checks.at("certificates_loaded").as_bool());
  EXPECT_TRUE(checks.at("partner_listener_up").as_bool());
}

TEST_F(AdminTest, MetricsExposeTheSpineSeries) {
  ASSERT_EQ(fed.client("kunshan")->request("POST", "/v1/messages", alert_json("KS-M", "kunshan", {"taicang"})).status, 202);
  HttpResult r = fed.admin("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.header("content-type").starts_with("text/plain; version=0.0.4")) << r.header("content-type");
  for (const char* name : {"sixlink_messages_received_total", "sixlink_messages_rejected_total",
                           "sixlink_deliveries_total", "sixlink_delivery_latency_seconds_bucket",
                           "sixlink_ingest_latency_seconds_bucket", "sixlink_queue_depth",
                           "sixlink_deadletters", "sixlink_member_up", "sixlink_connections_active",
                           "sixlink_tls_handshake_failures_total", "sixlink_store_commit_seconds_bucket",
                           "sixlink_certificate_expiry_seconds", "sixlink_build_info"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  EXPECT_EQ(fed.metric(R"(sixlink_messages_received_total{kind="alert",link="info_sharing",member="kunshan"})"), 1);
  EXPECT_EQ(fed.metric(R"(sixlink_queue_depth{member="taicang"})"), 1);
  EXPECT_EQ(fed.metric("sixlink_ingest_latency_seconds_count"), 1);
  EXPECT_GT(fed.metric(R"(sixlink_certificate_expiry_seconds{subject="gateway"})"), 86400 * 29);
}

TEST_F(AdminTest, AuditChainVerifies) {
  ASSERT_EQ(fed.client("kunshan")->request("POST", "/v1/messages", alert_json("KS-A", "kunshan", {"taicang"})).status, 202);
  HttpResult r = fed.admin("GET", "/admin/audit/verify");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body).at("ok").as_bool());
  EXPECT_GE(json::parse(r.body).at("entries").as_int64(), 1);
}

TEST_F(AdminTest, ReloadSwapsThePolicyAndRefusesABrokenOne) {
  auto c = fed.client("baoshan");
  ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("BS-1", "baoshan", {"taicang"})).status, 202);
  std::ofstream(fed.dir.file("policy.yaml"))
      << "version: 1\nmembers:\n  taicang: {send: [\"*\"], receive: [\"*\"]}\n"
         "  baoshan: {send: [joint_patrol], receive: [\"*\"]}\n"
         "  jiading: {send: [\"*\"], receive: [\"*\"]}\n  kunshan: {send: [\"*\"], receive: [\"*\"]}\n";
  HttpResult ok = fed.admin("POST", "/admin/reload");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(c->request("POST", "/v1/messages", alert_json("BS-2", "baoshan", {"taicang"})).status, 403)
      << "the same kept-alive connection sees the new policy";
  std::ofstream(fed.dir.file("policy.yaml")) << "version: 1\nmembers:\n  nobody: {send: [gossip]}\n";
  HttpResult bad = fed.admin("POST", "/admin/reload");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("policy.yaml"), std::string::npos) << bad.body;
  EXPECT_EQ(c->request("POST", "/v1/messages", alert_json("BS-3", "baoshan", {"taicang"})).status, 403)
      << "the previous policy stays in force";
}

TEST_F(AdminTest, UnknownAdminPathIs404) { EXPECT_EQ(fed.admin("GET", "/admin/nothing").status, 404); }

}  // namespace
}  // namespace sixlink::testing
