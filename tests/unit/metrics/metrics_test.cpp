// Tests of gateway/metrics: every contract metric of DESIGN §5 is exposed from start-up,
// and counting through the kept handles shows up under the right labels.
#include "gateway/metrics/metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "gateway/core/envelope.h"
#include "policies/policy.h"

namespace sixlink {
namespace {

GatewayConfig two_members() {
  GatewayConfig c;
  c.id = "taicang";
  for (const char* id : {"baoshan", "kunshan"}) {
    MemberConfig m;
    m.id = id;
    m.identity = std::string(id) + ".sixlink.local";
    m.adapter = "sixlink";
    c.members.push_back(m);
  }
  return c;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

int count_prefix(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  int n = 0;
  for (std::string l; std::getline(in, l);)
    if (l.rfind(prefix, 0) == 0) ++n;
  return n;
}

#define EXPECT_LINE(text, line) \
  EXPECT_TRUE(has_line(text, line)) << "missing line: " << (line) << "\n" << (text)

TEST(MetricsTest, EveryContractMetricIsDeclared) {
  GatewayMetrics metrics(two_members());
  metrics.set_certificate_expiry("gateway", 86400);
  std::string text = metrics.serialize();
  const std::pair<const char*, const char*> declared[] = {
      {"sixlink_messages_received_total", "counter"},
      {"sixlink_messages_rejected_total", "counter"},
      {"sixlink_deliveries_total", "counter"},
      {"sixlink_delivery_latency_seconds", "histogram"},
      {"sixlink_ingest_latency_seconds", "histogram"},
      {"sixlink_queue_depth", "gauge"},
      {"sixlink_deadletters", "gauge"},
      {"sixlink_tls_handshake_failures_total", "counter"},
      {"sixlink_connections_active", "gauge"},
      {"sixlink_member_up", "gauge"},
      {"sixlink_certificate_expiry_seconds", "gauge"},
      {"sixlink_store_commit_seconds", "histogram"},
      {"sixlink_policy_denials_total", "counter"},
      {"sixlink_build_info", "gauge"},
  };
  for (const auto& [name, type] : declared)
    EXPECT_LINE(text, std::string("# TYPE ") + name + " " + type);
}

TEST(MetricsTest, SeriesExistAtStartUpWithZeroValues) {
  GatewayMetrics metrics(two_members());
  std::string text = metrics.serialize();
  // One received series per member, link and kind of DESIGN §1 (17 link/kind pairs).
  std::size_t pairs = 0;
  for (const auto& link : link_ids()) pairs += kinds_of(link).size();
  EXPECT_EQ(pairs, 17u);
  EXPECT_EQ(count_prefix(text, "sixlink_messages_received_total{"), static_cast<int>(2 * pairs));
  EXPECT_LINE(
      text,
      R"(sixlink_messages_received_total{kind="case.transfer",link="joint_governance",member="kunshan"} 0)");
  EXPECT_EQ(count_prefix(text, "sixlink_messages_rejected_total{"),
            2 * static_cast<int>(RejectReason::count_));
  EXPECT_EQ(count_prefix(text, "sixlink_tls_handshake_failures_total{"),
            static_cast<int>(TlsFailure::count_));
  EXPECT_LINE(text, R"(sixlink_member_up{member="baoshan"} 1)");
  EXPECT_LINE(text, R"(sixlink_member_up{member="kunshan"} 1)");
  EXPECT_LINE(text, R"(sixlink_queue_depth{member="kunshan"} 0)");
  EXPECT_LINE(text, R"(sixlink_connections_active{listener="partner"} 0)");
  EXPECT_LINE(text, R"(sixlink_connections_active{listener="admin"} 0)");
  EXPECT_LINE(text, std::string(R"(sixlink_build_info{version=")") + SIXLINK_VERSION + "\"} 1");
  for (const char* rule : {kRuleSend, kRuleReceive, kRuleNoRoute, kRuleUnknownRecipient})
    EXPECT_LINE(text, std::string(R"(sixlink_policy_denials_total{member="baoshan",rule=")") +
                          rule + "\"} 0");
  // No certificate series until one is set.
  EXPECT_EQ(count_prefix(text, "sixlink_certificate_expiry_seconds{"), 0);
}

TEST(MetricsTest, CountsThroughMemberHandles) {
  GatewayMetrics metrics(two_members());
  MemberMetrics* baoshan = metrics.member("baoshan");
  MemberMetrics* kunshan = metrics.member("kunshan");
  ASSERT_NE(baoshan, nullptr);
  ASSERT_NE(kunshan, nullptr);
  EXPECT_NE(baoshan, kunshan);

  baoshan->count_received("info_sharing", "alert");
  kunshan->count_received("joint_patrol", "patrol.position");
  kunshan->count_received("joint_patrol", "patrol.position");
  kunshan->count_received("joint_patrol", "alert");  // not a kind of the link: ignored
  kunshan->count_received("no_link", "alert");       // ignored, no new series
  kunshan->count_rejected(RejectReason::too_large);
  kunshan->count_rejected(RejectReason::unsupported_media_type);
  baoshan->count_rejected(RejectReason::policy_denied);
  baoshan->delivered->Increment();
  baoshan->retried->Increment(3);
  kunshan->dead_lettered->Increment();
  kunshan->queue_depth->Set(42);
  kunshan->deadletters->Set(2);
  kunshan->up->Set(0);
  baoshan->policy_denials.at(kRuleReceive)->Increment();

  std::string text = metrics.serialize();
  EXPECT_LINE(
      text,
      R"(sixlink_messages_received_total{kind="alert",link="info_sharing",member="baoshan"} 1)");
  EXPECT_LINE(
      text,
      R"(sixlink_messages_received_total{kind="alert",link="info_sharing",member="kunshan"} 0)");
  EXPECT_LINE(
      text,
      R"(sixlink_messages_received_total{kind="patrol.position",link="joint_patrol",member="kunshan"} 2)");
  EXPECT_EQ(count_prefix(text, "sixlink_messages_received_total{"), 34);
  EXPECT_LINE(text, R"(sixlink_messages_rejected_total{member="kunshan",reason="too_large"} 1)");
  EXPECT_LINE(
      text,
      R"(sixlink_messages_rejected_total{member="kunshan",reason="unsupported_media_type"} 1)");
  EXPECT_LINE(text,
              R"(sixlink_messages_rejected_total{member="baoshan",reason="policy_denied"} 1)");
  EXPECT_LINE(text, R"(sixlink_messages_rejected_total{member="baoshan",reason="too_large"} 0)");
  EXPECT_LINE(text, R"(sixlink_deliveries_total{member="baoshan",outcome="delivered"} 1)");
  EXPECT_LINE(text, R"(sixlink_deliveries_total{member="baoshan",outcome="retried"} 3)");
  EXPECT_LINE(text, R"(sixlink_deliveries_total{member="kunshan",outcome="dead_lettered"} 1)");
  EXPECT_LINE(text, R"(sixlink_deliveries_total{member="kunshan",outcome="delivered"} 0)");
  EXPECT_LINE(text, R"(sixlink_queue_depth{member="kunshan"} 42)");
  EXPECT_LINE(text, R"(sixlink_deadletters{member="kunshan"} 2)");
  EXPECT_LINE(text, R"(sixlink_member_up{member="kunshan"} 0)");
  EXPECT_LINE(text, R"(sixlink_member_up{member="baoshan"} 1)");
  EXPECT_LINE(text,
              R"(sixlink_policy_denials_total{member="baoshan",rule="receive_permission"} 1)");
  EXPECT_LINE(text,
              R"(sixlink_policy_denials_total{member="kunshan",rule="receive_permission"} 0)");
}

TEST(MetricsTest, GatewayWideHandles) {
  GatewayMetrics metrics(two_members());
  metrics.tls_failure(TlsFailure::revoked);
  metrics.tls_failure(TlsFailure::unknown_ca);
  metrics.tls_failure(TlsFailure::unknown_ca);
  metrics.connections_partner().Increment();
  metrics.connections_partner().Increment();
  metrics.connections_partner().Decrement();
  metrics.connections_admin().Increment();
  metrics.ingest_latency().Observe(0.003);
  metrics.store_commit().Observe(0.0003);
  metrics.store_commit().Observe(2.0);
  metrics.member("baoshan")->delivery_latency->Observe(0.2);

  std::string text = metrics.serialize();
  EXPECT_LINE(text, R"(sixlink_tls_handshake_failures_total{reason="revoked"} 1)");
  EXPECT_LINE(text, R"(sixlink_tls_handshake_failures_total{reason="unknown_ca"} 2)");
  EXPECT_LINE(text, R"(sixlink_tls_handshake_failures_total{reason="expired"} 0)");
  EXPECT_LINE(text, R"(sixlink_connections_active{listener="partner"} 1)");
  EXPECT_LINE(text, R"(sixlink_connections_active{listener="admin"} 1)");
  EXPECT_LINE(text, "sixlink_ingest_latency_seconds_count 1");
  EXPECT_LINE(text, R"(sixlink_ingest_latency_seconds_bucket{le="0.0025"} 0)");
  EXPECT_LINE(text, R"(sixlink_ingest_latency_seconds_bucket{le="0.005"} 1)");
  EXPECT_LINE(text, "sixlink_store_commit_seconds_count 2");
  EXPECT_LINE(text, R"(sixlink_store_commit_seconds_bucket{le="0.0005"} 1)");
  EXPECT_LINE(text, R"(sixlink_store_commit_seconds_bucket{le="1"} 1)");
  EXPECT_LINE(text, R"(sixlink_store_commit_seconds_bucket{le="+Inf"} 2)");
  EXPECT_LINE(text, R"(sixlink_delivery_latency_seconds_count{member="baoshan"} 1)");
  EXPECT_LINE(text, R"(sixlink_delivery_latency_seconds_count{member="kunshan"} 0)");
  EXPECT_LINE(text, R"(sixlink_delivery_latency_seconds_bucket{member="baoshan",le="0.1"} 0)");
  EXPECT_LINE(text, R"(sixlink_delivery_latency_seconds_bucket{member="baoshan",le="0.25"} 1)");
}

TEST(MetricsTest, CertificateExpiryKeepsOneSeriesPerSubject) {
  GatewayMetrics metrics(two_members());
  metrics.set_certificate_expiry("gateway", 86400);
  metrics.set_certificate_expiry("ca", 3.15e7);
  metrics.set_certificate_expiry("gateway", 3600);  // after a reload
  std::string text = metrics.serialize();
  EXPECT_LINE(text, R"(sixlink_certificate_expiry_seconds{subject="gateway"} 3600)");
  EXPECT_LINE(text, R"(sixlink_certificate_expiry_seconds{subject="ca"} 31500000)");
  EXPECT_EQ(count_prefix(text, "sixlink_certificate_expiry_seconds{"), 2);
}

TEST(MetricsTest, UnknownMemberIsNull) {
  GatewayMetrics metrics(two_members());
  EXPECT_EQ(metrics.member("taicang"), nullptr);  // the hub itself is not a member here
  EXPECT_EQ(metrics.member("minhang"), nullptr);
  EXPECT_EQ(metrics.member(""), nullptr);
  EXPECT_EQ(metrics.member("Baoshan"), nullptr);
  std::string text = metrics.serialize();
  EXPECT_EQ(text.find("minhang"), std::string::npos);
  EXPECT_EQ(text.find(R"(member="taicang")"), std::string::npos);
}

TEST(MetricsTest, FixedReasonNamesAreDistinct) {
  std::set<std::string> reasons;
  for (int r = 0; r < static_cast<int>(RejectReason::count_); ++r)
    reasons.insert(to_string(static_cast<RejectReason>(r)));
  EXPECT_EQ(reasons.size(), static_cast<std::size_t>(RejectReason::count_));
  EXPECT_STREQ(to_string(RejectReason::invalid), "invalid");
  EXPECT_STREQ(to_string(RejectReason::store_error), "store_error");
  std::set<std::string> tls;
  for (int f = 0; f < static_cast<int>(TlsFailure::count_); ++f)
    tls.insert(to_string(static_cast<TlsFailure>(f)));
  EXPECT_EQ(tls.size(), static_cast<std::size_t>(TlsFailure::count_));
  EXPECT_STREQ(to_string(TlsFailure::other), "other");
}

TEST(MetricsTest, NoMembersStillServesGatewayMetrics) {
  GatewayMetrics metrics(GatewayConfig{});
  std::string text = metrics.serialize();
  EXPECT_LINE(text, "# TYPE sixlink_tls_handshake_failures_total counter");
  EXPECT_EQ(count_prefix(text, "sixlink_messages_received_total{"), 0);
  EXPECT_EQ(metrics.member("baoshan"), nullptr);
}

}  // namespace
}  // namespace sixlink
