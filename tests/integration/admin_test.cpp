// The admin listener (DESIGN §5): health, readiness, metrics, audit verification, reload.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <ctime>
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

// /readyz names what is wrong and /healthz stays 200: the process is alive, only not
// fit for traffic. Another connection holds the database's write lock, so the store's
// probe cannot commit; when it lets go, the gateway is ready again by itself.
TEST(AdminReadinessTest, ReadyzFailsWhileTheStoreCannotCommitAndRecovers) {
  Federation fed;
  fed.start_gateway();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(fed.dir.file("data/sixlink.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  HttpResult r = fed.admin("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_FALSE(json::parse(r.body).at("checks").at("store_writable").as_bool()) << r.body;
  EXPECT_TRUE(json::parse(r.body).at("checks").at("certificates_loaded").as_bool()) << r.body;
  EXPECT_EQ(fed.admin("GET", "/healthz").status, 200) << "alive, only not ready";
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_TRUE(eventually([&] { return fed.admin("GET", "/readyz").status == 200; }, std::chrono::seconds(15)));
}

TEST(AdminReadinessTest, ReadyzFailsWhileTheGatewayCertificateHasExpiredAndAReloadFixesIt) {
  Federation fed;
  fed.gateway_identity = fed.pki.issue("gateway", {"gateway.sixlink.local", "localhost"}, {"127.0.0.1"}, "", -1);
  fed.start_gateway();
  HttpResult r = fed.admin("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_FALSE(json::parse(r.body).at("checks").at("certificates_loaded").as_bool()) << r.body;
  EXPECT_EQ(fed.admin("GET", "/healthz").status, 200);

  fed.gateway_identity = fed.pki.issue("gateway", {"gateway.sixlink.local", "localhost"}, {"127.0.0.1"});
  ASSERT_EQ(fed.admin("POST", "/admin/reload").status, 200);
  EXPECT_EQ(fed.admin("GET", "/readyz").status, 200) << "rotation by reload makes it ready";
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
                           "sixlink_certificate_expiry_seconds", "sixlink_build_info",
                           "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  EXPECT_GT(fed.metric("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(fed.metric("process_open_fds"), 3);
  const double started = fed.metric("process_start_time_seconds");
  EXPECT_GT(started, static_cast<double>(std::time(nullptr)) - 3600) << "started within the hour";
  EXPECT_LE(started, static_cast<double>(std::time(nullptr)) + 1);
  // The member's last-seen client certificate (issued for 30 days by the test PKI).
  EXPECT_GT(fed.metric(R"(sixlink_certificate_expiry_seconds{subject="member:kunshan"})"), 86400 * 29);
  EXPECT_EQ(fed.metric(R"(sixlink_certificate_expiry_seconds{subject="member:jiading"})"), -1)
      << "no series for a member that has not connected";
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
