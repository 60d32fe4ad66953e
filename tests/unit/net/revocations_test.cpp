// Tests of tls::Revocations (gateway/net/tls.h): the CRL file's lists, read again on each
// reload so that kept-alive partner connections are checked against the lists in force.
#include <openssl/pem.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "gateway/net/tls.h"
#include "tests/support/pki.h"

namespace sixlink {
namespace {

using testing::Identity;
using testing::TempDir;
using testing::TestPki;

std::unique_ptr<X509, void (*)(X509*)> read_cert(const std::string& file) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "r"), &std::fclose);
  return {f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free};
}

std::string read_text(const std::string& file) {
  std::stringstream ss;
  ss << std::ifstream(file).rdbuf();
  return ss.str();
}

// One file may hold the lists of several CAs (during a CA roll-over, say): each certificate
// is looked up in its own issuer's list, and every list in the file counts.
TEST(RevocationsTest, EveryListInTheFileCountsForItsOwnIssuer) {
  TempDir dir("sixlink-crl-");
  TestPki old_ca(dir.file("old"), "Sixlink Old CA"), new_ca(dir.file("new"), "Sixlink New CA");
  Identity old_revoked = old_ca.issue("a", {"kunshan.sixlink.local"});
  Identity old_good = old_ca.issue("b", {"kunshan.sixlink.local"});
  Identity new_revoked = new_ca.issue("c", {"baoshan.sixlink.local"});
  Identity new_good = new_ca.issue("d", {"baoshan.sixlink.local"});
  const std::string both = dir.file("crl.pem");
  std::ofstream(both) << read_text(old_ca.write_crl({old_revoked.cert}))
                      << read_text(new_ca.write_crl({new_revoked.cert}));

  std::string error;
  auto lists = tls::Revocations::load(both, &error);
  ASSERT_TRUE(lists) << error;
  EXPECT_TRUE(lists->revoked(read_cert(old_revoked.cert).get()));
  EXPECT_TRUE(lists->revoked(read_cert(new_revoked.cert).get())) << "the second list of the file";
  EXPECT_FALSE(lists->revoked(read_cert(old_good.cert).get()));
  EXPECT_FALSE(lists->revoked(read_cert(new_good.cert).get()));

  auto first_only = tls::Revocations::load(old_ca.write_crl({old_revoked.cert}), &error);
  ASSERT_TRUE(first_only) << error;
  EXPECT_FALSE(first_only->revoked(read_cert(new_revoked.cert).get()))
      << "a serial listed by another issuer is not this certificate";
}

TEST(RevocationsTest, AFileWithoutAListIsAnError) {
  TempDir dir("sixlink-crl-");
  std::ofstream(dir.file("empty.pem")) << "not a CRL\n";
  std::string error;
  EXPECT_FALSE(tls::Revocations::load(dir.file("empty.pem"), &error));
  EXPECT_NE(error.find("empty.pem"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(tls::Revocations::load(dir.file("missing.pem"), &error));
  EXPECT_NE(error.find("missing.pem"), std::string::npos) << error;
}

}  // namespace
}  // namespace sixlink
