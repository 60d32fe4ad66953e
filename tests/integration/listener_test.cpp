// The mutual-TLS listener: who may connect (DESIGN §10) and the limits of
// gateway.limits (body size, slow header, keep-alive).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

// Writes `bytes` and expects the gateway to close the connection, unanswered, well before
// the client's own 5 s: at the `which` timeout.
void expect_closed_without_answer(MtlsClient& c, const std::string& bytes,
                                  const std::string& which) {
  bool closed = false;
  auto started = std::chrono::steady_clock::now();
  std::string got = c.raw_exchange(bytes, std::chrono::seconds(5), &closed);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(got.empty()) << got;
  EXPECT_LT(took, std::chrono::seconds(4))
      << "closed by the " << which << " timeout, not the client's";
}

// Chinese text of at least `bytes` bytes, for a CAP description.
std::string long_description(std::size_t bytes) {
  std::string text;
  while (text.size() < bytes) text += "太仓浏河镇沿江暴雨积水 ";
  return text;
}

// Kunshan's alert `id` to Taicang with `description` in its info (alert_json has none).
std::string alert_with_description(const std::string& id, const std::string& description) {
  std::string doc = alert_json(id, "kunshan", {"taicang"});
  const std::string anchor = R"("headline":"太仓—昆山交界暴雨预警")";
  doc.insert(doc.find(anchor) + anchor.size(), R"(,"description":")" + description + "\"");
  return doc;
}

// A plain TCP connection to 127.0.0.1:port; -1 if it cannot be made.
int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

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
  // Every CN counts: one naming another member makes the certificate ambiguous.
  Identity two_cns = fed.pki.issue("two-cns", {}, {}, "baoshan.sixlink.local\nkunshan.sixlink.local");
  EXPECT_EQ(fed.client_with(two_cns)->request("GET", "/v1/messages/none").status, 0);
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="unknown_member"})", 1), 1);
  Identity extra_cn = fed.pki.issue("extra-cn", {}, {}, "jiading.sixlink.local\nunit-7");
  EXPECT_EQ(fed.client_with(extra_cn)->request("GET", "/v1/messages/none").status, 404)
      << "a CN that names no member changes nothing";
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

// A request that is not well-formed HTTP gets a 400 with the contract body, then the close
// (RFC 9112 6.3), not a silent close; nothing is stored.
TEST_F(ListenerTest, MalformedFramingIs400ThenClose) {
  const std::string head = "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
  const std::string body = alert_json("KS-FRAME", "kunshan", {"taicang"});
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::string requests[] = {
      head + length + "Content-Length: " + std::to_string(body.size() + 1) + "\r\n\r\n" + body,
      head + length + "Transfer-Encoding: chunked\r\n\r\n" + body,
      head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n",
      "HELLO THERE\r\n\r\n",
  };
  for (const auto& request : requests) {
    bool closed = false;
    std::string answer = fed.client("kunshan")->raw_exchange(request, std::chrono::seconds(3), &closed);
    EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << request << "\n---\n" << answer;
    EXPECT_NE(answer.find("\"code\":\"bad_request\""), std::string::npos) << answer;
    EXPECT_TRUE(closed) << request;
  }
  EXPECT_EQ(fed.client("kunshan")->request("GET", "/v1/messages/KS-FRAME").status, 404) << "nothing stored";
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
  expect_closed_without_answer(*c, "GET /v1/inbox HTTP/1.1\r\nHost: x\r\n", "header");
}

// A TCP client that never starts its handshake is dropped at the header timeout, and the
// refusal is counted as a timeout.
TEST_F(ListenerTest, SilentClientIsDroppedAtTheHandshakeTimeout) {
  const int fd = connect_loopback(fed.port());
  ASSERT_GE(fd, 0);
  timeval five{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  auto started = std::chrono::steady_clock::now();
  char byte;
  const ssize_t got = ::recv(fd, &byte, 1, 0);
  auto took = std::chrono::steady_clock::now() - started;
  ::close(fd);
  EXPECT_EQ(got, 0) << "the gateway closes the connection";
  EXPECT_LT(took, std::chrono::seconds(4)) << "closed by the header timeout, not the client's";
  EXPECT_GE(fed.wait_metric(R"(sixlink_tls_handshake_failures_total{reason="timeout"})", 1), 1);
}

// Two requests written at once are both answered, in order, on the one connection.
TEST_F(ListenerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto c = fed.client("kunshan");
  ASSERT_TRUE(c->connect());
  const std::string one = "GET /v1/messages/first HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string two = "GET /v1/inbox HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  bool closed = false;
  std::string got = c->raw_exchange(one + two, std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed) << "the second request asked to close";
  const auto first = got.find("HTTP/1.1 404"), second = got.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos) << got;
  ASSERT_NE(second, std::string::npos) << got;
  EXPECT_LT(first, second);
}

// A body spread over several TLS records arrives whole, and an answer larger than one
// record (the recipient's inbox page) leaves whole: byte for byte what was sent.
TEST_F(ListenerTest, MessageLargerThanATlsRecordCrossesIntact) {
  const std::string description = long_description(52000);
  const std::string doc = alert_with_description("KS-LARGE", description);
  ASSERT_GT(doc.size(), 3u * 16384);
  HttpResult posted = fed.client("kunshan")->request("POST", "/v1/messages", doc);
  ASSERT_EQ(posted.status, 202) << posted.body;
  HttpResult page = fed.client("taicang")->request("GET", "/v1/inbox");
  ASSERT_EQ(page.status, 200) << page.error;
  EXPECT_GT(page.body.size(), 3u * 16384);
  const auto messages = boost::json::parse(page.body).at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  const auto envelope = boost::json::parse(messages[0].at("body").as_string());
  const auto& info = envelope.at("body").at("info").as_array().at(0);
  EXPECT_EQ(info.at("description").as_string(), description);
}

// A client that asks for a large answer and closes without reading it must cost the
// gateway that connection only: writing to a reset socket raises SIGPIPE unless the
// write says otherwise, and SIGPIPE would end this very process.
TEST_F(ListenerTest, ClientGoneBeforeALargeAnswerDoesNotEndTheGateway) {
  const std::string description = long_description(3000);
  for (int i = 0; i < 30; ++i) {
    const std::string doc = alert_with_description("KS-RST-" + std::to_string(i), description);
    ASSERT_EQ(fed.client("kunshan")->request("POST", "/v1/messages", doc).status, 202);
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_use_certificate_chain_file(ctx, fed.members["taicang"].cert.c_str()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey_file(ctx, fed.members["taicang"].key.c_str(), SSL_FILETYPE_PEM),
            1);
  for (int round = 0; round < 20; ++round) {
    const int fd = connect_loopback(fed.port());
    ASSERT_GE(fd, 0);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ASSERT_EQ(SSL_connect(ssl), 1);
    const std::string get = "GET /v1/inbox?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(SSL_write(ssl, get.data(), static_cast<int>(get.size())),
              static_cast<int>(get.size()));
    // Gone before the answer: its first bytes meet a closed socket, which answers with a
    // reset, and the writes after that fail with EPIPE.
    SSL_free(ssl);
    ::close(fd);
  }
  SSL_CTX_free(ctx);
  HttpResult page = fed.client("taicang")->request("GET", "/v1/inbox?limit=1");
  EXPECT_EQ(page.status, 200) << "the gateway still answers";
}

TEST(ListenerIdleTest, IdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  FederationOptions o;
  o.idle_timeout_ms = 300;
  Federation fed(o);
  fed.start_gateway();
  auto c = fed.client("kunshan");
  ASSERT_EQ(c->request("GET", "/v1/inbox").status, 200);
  ASSERT_EQ(c->request("GET", "/v1/inbox").status, 200);
  EXPECT_EQ(c->connections_made(), 1) << "kept alive within the idle timeout";
  expect_closed_without_answer(*c, "", "idle");
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
