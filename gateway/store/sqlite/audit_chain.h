// The audit log's hash chain (DESIGN §8): how an entry's hash is computed, and the walk
// that checks a whole chain. Appending is the writer's job (write_applier.cpp), which
// keeps the last hash in memory.
//
// Entry hash = hex SHA-256 over the netstrings ("<len>:<bytes>,") of, in order:
//   "sixlink.audit.v1", seq, at_ms, actor, action, subject, detail, prev_hash
// with integers in decimal. prev_hash is the previous entry's hash, 64 zeros for the
// first. Netstrings make the serialisation unambiguous whatever the fields contain.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/store/store.h"

namespace sixlink::store::sqlite {

using HexDigest = std::array<char, 64>;

// The prev_hash of the first entry: 64 '0'.
HexDigest genesis_hash();

inline std::string_view view(const HexDigest& digest) {
  return std::string_view(digest.data(), digest.size());
}

struct AuditFields {
  int64_t seq = 0;
  int64_t at_ms = 0;
  std::string_view actor, action, subject, detail, prev_hash;
};

// Reusable SHA-256 state for one thread; no allocation per entry.
class AuditHasher {
 public:
  AuditHasher();
  ~AuditHasher();
  AuditHasher(const AuditHasher&) = delete;
  AuditHasher& operator=(const AuditHasher&) = delete;

  // false only if OpenSSL fails (or could not be set up).
  bool digest(const AuditFields& fields, HexDigest* out);

 private:
  void update_field(std::string_view bytes);
  void update_number(int64_t value);

  EVP_MD* md_ = nullptr;
  EVP_MD_CTX* ctx_ = nullptr;
};

// Walks the audit chain of the store file at `path`, in seq order, on a connection of
// its own (a long walk never holds up the store's other reads). Reports the first entry
// whose prev_hash or hash does not match, or entries missing from the tail.
AuditVerification verify_audit_chain(const std::string& path);

}  // namespace sixlink::store::sqlite
