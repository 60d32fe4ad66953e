// Tests of the test-support library itself (tests/support): the PKI it generates, the mTLS client
// and the partner server, against each other over real TLS on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/mtls_client.h"
#include "tests/support/partner_server.h"
#include "tests/support/pki.h"

namespace sixlink::testing {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Fixture: one CA, a partner server identity, a gateway client identity
// ---------------------------------------------------------------------------------------------

class SupportTest : public ::testing::Test {
 protected:
  SupportTest()
      : pki_(dir_.file("pki")),
        partner_id_(pki_.issue("partner", {"partner.sixlink.local", "localhost"}, {"127.0.0.1"})),
        gateway_id_(pki_.issue("gateway", {"taicang.sixlink.local"})) {}

  std::unique_ptr<PartnerServer> start_partner(uint16_t port = 0) {
    auto server =
        std::make_unique<PartnerServer>(partner_id_.cert, partner_id_.key, pki_.ca_cert(), port);
    server->start();
    return server;
  }

  MtlsClient gateway_client(uint16_t port) {
    return MtlsClient("127.0.0.1", port, pki_.ca_cert(), gateway_id_.cert, gateway_id_.key);
  }

  static std::map<std::string, std::string> delivery_headers(const std::string& id) {
    return {{"Sixlink-Message-Id", id},
            {"Sixlink-Source", "kunshan"},
            {"Sixlink-Link", "info_sharing"},
            {"Sixlink-Kind", "alert"}};
  }

  TempDir dir_;
  TestPki pki_;
  Identity partner_id_;
  Identity gateway_id_;
};

struct CertPtrDeleter {
  void operator()(X509* p) const { X509_free(p); }
};
using CertPtr = std::unique_ptr<X509, CertPtrDeleter>;

CertPtr load_cert(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return nullptr;
  CertPtr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// X509_verify_cert of `leaf` against `ca` (and `crl` when given); returns the X509_V_* result.
int verify(const std::string& ca, const std::string& leaf, const std::string& crl = "",
           int purpose = X509_PURPOSE_SSL_CLIENT) {
  X509_STORE* store = X509_STORE_new();
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  X509_LOOKUP_load_file(lookup, ca.c_str(), X509_FILETYPE_PEM);
  if (!crl.empty()) {
    X509_load_crl_file(lookup, crl.c_str(), X509_FILETYPE_PEM);
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  X509_STORE_set_purpose(store, purpose);
  CertPtr cert = load_cert(leaf);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  int result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return result;
}

// ---------------------------------------------------------------------------------------------
// PKI
// ---------------------------------------------------------------------------------------------

TEST_F(SupportTest, PrivateKeysHaveMode0600) {
  for (const std::string& key : {pki_.ca_key(), partner_id_.key, gateway_id_.key}) {
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
  struct stat st {};
  ASSERT_EQ(::stat(partner_id_.cert.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(SupportTest, IssuedCertificateHasNamesUsagesAndValidity) {
  CertPtr cert = load_cert(partner_id_.cert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), "partner.sixlink.local", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "other.sixlink.local", 0, 0, nullptr), 1);

  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "partner.sixlink.local");  // first DNS name when no CN is given

  uint32_t eku = X509_get_extended_key_usage(cert.get());
  EXPECT_TRUE(eku & XKU_SSL_SERVER);
  EXPECT_TRUE(eku & XKU_SSL_CLIENT);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(cert.get())), EVP_PKEY_EC);

  EXPECT_EQ(verify(pki_.ca_cert(), partner_id_.cert, "", X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(verify(pki_.ca_cert(), partner_id_.cert, "", X509_PURPOSE_SSL_CLIENT), X509_V_OK);

  Identity named = pki_.issue("named", {"a.sixlink.local"}, {"::1"}, "Named Member", 1);
  CertPtr named_cert = load_cert(named.cert);
  X509_NAME_get_text_by_NID(X509_get_subject_name(named_cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "Named Member");
  EXPECT_EQ(X509_check_ip_asc(named_cert.get(), "::1", 0), 1);

  Identity expired = pki_.issue("expired", {"old.sixlink.local"}, {}, "", -1);
  EXPECT_EQ(verify(pki_.ca_cert(), expired.cert), X509_V_ERR_CERT_HAS_EXPIRED);

  TestPki other(dir_.file("other-ca"), "Other CA");
  EXPECT_NE(verify(other.ca_cert(), partner_id_.cert), X509_V_OK);
}

TEST_F(SupportTest, CrlIsParseableAndListsTheRevokedSerial) {
  Identity revoked = pki_.issue("revoked", {"revoked.sixlink.local"});
  std::string crl_path = pki_.write_crl({revoked.cert});

  BIO* bio = BIO_new_file(crl_path.c_str(), "r");
  ASSERT_NE(bio, nullptr);
  X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(crl, nullptr);
  CertPtr ca = load_cert(pki_.ca_cert());
  EXPECT_EQ(X509_CRL_verify(crl, X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca.get())), 0);

  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl);
  ASSERT_EQ(sk_X509_REVOKED_num(entries), 1);
  CertPtr revoked_cert = load_cert(revoked.cert);
  const ASN1_INTEGER* listed = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(entries, 0));
  EXPECT_EQ(ASN1_INTEGER_cmp(listed, X509_get0_serialNumber(revoked_cert.get())), 0);
  X509_REVOKED* found = nullptr;
  EXPECT_EQ(X509_CRL_get0_by_cert(crl, &found, revoked_cert.get()), 1);
  X509_CRL_free(crl);

  EXPECT_EQ(verify(pki_.ca_cert(), revoked.cert, crl_path), X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(verify(pki_.ca_cert(), gateway_id_.cert, crl_path), X509_V_OK);
  EXPECT_FALSE(TestPki::serial_hex(revoked.cert).empty());
  EXPECT_NE(TestPki::serial_hex(revoked.cert), TestPki::serial_hex(gateway_id_.cert));

  // Rewriting the same file (reload tests) yields an empty, still valid CRL.
  EXPECT_EQ(pki_.write_crl({}), crl_path);
  EXPECT_EQ(verify(pki_.ca_cert(), revoked.cert, crl_path), X509_V_OK);
}

// ---------------------------------------------------------------------------------------------
// Client ↔ partner server over mTLS
// ---------------------------------------------------------------------------------------------

TEST_F(SupportTest, RoundTripOverMtlsKeepsTheConnectionAlive) {
  auto server = start_partner();
  MtlsClient client = gateway_client(server->port());
  client.set_verify_host("partner.sixlink.local");

  for (const char* id : {"KS-1", "KS-2", "KS-1"}) {
    HttpResult r =
        client.request("POST", "/inbox", R"({"n":1})", "application/json", delivery_headers(id));
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.headers.count("server"), 1u);
    EXPECT_TRUE(client.is_open());
  }
  EXPECT_EQ(client.connections_made(), 1);
  EXPECT_EQ(server->connections_accepted(), 1u);
  EXPECT_EQ(server->total(), 3u);
  EXPECT_EQ(server->unique(), 2u);
  EXPECT_EQ(server->counts(), (std::map<std::string, int>{{"KS-1", 2}, {"KS-2", 1}}));
  EXPECT_TRUE(server->wait_for_unique(2, 10ms));
  EXPECT_EQ(server->client_identity_of_last(), "taicang.sixlink.local");

  auto received = server->received();
  ASSERT_EQ(received.size(), 3u);
  const ReceivedDelivery& first = received[0];
  EXPECT_EQ(first.message_id, "KS-1");
  EXPECT_EQ(first.source, "kunshan");
  EXPECT_EQ(first.link, "info_sharing");
  EXPECT_EQ(first.kind, "alert");
  EXPECT_EQ(first.content_type, "application/json");
  EXPECT_EQ(first.body, R"({"n":1})");
  EXPECT_EQ(first.target, "/inbox");
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.answered_status, 200);
  EXPECT_EQ(received[1].message_id, "KS-2");
  EXPECT_EQ(server->endpoint(), "https://127.0.0.1:" + std::to_string(server->port()) + "/inbox");

  client.close();
  EXPECT_FALSE(client.is_open());
  EXPECT_TRUE(client.request("GET", "/inbox").ok());
  EXPECT_EQ(client.connections_made(), 2);
}

TEST_F(SupportTest, ClientCertificateFromAnotherCaIsRefused) {
  TestPki other(dir_.file("other-ca"), "Rogue CA");
  Identity rogue = other.issue("rogue", {"taicang.sixlink.local"});
  auto server = start_partner();

  // TLS 1.3: the client's handshake completes first; the refusal arrives on the first read.
  MtlsClient client("127.0.0.1", server->port(), pki_.ca_cert(), rogue.cert, rogue.key);
  HttpResult r =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("R-1"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);

  // TLS 1.2: the handshake itself fails.
  MtlsClient client12("127.0.0.1", server->port(), pki_.ca_cert(), rogue.cert, rogue.key);
  client12.set_tls_versions(TLS1_2_VERSION, TLS1_2_VERSION);
  std::string error;
  EXPECT_FALSE(client12.connect(&error));
  EXPECT_NE(error.find("handshake"), std::string::npos) << error;
  EXPECT_FALSE(client12.request("GET", "/inbox").ok());

  EXPECT_TRUE(server->received().empty());
  EXPECT_EQ(server->total(), 0u);
  EXPECT_EQ(server->connections_accepted(), 0u);
}

TEST_F(SupportTest, MissingClientCertificateIsRefused) {
  auto server = start_partner();
  MtlsClient client("127.0.0.1", server->port(), pki_.ca_cert());
  HttpResult r =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("N-1"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(server->received().empty());
  EXPECT_EQ(server->connections_accepted(), 0u);
}

TEST_F(SupportTest, ServerCertificateIsVerified) {
  auto server = start_partner();
  TestPki other(dir_.file("other-ca"), "Other CA");

  MtlsClient wrong_ca("127.0.0.1", server->port(), other.ca_cert(), gateway_id_.cert,
                      gateway_id_.key);
  std::string error;
  EXPECT_FALSE(wrong_ca.connect(&error));
  EXPECT_NE(error.find("server certificate"), std::string::npos) << error;

  MtlsClient wrong_name = gateway_client(server->port());
  wrong_name.set_verify_host("kunshan.sixlink.local");
  EXPECT_FALSE(wrong_name.connect(&error));

  MtlsClient by_ip = gateway_client(server->port());
  by_ip.set_verify_host("127.0.0.1");
  EXPECT_TRUE(by_ip.connect(&error)) << error;
  EXPECT_EQ(by_ip.tls_version(), "TLSv1.3");

  MtlsClient tls12 = gateway_client(server->port());
  tls12.set_tls_versions(TLS1_2_VERSION, TLS1_2_VERSION);
  EXPECT_TRUE(tls12.request("GET", "/").ok());
  EXPECT_EQ(tls12.tls_version(), "TLSv1.2");
}

TEST_F(SupportTest, StopThenStartReusesThePortAndFailsFastInBetween) {
  auto server = start_partner();
  uint16_t port = server->port();
  MtlsClient client = gateway_client(port);
  ASSERT_TRUE(
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("S-1")).ok());

  server->stop();
  EXPECT_FALSE(server->running());
  auto started = std::chrono::steady_clock::now();
  HttpResult down =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("S-2"));
  EXPECT_FALSE(down.ok());
  MtlsClient fresh = gateway_client(port);
  EXPECT_FALSE(fresh.connect());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);

  server->start();
  EXPECT_EQ(server->port(), port);
  HttpResult up =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("S-3"));
  ASSERT_TRUE(up.ok()) << up.error;
  EXPECT_EQ(up.status, 200);
  EXPECT_EQ(server->counts(), (std::map<std::string, int>{{"S-1", 1}, {"S-3", 1}}));

  // The reused, server-closed connection is replaced transparently (one retry).
  server->stop();
  server->start();
  EXPECT_TRUE(client.request("GET", "/inbox").ok());
  EXPECT_EQ(client.connections_made(), 3);
}

TEST_F(SupportTest, ScriptedStatusesCountOnly2xx) {
  auto server = start_partner();
  server->set_status_for_next(2, 503);
  MtlsClient client = gateway_client(server->port());
  for (const char* id : {"A", "A", "A"}) {
    ASSERT_TRUE(
        client.request("POST", "/inbox", "{}", "application/json", delivery_headers(id)).ok());
  }
  server->set_status(409);
  HttpResult conflict =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("B"));
  EXPECT_EQ(conflict.status, 409);
  server->set_status(204);
  HttpResult no_content =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("C"));
  EXPECT_EQ(no_content.status, 204);
  EXPECT_TRUE(no_content.body.empty());

  auto received = server->received();
  ASSERT_EQ(received.size(), 5u);
  EXPECT_EQ(received[0].answered_status, 503);
  EXPECT_EQ(received[1].answered_status, 503);
  EXPECT_EQ(received[2].answered_status, 200);
  EXPECT_EQ(received[3].answered_status, 409);
  EXPECT_EQ(server->total(), 2u);
  EXPECT_EQ(server->counts(), (std::map<std::string, int>{{"A", 1}, {"C", 1}}));

  server->clear();
  EXPECT_TRUE(server->received().empty());
  EXPECT_EQ(server->unique(), 0u);
}

TEST_F(SupportTest, DelayedAnswerToAClientThatGaveUpIsNotCounted) {
  auto server = start_partner();
  server->set_delay(400ms);
  MtlsClient client = gateway_client(server->port());
  client.set_timeout(100ms);
  HttpResult r =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("D-1"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("read"), std::string::npos) << r.error;
  ASSERT_TRUE(server->wait_for_received(1, 1s));
  std::this_thread::sleep_for(600ms);  // past the delay: the server has decided by now
  EXPECT_EQ(server->total(), 0u);
  EXPECT_EQ(server->received().at(0).answered_status, 0);

  client.set_timeout(2s);
  HttpResult patient =
      client.request("POST", "/inbox", "{}", "application/json", delivery_headers("D-2"));
  ASSERT_TRUE(patient.ok()) << patient.error;
  EXPECT_EQ(server->counts(), (std::map<std::string, int>{{"D-2", 1}}));
}

TEST_F(SupportTest, ManyConcurrentKeepAliveClients) {
  auto server = start_partner();
  constexpr int kClients = 8;
  constexpr int kRequests = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      MtlsClient client = gateway_client(server->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string id = "C" + std::to_string(c) + "-" + std::to_string(i);
        HttpResult r =
            client.request("POST", "/inbox", "{}", "application/json", delivery_headers(id));
        if (!r.ok() || r.status != 200) ++failures;
      }
      if (client.connections_made() != 1) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(server->wait_for_unique(kClients * kRequests, 5s));
  EXPECT_EQ(server->total(), static_cast<std::size_t>(kClients * kRequests));
  EXPECT_EQ(server->connections_accepted(), static_cast<std::size_t>(kClients));
}

TEST_F(SupportTest, RawExchangeReadsUntilTheServerCloses) {
  auto server = start_partner();
  MtlsClient client = gateway_client(server->port());
  bool closed = false;
  std::string reply =
      client.raw_exchange("GET /raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s, &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_TRUE(closed);
  EXPECT_FALSE(client.is_open());

  // An incomplete request: the server waits for more, so our deadline ends the exchange.
  reply = client.raw_exchange("GET /partial HTTP/1.1\r\nHost", 200ms, &closed);
  EXPECT_TRUE(reply.empty());
  EXPECT_FALSE(closed);
  EXPECT_EQ(client.connections_made(), 2);
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP (admin listener)
// ---------------------------------------------------------------------------------------------

TEST_F(SupportTest, PlainHttpOneShotRequestAndRefusedPort) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  uint16_t port = ntohs(addr.sin_port);

  std::string request_seen;
  std::thread admin([&] {  // a one-request HTTP/1.1 server, enough to exercise the client
    int conn = ::accept(listener, nullptr, nullptr);
    char buf[4096];
    while (request_seen.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) break;
      request_seen.append(buf, static_cast<std::size_t>(n));
    }
    std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Probe: a\r\nX-Probe: b\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\nok";
    EXPECT_EQ(::write(conn, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
    ::close(conn);
  });
  HttpResult r = http_request("127.0.0.1", port, "GET", "/healthz");
  admin.join();
  ::close(listener);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.headers["content-type"], "text/plain");
  EXPECT_EQ(r.headers["x-probe"], "a, b");
  EXPECT_EQ(request_seen.rfind("GET /healthz HTTP/1.1\r\n", 0), 0u) << request_seen;

  // Nothing listens there any more: fails at once with an error, no status.
  auto started = std::chrono::steady_clock::now();
  HttpResult refused = http_request("127.0.0.1", port, "GET", "/healthz");
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(SupportTest, FreePortAndTempDir) {
  uint16_t port = free_port();
  EXPECT_GT(port, 0);
  std::string path;
  {
    TempDir dir("sixlink-support-");
    path = dir.path();
    EXPECT_EQ(path.rfind("/tmp/sixlink-support-", 0), 0u);
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
  }
  struct stat st {};
  if (!std::getenv("SIXLINK_KEEP_TEST_DIRS")) {
    EXPECT_NE(::stat(path.c_str(), &st), 0);
  }
}

}  // namespace
}  // namespace sixlink::testing
