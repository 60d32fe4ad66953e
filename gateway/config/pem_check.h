// Private to the config loader: checks the files a configuration names. PEM files
// (TLS certificate, key, CA bundle, CRL) are opened with OpenSSL, so a bad file is
// reported at load time with its config line rather than at the first handshake.
#pragma once

#include <optional>
#include <string>

namespace sixlink::config_internal {

// nullopt when `path` names a readable regular file; otherwise what is wrong with it.
std::optional<std::string> file_problem(const std::string& path);

enum class PemKind { certificate, ca_bundle, private_key, crl };

// nullopt when `path` is readable and holds at least one object of `kind`; otherwise
// a message naming the path and what is wrong.
std::optional<std::string> pem_problem(PemKind kind, const std::string& path);

// nullopt when the private key in `key_path` belongs to the first certificate in
// `cert_path`. Both files are assumed good (checked with pem_problem first).
std::optional<std::string> key_mismatch(const std::string& cert_path, const std::string& key_path);

}  // namespace sixlink::config_internal
