#include "gateway/net/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace sixlink::tls {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool restrict_protocols(Context& ctx, std::string* error) {
  SSL_CTX* native = ctx.native_handle();
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    *error = "cannot restrict TLS protocols: " + openssl_error();
    return false;
  }
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // Send the certificate file's chain as it is. Without this OpenSSL builds a chain from the
  // trust store on every handshake and sends the root CA too, which the peer already has:
  // a chain verification per handshake here, one more certificate to decode there
  // (docs/performance.md, "(e)"). An intermediate CA belongs in the certificate file.
  SSL_CTX_set_mode(native, SSL_MODE_NO_AUTO_CHAIN);
  return true;
}

bool load_own_identity(Context& ctx, const TlsFiles& files, std::string* error) {
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(files.cert, ec);
  if (!ec) ctx.use_private_key_file(files.key, ssl::context::pem, ec);
  if (ec) *error = "cannot load " + files.cert + " / " + files.key + ": " + ec.message();
  return !ec;
}

// Every CRL in a PEM file (one per issuing CA), in file order; empty with *error set when
// the file cannot be read or holds none.
std::vector<Revocations::Crl> read_crls(const std::string& crl_file, std::string* error) {
  std::vector<Revocations::Crl> crls;
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(crl_file.c_str(), "r"), &std::fclose);
  while (f) {
    X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr);
    if (!crl) break;
    crls.emplace_back(crl, &X509_CRL_free);
  }
  ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
  if (crls.empty()) *error = "cannot read CRL " + crl_file;
  return crls;
}

bool load_crl(Context& ctx, const std::string& crl_file, std::string* error) {
  auto crls = read_crls(crl_file, error);
  if (crls.empty()) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.native_handle());
  for (const auto& crl : crls) X509_STORE_add_crl(store, crl.get());
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return true;
}

}  // namespace

std::shared_ptr<Context> make_server_context(const TlsFiles& files, std::string* error) {
  auto ctx = std::make_shared<Context>(Context::tls_server);
  if (!restrict_protocols(*ctx, error) || !load_own_identity(*ctx, files, error)) return nullptr;
  boost::system::error_code ec;
  ctx->load_verify_file(files.ca, ec);
  if (ec) {
    *error = "cannot load CA " + files.ca + ": " + ec.message();
    return nullptr;
  }
  if (!files.crl.empty() && !load_crl(*ctx, files.crl, error)) return nullptr;
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  // No session tickets. OpenSSL 3.0 builds a stateless ticket by encoding the session and
  // decoding it again (d2i_SSL_SESSION), which decodes the client's certificate once more:
  // about a fifth of the CPU of a full mutual-TLS handshake (docs/performance.md), for a
  // resumption that partners on kept-alive connections seldom use. TLS 1.2 clients can
  // still resume by session id from the context's cache; a reload starts a new context,
  // so no session outlives a CRL or CA change.
  SSL_CTX_set_num_tickets(ctx->native_handle(), 0);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_TICKET);
  // Session resumption with client certificates needs a session id context.
  static const unsigned char sid[] = "sixlink";
  SSL_CTX_set_session_id_context(ctx->native_handle(), sid, sizeof sid - 1);
  return ctx;
}

std::shared_ptr<const Revocations> Revocations::load(const std::string& crl_file,
                                                     std::string* error) {
  std::vector<Crl> crls = read_crls(crl_file, error);
  if (crls.empty()) return nullptr;
  return std::shared_ptr<const Revocations>(new Revocations(std::move(crls)));
}

bool Revocations::revoked(X509* cert) const {
  for (const Crl& crl : crls_) {
    X509_REVOKED* entry = nullptr;
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert)) == 0 &&
        X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1)
      return true;
  }
  return false;
}

std::shared_ptr<Context> make_client_context(const TlsFiles& own, const std::string& peer_ca,
                                             std::string* error) {
  auto ctx = std::make_shared<Context>(Context::tls_client);
  if (!restrict_protocols(*ctx, error) || !load_own_identity(*ctx, own, error)) return nullptr;
  boost::system::error_code ec;
  ctx->load_verify_file(peer_ca, ec);
  if (ec) {
    *error = "cannot load CA " + peer_ca + ": " + ec.message();
    return nullptr;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = gn->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
    GENERAL_NAMES_free(sans);
  }
  if (!names.empty()) return names;
  // Every CN, not the first: a subject may hold several, and one naming another member
  // must make the certificate ambiguous, not be ignored.
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); idx >= 0;
       idx = X509_NAME_get_index_by_NID(subject, NID_commonName, idx)) {
    ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                       static_cast<std::size_t>(ASN1_STRING_length(cn)));
  }
  return names;
}

const MemberConfig* member_for_certificate(const GatewayConfig& config, X509* cert) {
  const MemberConfig* found = nullptr;
  for (const auto& name : certificate_names(cert)) {
    const MemberConfig* m = config.find_member_by_identity(name);
    if (!m) continue;
    if (found && found != m) return nullptr;  // names two members: ambiguous, refused
    found = m;
  }
  return found;
}

int64_t not_after_epoch(const X509* cert) {
  struct tm t {};
  if (!cert || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &t) != 1) return 0;
  return static_cast<int64_t>(timegm(&t));
}

std::optional<int64_t> not_after_of_file(const std::string& pem_file) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pem_file.c_str(), "r"), &std::fclose);
  X509* cert = f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!cert) return std::nullopt;
  int64_t not_after = not_after_epoch(cert);
  X509_free(cert);
  return not_after;
}

std::optional<double> seconds_until_expiry(const std::string& pem_file) {
  auto not_after = not_after_of_file(pem_file);
  if (!not_after) return std::nullopt;
  return static_cast<double>(*not_after - static_cast<int64_t>(std::time(nullptr)));
}

}  // namespace sixlink::tls
