// The SQLite store's read side: one query_only connection with its statements prepared
// once, shared by every reading thread behind a mutex. WAL lets these reads run while the
// writer commits; each read is one statement, hence one consistent snapshot. The audit
// walk has its own connection (audit_chain.cpp) so it never holds this mutex for long.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/sqlite/statement.h"
#include "gateway/store/store.h"

namespace sixlink::store::sqlite {

// The pending() and pending_keys() queries, shared with the tests that check their plans.
extern const char* const kPendingSql;
extern const char* const kPendingKeysSql;

class StoreReader {
 public:
  // nullptr with *error set if the file cannot be opened or a statement does not compile.
  static std::unique_ptr<StoreReader> open(const std::string& path, std::string* error);

  std::optional<MessageView> message(const std::string& source, const std::string& id);
  std::vector<PendingDelivery> pending(const std::string& member, int64_t after_seq, int limit);
  std::vector<PendingKey> pending_keys(const std::string& member, int64_t after_seq, int limit);
  std::vector<DeadLetter> dead_letters(int limit);
  std::map<std::string, int64_t> queue_depths();
  std::map<std::string, int64_t> dead_letter_counts();
  // Later reads find nothing. Idempotent.
  void close();

 private:
  StoreReader() = default;
  bool prepare(std::string* error);
  std::map<std::string, int64_t> counts(Statement& statement);
  // One page of `member`'s open deliveries after `after_seq` through `statement` (pending_
  // or pending_keys_), each row made by `row_at`.
  template <class Row>
  std::vector<Row> open_page(Statement& statement, Row (*row_at)(const Statement&),
                             const std::string& member, int64_t after_seq, int limit);

  std::mutex mutex_;  // guards everything below
  Connection db_;
  Statement message_, pending_, pending_keys_, dead_letters_, queue_depths_, dead_letter_counts_;
  bool closed_ = false;
};

}  // namespace sixlink::store::sqlite
