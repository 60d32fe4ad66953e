// TLS set-up shared by the partner listener and the relay's client: contexts restricted
// to TLS 1.2/1.3 with AEAD ECDHE suites (Mozilla "intermediate" or stricter), and the
// mapping of a client certificate to exactly one member.
#pragma once

#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink::tls {

using Context = boost::asio::ssl::context;

// Partner listener: own certificate, client certificate required and verified against
// files.ca, and against files.crl when set (leaf revocation).
std::shared_ptr<Context> make_server_context(const TlsFiles& files, std::string* error);

// Relay client: presents the gateway's own certificate; trusts peer_ca only.
std::shared_ptr<Context> make_client_context(const TlsFiles& own, const std::string& peer_ca,
                                             std::string* error);

// The revocation lists of a CRL file, to check a certificate again after a reload: a
// connection's handshake checked it against the lists of its own time, and a partner
// connection may stay open for days. Immutable once loaded; safe to share across threads.
class Revocations {
 public:
  // nullptr with *error set when the file cannot be read or holds no CRL.
  static std::shared_ptr<const Revocations> load(const std::string& crl_file, std::string* error);
  // Whether a list of the certificate's issuer names its serial number.
  bool revoked(X509* cert) const;

  using Crl = std::unique_ptr<X509_CRL, void (*)(X509_CRL*)>;

 private:
  explicit Revocations(std::vector<Crl> crls) : crls_(std::move(crls)) {}
  std::vector<Crl> crls_;
};

// The names a certificate claims: its SAN DNS names, or its CN when it has none.
std::vector<std::string> certificate_names(X509* cert);

// The one member whose identity the certificate names; nullptr for none or several.
const MemberConfig* member_for_certificate(const GatewayConfig& config, X509* cert);

// notAfter of a certificate as seconds since the epoch (0 when unreadable).
int64_t not_after_epoch(const X509* cert);

// notAfter of the first certificate in a PEM file; nullopt if unreadable.
std::optional<int64_t> not_after_of_file(const std::string& pem_file);

// Seconds from now until notAfter of the first certificate in a PEM file; nullopt if unreadable.
std::optional<double> seconds_until_expiry(const std::string& pem_file);

}  // namespace sixlink::tls
