// The audit hash chain: entry hashing with OpenSSL, and the verification walk behind
// GET /admin/audit/verify and `sixlink-gateway audit verify`. See audit_chain.h.
#include "gateway/store/sqlite/audit_chain.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdlib>

#include "gateway/store/sqlite/schema.h"
#include "gateway/store/sqlite/statement.h"

namespace sixlink::store::sqlite {

// ---------------------------------------------------------------- hashing

HexDigest genesis_hash() {
  HexDigest zeros;
  zeros.fill('0');
  return zeros;
}

AuditHasher::AuditHasher()
    : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}

AuditHasher::~AuditHasher() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

void AuditHasher::update_field(std::string_view bytes) {
  char prefix[24];
  auto [end, ec] = std::to_chars(prefix, prefix + sizeof(prefix) - 1, bytes.size());
  *end++ = ':';
  EVP_DigestUpdate(ctx_, prefix, static_cast<std::size_t>(end - prefix));
  EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  EVP_DigestUpdate(ctx_, ",", 1);
}

void AuditHasher::update_number(int64_t value) {
  char text[24];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), value);
  update_field(std::string_view(text, static_cast<std::size_t>(end - text)));
}

bool AuditHasher::digest(const AuditFields& fields, HexDigest* out) {
  if (md_ == nullptr || ctx_ == nullptr || EVP_DigestInit_ex(ctx_, md_, nullptr) != 1) {
    return false;
  }
  update_field("sixlink.audit.v1");
  update_number(fields.seq);
  update_number(fields.at_ms);
  update_field(fields.actor);
  update_field(fields.action);
  update_field(fields.subject);
  update_field(fields.detail);
  update_field(fields.prev_hash);
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_, raw, &size) != 1 || size * 2 != out->size()) return false;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i) {
    (*out)[2 * i] = kHex[raw[i] >> 4];
    (*out)[2 * i + 1] = kHex[raw[i] & 0x0f];
  }
  return true;
}

// ---------------------------------------------------------------- verification

namespace {

constexpr const char* kChainSql =
    "SELECT seq, at_ms, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq";
// AUTOINCREMENT remembers the highest seq ever used: a tail cut off leaves it behind.
constexpr const char* kHighestSeqSql =
    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)";

AuditVerification broken(int64_t seq, std::string reason) {
  AuditVerification result;
  result.ok = false;
  result.first_broken_seq = seq;
  result.reason = std::move(reason);
  return result;
}

// Checks every entry's link and hash; `last_seq` ends at the last entry's seq. On a
// break, `entries` counts the entries found sound before it.
AuditVerification walk_chain(Connection& db, int64_t* last_seq) {
  Statement rows;
  std::string error;
  if (!rows.prepare(db.get(), kChainSql, &error)) return broken(0, error);
  AuditHasher hasher;
  HexDigest expected_prev = genesis_hash();
  HexDigest computed;
  int64_t sound = 0;
  auto broken_at = [&sound](int64_t seq, std::string reason) {
    AuditVerification result = broken(seq, std::move(reason));
    result.entries = sound;
    return result;
  };
  int rc;
  while ((rc = rows.step()) == SQLITE_ROW) {
    AuditFields fields{rows.int64_at(0), rows.int64_at(1), rows.text_at(2), rows.text_at(3),
                       rows.text_at(4),  rows.text_at(5),  rows.text_at(6)};
    if (fields.prev_hash != view(expected_prev)) {
      return broken_at(fields.seq, *last_seq == 0
                                       ? "first entry does not start from the genesis hash"
                                       : "prev_hash does not match the hash of entry " +
                                             std::to_string(*last_seq));
    }
    if (!hasher.digest(fields, &computed)) return broken_at(fields.seq, "SHA-256 unavailable");
    if (rows.text_at(7) != view(computed)) {
      return broken_at(fields.seq, "hash does not match the entry's content");
    }
    expected_prev = computed;
    *last_seq = fields.seq;
    ++sound;
  }
  if (rc != SQLITE_DONE) return broken_at(0, "cannot read the audit log: " + db.last_error());
  AuditVerification result;
  result.entries = sound;
  return result;
}

}  // namespace

AuditVerification verify_audit_chain(const std::string& path) {
  Connection db;
  std::string error;
  if (!db.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, &error) ||
      !configure_connection(db, ConnectionRole::reader, Durability::full, &error) ||
      !db.exec("BEGIN", &error)) {  // one snapshot for the walk and the tail check
    return broken(0, "cannot read the audit log: " + error);
  }
  int64_t last_seq = 0;
  AuditVerification result = walk_chain(db, &last_seq);
  std::string highest;
  if (result.ok && db.query_text(kHighestSeqSql, &highest, &error)) {
    int64_t highest_seq = std::strtoll(highest.c_str(), nullptr, 10);
    if (highest_seq > last_seq) {
      int64_t sound = result.entries;
      result = broken(last_seq + 1, "entries after seq " + std::to_string(last_seq) +
                                        " are missing (the log reached seq " + highest + ")");
      result.entries = sound;
    }
  } else if (result.ok) {
    result = broken(0, "cannot read the audit log: " + error);
  }
  db.exec("COMMIT", &error);
  return result;
}

}  // namespace sixlink::store::sqlite
