// The mutual-TLS listener: who may connect (DESIGN §10) and the limits of
// gateway.limits (body size, slow header, keep-alive).
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

class ListenerTest : public ::testing::Test {
 protected:
  static FederationOptions options() {
    FederationOptions o;
    o.with_crl = true;
    return o;
  }
  void SetUp() override { fed.start_gateway(); }
  Federation fed{options()};
};

TEST_F(ListenerTest, KnownMemberConnectsAndKeepAliveReusesOneConnection) {
  auto c = fed.client("taicang");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c->request("GET", "/v1/inbox").status, 200);
  EXPECT_EQ(c->connections_made(), 1);
}

TEST_F(ListenerTest, CertificateFromAnUnknownCaIsRefused) {
  TempDir other_dir("sixlink-other-ca-");
  TestPki other(other_dir.path(), "Some Other CA");
  Identity stranger = other.issue("kunshan", {"kunshan.sixlink.local"});
  // Over TLS 1.3 the client's handshake completes before the server has checked the
  // client certificate: the refusal shows on the first request.
  EXPECT_EQ(fed.client_with(stranger)->request("GET", "/v1/inbox").status, 0);
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="unknown_ca"})", 1), 1);
}

TEST_F(ListenerTest, CertificateOfNoMemberIsRefused) {
  Identity nobody = fed.pki.issue("nobody", {"nobody.sixlink.local"});
  EXPECT_EQ(fed.client_with(nobody)->request("GET", "/v1/inbox").status, 0);
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="unknown_member"})", 1), 1);
}

TEST_F(ListenerTest, CertificateNamingTwoMembersIsRefused) {
  Identity both = fed.pki.issue("both", {"kunshan.sixlink.local", "baoshan.sixlink.local"});
  EXPECT_EQ(fed.client_with(both)->request("GET", "/v1/inbox").status, 0);
}

TEST_F(ListenerTest, CommonNameMapsWhenThereIsNoSan) {
  Identity cn_only = fed.pki.issue("cn-only", {}, {}, "jiading.sixlink.local");
  auto c = fed.client_with(cn_only);
  EXPECT_EQ(c->request("GET", "/v1/messages/none").status, 404);
}

TEST_F(ListenerTest, NoClientCertificateIsRefused) {
  MtlsClient c("127.0.0.1", fed.port(), fed.pki.ca_cert());
  EXPECT_EQ(c.request("GET", "/v1/inbox").status, 0);
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="no_certificate"})", 1), 1);
}

TEST_F(ListenerTest, RevokedCertificateIsRefused) {
  fed.stop_gateway();
  Identity revoked = fed.pki.issue("kunshan-old", {"kunshan.sixlink.local"});
  fed.crl_path = fed.pki.write_crl({revoked.cert});
  fed.start_gateway();
  EXPECT_EQ(fed.client_with(revoked)->request("GET", "/v1/inbox").status, 0);
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="revoked"})", 1), 1);
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/inbox").status, 200)
      << "the member's current certificate still works";
}

TEST_F(ListenerTest, OnlyTls12AndUpWithAeadSuites) {
  auto old = fed.client("kunshan");
  old->set_tls_versions(TLS1_1_VERSION, TLS1_1_VERSION);
  EXPECT_FALSE(old->connect());
  auto cbc = fed.client("kunshan");
  cbc->set_tls_versions(TLS1_2_VERSION, TLS1_2_VERSION);
  cbc->set_tls12_ciphers("ECDHE-ECDSA-AES128-SHA256");
  EXPECT_FALSE(cbc->connect());
  auto good = fed.client("kunshan");
  good->set_tls_versions(TLS1_2_VERSION, TLS1_2_VERSION);
  EXPECT_TRUE(good->connect());
  EXPECT_EQ(good->tls_version(), "TLSv1.2");
}

// No TLS 1.3 session tickets: OpenSSL 3.0 builds each one by decoding the client's
// certificate again, a fifth of a full handshake's CPU (docs/performance.md, "(e)").
TEST_F(ListenerTest, NoTls13SessionTicketsAreIssued) {
  auto c = fed.client("kunshan");
  c->set_tls_versions(TLS1_3_VERSION, TLS1_3_VERSION);
  ASSERT_EQ(c->request("GET", "/v1/inbox").status, 200);  // tickets would have come before it
  EXPECT_EQ(c->tls_version(), "TLSv1.3");
  EXPECT_FALSE(c->session_resumable());
}

// The gateway sends its certificate file's chain (here the leaf alone), not a chain built
// from the trust store with the root the member already has.
TEST_F(ListenerTest, ServerSendsItsCertificateWithoutTheRoot) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto c = fed.client("kunshan");
    c->set_tls_versions(version, version);
    ASSERT_EQ(c->request("GET", "/v1/inbox").status, 200);
    EXPECT_EQ(c->server_certificates_sent(), 1) << c->tls_version();
  }
}

TEST_F(ListenerTest, LargeBodyIs413) {
  std::string big = alert_json("KS-BIG", "kunshan", {"baoshan"});
  big.insert(big.size() - 2, ",\"pad\":\"" + std::string(70000, 'x') + "\"");
  HttpResult r = fed.client("kunshan")->request("POST", "/v1/messages", big);
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(fed.metric(R"(sixlink_messages_received_total{kind="alert",link="info_sharing",member="kunshan"})"), 0);
}

TEST_F(ListenerTest, SlowHeaderClosesTheConnection) {
  auto c = fed.client("kunshan");
  ASSERT_TRUE(c->connect());
  bool closed = false;
  auto started = std::chrono::steady_clock::now();
  std::string got = c->raw_exchange("GET /v1/inbox HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(5), &closed);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(got.empty()) << got;
  EXPECT_LT(took, std::chrono::seconds(4)) << "closed by the header timeout, not the client's";
}

TEST(ListenerLimitTest, ConnectionsOverMaxConnectionsAreRefused) {
  FederationOptions o;
  o.max_connections = 2;
  Federation fed(o);
  fed.start_gateway();
  auto a = fed.client("kunshan");
  auto b = fed.client("baoshan");
  ASSERT_EQ(a->request("GET", "/v1/messages/none").status, 404);
  ASSERT_EQ(b->request("GET", "/v1/messages/none").status, 404);
  EXPECT_EQ(fed.client("jiading")->request("GET", "/v1/messages/none").status, 0);
  b.reset();  // a slot frees up once a connection ends
  EXPECT_TRUE(eventually([&] { return fed.client("jiading")->request("GET", "/v1/messages/none").status == 404; }));
}

}  // namespace
}  // namespace sixlink::testing
