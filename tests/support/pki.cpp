// Test-time PKI with the OpenSSL 3 C API: CA, leaf identities, CRLs; plus scratch folders and
// free ports. Every OpenSSL object is owned by a unique_ptr so a throw never leaks.
#include "tests/support/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace sixlink::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// OpenSSL ownership and errors
// ---------------------------------------------------------------------------------------------

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using AsnIntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using AsnTimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

// Throws with `what` and everything on OpenSSL's error queue (which it empties).
[[noreturn]] void fail(const std::string& what) {
  std::string message = "TestPki: " + what;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message += "; ";
    message += buf;
  }
  throw std::runtime_error(message);
}

void check(int ok, const std::string& what) {
  if (ok != 1) fail(what);
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

// Writes `content` to `path` with `mode` through a temporary file and rename(), so readers see the
// old file or the new one, never a partial one, and a key is never readable by others even briefly.
void write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());  // created with mode 0600
  if (fd < 0) throw std::runtime_error("TestPki: cannot create " + tmp + ": " + strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; ok && done < content.size();) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("TestPki: cannot write " + path + ": " + strerror(err));
  }
}

template <class WritePem>
std::string to_pem(WritePem&& write, const std::string& what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) fail("cannot encode " + what);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

X509Ptr read_cert(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) fail("cannot open " + path);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("no PEM certificate in " + path);
  return cert;
}

// ---------------------------------------------------------------------------------------------
// Certificate building blocks
// ---------------------------------------------------------------------------------------------

PkeyPtr make_p256_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("P-256 key generation");
  return key;
}

// A random positive 127-bit serial: unique across every certificate a test run issues.
void set_random_serial(X509* cert) {
  BnPtr bn(BN_new());
  if (!bn) fail("BN_new");
  check(BN_rand(bn.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), "random serial");
  AsnIntPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) fail("serial encoding");
  check(X509_set_serialNumber(cert, serial.get()), "X509_set_serialNumber");
}

void set_common_name(X509_NAME* name, const std::string& cn) {
  check(
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("Sixlink Test"), -1, -1, 0),
      "subject O");
  for (std::size_t start = 0; start <= cn.size();) {
    std::size_t end = std::min(cn.find('\n', start), cn.size());
    const std::string one = cn.substr(start, end - start);
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(one.c_str()), -1, -1, 0),
          "subject CN '" + one + "'");
    start = end + 1;
  }
}

// Validity now-1h .. now+days; for an expired certificate (days < 0) notBefore is moved back too.
void set_validity(X509* cert, int days) {
  long before_seconds = days < 0 ? static_cast<long>(days) * 86400 - 3600 : -3600;
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), before_seconds)) fail("notBefore");
  if (!X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, nullptr)) fail("notAfter");
}

// Adds one extension written in openssl.cnf syntax ("critical,CA:TRUE").
void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// Built from GENERAL_NAMEs rather than a "DNS:a,IP:b" string so no name needs escaping.
void add_subject_alt_names(X509* cert, const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return;
  NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) fail("GENERAL_NAMES");
  auto push = [&](int type, ASN1_STRING* value, const std::string& text) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (!value || !name) {
      ASN1_STRING_free(value);
      GENERAL_NAME_free(name);
      fail("subject alt name " + text);
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
      GENERAL_NAME_free(name);
      fail("subject alt name " + text);
    }
  };
  for (const auto& dns : dns_names) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value && ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_STRING_free(value);
      value = nullptr;
    }
    push(GEN_DNS, value, dns);
  }
  for (const auto& ip : ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (!value) fail("not an IP address: " + ip);
    push(GEN_IPADD, value, ip);
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
        "subjectAltName");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Scratch folders and ports
// ---------------------------------------------------------------------------------------------

std::string make_temp_dir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "XXXXXX";
  if (!::mkdtemp(templ.data())) {
    throw std::runtime_error("make_temp_dir(" + prefix + "): " + strerror(errno));
  }
  return templ;
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("free_port: socket: ") + strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error(std::string("free_port: ") + strerror(err));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TempDir::TempDir(const std::string& prefix) : path_(make_temp_dir(prefix)) {}

TempDir::~TempDir() {
  if (std::getenv("SIXLINK_KEEP_TEST_DIRS")) return;
  std::error_code ignored;  // best effort: a leftover folder in /tmp must not fail a test
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(const std::string& name) const { return path_ + "/" + name; }

// ---------------------------------------------------------------------------------------------
// TestPki
// ---------------------------------------------------------------------------------------------

struct TestPki::Keys {
  PkeyPtr key;
  X509Ptr cert;
};

TestPki::TestPki(std::string dir, std::string ca_name)
    : dir_(std::move(dir)),
      ca_cert_(dir_ + "/ca.pem"),
      ca_key_(dir_ + "/ca.key"),
      keys_(std::make_unique<Keys>()) {
  std::filesystem::create_directories(dir_);
  keys_->key = make_p256_key();
  keys_->cert.reset(X509_new());
  X509* ca = keys_->cert.get();
  if (!ca) fail("X509_new");
  check(X509_set_version(ca, X509_VERSION_3), "X509_set_version");
  set_random_serial(ca);
  set_common_name(X509_get_subject_name(ca), ca_name);
  check(X509_set_issuer_name(ca, X509_get_subject_name(ca)), "CA issuer");
  set_validity(ca, 3650);
  check(X509_set_pubkey(ca, keys_->key.get()), "CA public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, ca, nullptr, nullptr, 0);
  add_ext(ca, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_ext(ca, &ctx, NID_subject_key_identifier, "hash");
  if (X509_sign(ca, keys_->key.get(), EVP_sha256()) <= 0) fail("CA self-signature");

  write_file_atomic(ca_key_,
                    to_pem(
                        [&](BIO* bio) {
                          return PEM_write_bio_PrivateKey(bio, keys_->key.get(), nullptr, nullptr,
                                                          0, nullptr, nullptr);
                        },
                        "CA key"),
                    0600);
  write_file_atomic(ca_cert_, to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca); }, "CA"),
                    0644);
}

TestPki::~TestPki() = default;
TestPki::TestPki(TestPki&&) noexcept = default;
TestPki& TestPki::operator=(TestPki&&) noexcept = default;

Identity TestPki::issue(const std::string& file_stem, const std::vector<std::string>& dns_names,
                        const std::vector<std::string>& ip_addresses, const std::string& cn,
                        int days) {
  std::string common_name = !cn.empty() ? cn : !dns_names.empty() ? dns_names.front() : file_stem;
  PkeyPtr key = make_p256_key();
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509* leaf = cert.get();
  X509* ca = keys_->cert.get();
  check(X509_set_version(leaf, X509_VERSION_3), "X509_set_version");
  set_random_serial(leaf);
  set_common_name(X509_get_subject_name(leaf), common_name);
  check(X509_set_issuer_name(leaf, X509_get_subject_name(ca)), "issuer");
  set_validity(leaf, days);
  check(X509_set_pubkey(leaf, key.get()), "public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, leaf, nullptr, nullptr, 0);
  add_ext(leaf, &ctx, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(leaf, &ctx, NID_key_usage, "critical,digitalSignature");
  add_ext(leaf, &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
  add_ext(leaf, &ctx, NID_subject_key_identifier, "hash");
  add_ext(leaf, &ctx, NID_authority_key_identifier, "keyid:always");
  add_subject_alt_names(leaf, dns_names, ip_addresses);
  if (X509_sign(leaf, keys_->key.get(), EVP_sha256()) <= 0) fail("signing " + file_stem);

  Identity identity{dir_ + "/" + file_stem + ".pem", dir_ + "/" + file_stem + ".key"};
  write_file_atomic(identity.key,
                    to_pem(
                        [&](BIO* bio) {
                          return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0,
                                                          nullptr, nullptr);
                        },
                        file_stem + " key"),
                    0600);
  write_file_atomic(identity.cert,
                    to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, leaf); }, file_stem),
                    0644);
  return identity;
}

std::string TestPki::write_crl(const std::vector<std::string>& revoked_cert_files,
                               const std::string& file_name) {
  X509* ca = keys_->cert.get();
  CrlPtr crl(X509_CRL_new());
  if (!crl) fail("X509_CRL_new");
  check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "CRL version");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)), "CRL issuer");
  AsnTimePtr last_update(X509_gmtime_adj(nullptr, -3600));
  AsnTimePtr next_update(X509_time_adj_ex(nullptr, 7, 0, nullptr));
  AsnTimePtr revoked_at(X509_gmtime_adj(nullptr, -60));
  if (!last_update || !next_update || !revoked_at) fail("CRL times");
  check(X509_CRL_set1_lastUpdate(crl.get(), last_update.get()), "CRL lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), next_update.get()), "CRL nextUpdate");

  for (const auto& file : revoked_cert_files) {
    X509Ptr cert = read_cert(file);
    if (X509_check_issued(ca, cert.get()) != X509_V_OK) {
      throw std::runtime_error("TestPki: " + file + " was not issued by " + ca_cert_);
    }
    X509_REVOKED* entry = X509_REVOKED_new();
    if (!entry || X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert.get())) != 1 ||
        X509_REVOKED_set_revocationDate(entry, revoked_at.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      fail("revoking " + file);
    }
  }

  AsnIntPtr number(ASN1_INTEGER_new());
  if (!number) fail("ASN1_INTEGER_new");
  check(ASN1_INTEGER_set(number.get(), ++crl_number_), "CRL number");
  check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT),
        "CRL number extension");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
  ExtPtr aki(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1) fail("CRL authorityKeyIdentifier");
  check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  if (X509_CRL_sign(crl.get(), keys_->key.get(), EVP_sha256()) <= 0) fail("CRL signature");

  std::string path = dir_ + "/" + file_name;
  write_file_atomic(
      path, to_pem([&](BIO* bio) { return PEM_write_bio_X509_CRL(bio, crl.get()); }, "CRL"), 0644);
  return path;
}

std::string TestPki::serial_hex(const std::string& cert_file) {
  X509Ptr cert = read_cert(cert_file);
  return to_pem(
      [&](BIO* bio) { return i2a_ASN1_INTEGER(bio, X509_get0_serialNumber(cert.get())) > 0; },
      "serial of " + cert_file);
}

}  // namespace sixlink::testing
