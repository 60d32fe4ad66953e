// Test-time PKI: a throw-away certificate authority and the leaf identities, CRLs and scratch
// folders the tests need. Everything is generated with the OpenSSL 3 C API (no `openssl` CLI), so
// no private key ever lives in the repository (DESIGN §10).
//
// Owns: key and certificate generation, CRL writing, temporary folders, free ports.
// Leaves to others: TLS clients and servers (mtls_client.h, partner_server.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sixlink::testing {

// Creates a fresh folder /tmp/<prefix>XXXXXX (mkdtemp) and returns its path; throws on failure.
std::string make_temp_dir(const std::string& prefix);

// A port that was free a moment ago: binds 127.0.0.1:0, reads the port, closes. Another process
// may take it before the caller binds; prefer letting servers bind port 0 when they can.
uint16_t free_port();

// A temporary folder removed (recursively) when the object dies, unless the environment variable
// SIXLINK_KEEP_TEST_DIRS is set (to inspect a failed test's files).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "sixlink-test-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

// PEM file paths of one certificate and its private key.
struct Identity {
  std::string cert;
  std::string key;
};

// A certificate authority living in one folder (ca.pem, ca.key), ECDSA P-256 and SHA-256
// everywhere. Not thread-safe: one test thread issues certificates.
class TestPki {
 public:
  // Generates the CA key and self-signed certificate (CN = ca_name, valid now-1h .. now+10y)
  // into `dir` (created if missing). Throws std::runtime_error on any OpenSSL or file error.
  explicit TestPki(std::string dir, std::string ca_name = "Sixlink Test CA");
  ~TestPki();
  TestPki(TestPki&&) noexcept;
  TestPki& operator=(TestPki&&) noexcept;
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& ca_cert() const { return ca_cert_; }
  const std::string& ca_key() const { return ca_key_; }

  // A leaf certificate signed by this CA, written to <dir>/<file_stem>.pem and
  // <dir>/<file_stem>.key (mode 0600). SAN: the DNS names and IP addresses (v4 or v6);
  // CN = cn, or the first DNS name when cn is empty (a cn with '\n' gives one CN entry per
  // line, for certificates that name several); EKU serverAuth and clientAuth;
  // validity now-1h .. now+days (a negative `days` yields a certificate that has already expired).
  // The same stem may be issued again (rotation): the files are replaced atomically.
  Identity issue(const std::string& file_stem, const std::vector<std::string>& dns_names,
                 const std::vector<std::string>& ip_addresses = {}, const std::string& cn = "",
                 int days = 30);

  // A CRL signed by this CA revoking the certificates in the given PEM files (which must have been
  // issued by this CA), valid now-1h .. now+7d, with an increasing CRL number. Written atomically
  // (a reloading gateway never sees half a file) to <dir>/<file_name>; returns that path.
  std::string write_crl(const std::vector<std::string>& revoked_cert_files,
                        const std::string& file_name = "crl.pem");

  // The serial number of a PEM certificate file as `openssl x509 -serial` prints it (upper-case
  // hex, two digits per byte). Throws if the file cannot be read.
  static std::string serial_hex(const std::string& cert_file);

 private:
  struct Keys;  // the CA's key and certificate, OpenSSL objects kept out of this header
  std::string dir_;
  std::string ca_cert_;
  std::string ca_key_;
  std::unique_ptr<Keys> keys_;
  long crl_number_ = 0;
};

}  // namespace sixlink::testing
