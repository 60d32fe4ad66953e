// PEM file checks for the config loader (see pem_check.h). OpenSSL objects are held
// in unique_ptrs with their free functions so every path releases them.
#include "gateway/config/pem_check.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <memory>

namespace sixlink::config_internal {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;

// Never prompt on the terminal for an encrypted key: refuse it instead.
int no_passphrase(char*, int, int, void*) { return 0; }

BioPtr open_bio(const std::string& path) { return BioPtr(BIO_new_file(path.c_str(), "r")); }

X509Ptr read_certificate(const std::string& path) {
  BioPtr bio = open_bio(path);
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
}

KeyPtr read_key(const std::string& path) {
  BioPtr bio = open_bio(path);
  return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                    : nullptr);
}

bool holds(PemKind kind, const std::string& path) {
  switch (kind) {
    case PemKind::certificate:
    case PemKind::ca_bundle:
      return read_certificate(path) != nullptr;
    case PemKind::private_key:
      return read_key(path) != nullptr;
    case PemKind::crl: {
      BioPtr bio = open_bio(path);
      return bio && CrlPtr(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    }
  }
  return false;
}

const char* describe(PemKind kind) {
  switch (kind) {
    case PemKind::certificate:
      return "a PEM certificate";
    case PemKind::ca_bundle:
      return "a PEM CA certificate bundle";
    case PemKind::private_key:
      return "an unencrypted PEM private key";
    case PemKind::crl:
      return "a PEM certificate revocation list";
  }
  return "";
}

}  // namespace

std::optional<std::string> file_problem(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "file not found: " + path;
  if (!std::filesystem::is_regular_file(path, ec)) return "not a regular file: " + path;
  if (!std::ifstream(path).good()) return "cannot read file: " + path;
  return std::nullopt;
}

std::optional<std::string> pem_problem(PemKind kind, const std::string& path) {
  if (auto problem = file_problem(path)) return problem;
  const bool ok = holds(kind, path);
  ERR_clear_error();  // leave no failure behind for the next OpenSSL caller to misread
  if (ok) return std::nullopt;
  return std::string("not ") + describe(kind) + ": " + path;
}

std::optional<std::string> key_mismatch(const std::string& cert_path, const std::string& key_path) {
  X509Ptr cert = read_certificate(cert_path);
  KeyPtr key = read_key(key_path);
  const bool match = cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (match) return std::nullopt;
  return "private key " + key_path + " does not match certificate " + cert_path;
}

}  // namespace sixlink::config_internal
