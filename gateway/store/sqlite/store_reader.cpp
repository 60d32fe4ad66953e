// The SQL behind the store's synchronous reads. See store_reader.h.
#include "gateway/store/sqlite/store_reader.h"

#include "gateway/store/sqlite/schema.h"

namespace sixlink::store::sqlite {

// A member's open deliveries after a seq, in seq order: the non-final states spelled as in
// the deliveries_open index, so the read is one range scan of it.
#define SIXLINK_OPEN_PAGE \
  " WHERE d.member = ?1 AND " SIXLINK_OPEN_STATES("d.state") " AND d.seq > ?2 " \
  "ORDER BY d.seq LIMIT ?3"

// CROSS JOIN keeps deliveries as the outer loop.
const char* const kPendingSql =
    "SELECT d.seq, d.member, d.state, m.source, m.id, m.link, m.kind, d.order_key, "
    "COALESCE(d.envelope, m.envelope), d.attempts, d.next_attempt_ms, m.accepted_at_ms "
    "FROM deliveries d CROSS JOIN messages m ON m.rowid = d.message_rowid" SIXLINK_OPEN_PAGE;
// No message, no envelope text: the relay reads these for rows it steps over.
const char* const kPendingKeysSql =
    "SELECT d.seq, d.order_key, d.next_attempt_ms FROM deliveries d" SIXLINK_OPEN_PAGE;
#undef SIXLINK_OPEN_PAGE

namespace {

constexpr const char* kMessageSql =
    "SELECT m.source, m.id, m.link, m.kind, m.accepted_at_ms, "
    "d.member, d.state, d.attempts, d.last_error, d.updated_at_ms "
    "FROM messages m LEFT JOIN deliveries d ON d.message_rowid = m.rowid "
    "WHERE m.source = ?1 AND m.id = ?2 ORDER BY d.seq";
constexpr const char* kDeadLettersSql =
    "SELECT d.seq, d.member, m.source, m.id, m.link, m.kind, d.attempts, d.last_error, "
    "d.updated_at_ms FROM deliveries d CROSS JOIN messages m ON m.rowid = d.message_rowid "
    "WHERE d.state = 'dead_letter' ORDER BY d.seq LIMIT ?1";
constexpr const char* kQueueDepthsSql =
    "SELECT member, COUNT(*) FROM deliveries "
    "WHERE " SIXLINK_OPEN_STATES("state") " GROUP BY member";
constexpr const char* kDeadLetterCountsSql =
    "SELECT member, COUNT(*) FROM deliveries WHERE state = 'dead_letter' GROUP BY member";

RecipientView recipient_at(const Statement& row) {
  return RecipientView{row.string_at(5), row.string_at(6), row.int_at(7), row.string_at(8),
                       row.int64_at(9)};
}

PendingDelivery pending_at(const Statement& row) {
  PendingDelivery p;
  p.seq = row.int64_at(0);
  p.member = row.string_at(1);
  p.state = row.string_at(2);
  p.source = row.string_at(3);
  p.id = row.string_at(4);
  p.link = row.string_at(5);
  p.kind = row.string_at(6);
  p.order_key = row.string_at(7);
  p.envelope_json = row.string_at(8);
  p.attempts = row.int_at(9);
  p.next_attempt_ms = row.int64_at(10);
  p.accepted_at_ms = row.int64_at(11);
  return p;
}

PendingKey pending_key_at(const Statement& row) {
  return PendingKey{row.int64_at(0), row.string_at(1), row.int64_at(2)};
}

DeadLetter dead_letter_at(const Statement& row) {
  DeadLetter d;
  d.seq = row.int64_at(0);
  d.member = row.string_at(1);
  d.source = row.string_at(2);
  d.id = row.string_at(3);
  d.link = row.string_at(4);
  d.kind = row.string_at(5);
  d.attempts = row.int_at(6);
  d.last_error = row.string_at(7);
  d.updated_at_ms = row.int64_at(8);
  return d;
}

}  // namespace

std::unique_ptr<StoreReader> StoreReader::open(const std::string& path, std::string* error) {
  std::unique_ptr<StoreReader> reader(new StoreReader());
  if (!reader->db_.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, error) ||
      !configure_connection(reader->db_, ConnectionRole::reader, Durability::full, error) ||
      !reader->prepare(error)) {
    return nullptr;
  }
  return reader;
}

bool StoreReader::prepare(std::string* error) {
  sqlite3* db = db_.get();
  return message_.prepare(db, kMessageSql, error) && pending_.prepare(db, kPendingSql, error) &&
         pending_keys_.prepare(db, kPendingKeysSql, error) &&
         dead_letters_.prepare(db, kDeadLettersSql, error) &&
         queue_depths_.prepare(db, kQueueDepthsSql, error) &&
         dead_letter_counts_.prepare(db, kDeadLetterCountsSql, error);
}

void StoreReader::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  message_ = Statement();
  pending_ = Statement();
  pending_keys_ = Statement();
  dead_letters_ = Statement();
  queue_depths_ = Statement();
  dead_letter_counts_ = Statement();
  db_.close();
}

std::optional<MessageView> StoreReader::message(const std::string& source, const std::string& id) {
  std::lock_guard lock(mutex_);
  if (closed_) return std::nullopt;
  StatementScope scope(message_);
  message_.bind(1, source);
  message_.bind(2, id);
  std::optional<MessageView> view;
  while (message_.step() == SQLITE_ROW) {
    if (!view) {
      view = MessageView{message_.string_at(0), message_.string_at(1), message_.string_at(2),
                         message_.string_at(3), message_.int64_at(4),  {}};
    }
    if (!message_.is_null(5)) view->recipients.push_back(recipient_at(message_));
  }
  return view;
}

template <class Row>
std::vector<Row> StoreReader::open_page(Statement& statement, Row (*row_at)(const Statement&),
                                        const std::string& member, int64_t after_seq, int limit) {
  std::vector<Row> rows;
  std::lock_guard lock(mutex_);
  if (closed_ || limit <= 0) return rows;
  StatementScope scope(statement);
  statement.bind(1, member);
  statement.bind(2, after_seq);
  statement.bind(3, static_cast<int64_t>(limit));
  while (statement.step() == SQLITE_ROW) rows.push_back(row_at(statement));
  return rows;
}

std::vector<PendingDelivery> StoreReader::pending(const std::string& member, int64_t after_seq,
                                                  int limit) {
  return open_page(pending_, pending_at, member, after_seq, limit);
}

std::vector<PendingKey> StoreReader::pending_keys(const std::string& member, int64_t after_seq,
                                                  int limit) {
  return open_page(pending_keys_, pending_key_at, member, after_seq, limit);
}

std::vector<DeadLetter> StoreReader::dead_letters(int limit) {
  std::vector<DeadLetter> rows;
  std::lock_guard lock(mutex_);
  if (closed_ || limit <= 0) return rows;
  StatementScope scope(dead_letters_);
  dead_letters_.bind(1, static_cast<int64_t>(limit));
  while (dead_letters_.step() == SQLITE_ROW) rows.push_back(dead_letter_at(dead_letters_));
  return rows;
}

std::map<std::string, int64_t> StoreReader::queue_depths() {
  std::lock_guard lock(mutex_);
  return counts(queue_depths_);
}

std::map<std::string, int64_t> StoreReader::dead_letter_counts() {
  std::lock_guard lock(mutex_);
  return counts(dead_letter_counts_);
}

std::map<std::string, int64_t> StoreReader::counts(Statement& statement) {
  std::map<std::string, int64_t> result;
  if (closed_) return result;
  StatementScope scope(statement);
  while (statement.step() == SQLITE_ROW) {
    result.emplace(statement.string_at(0), statement.int64_at(1));
  }
  return result;
}

}  // namespace sixlink::store::sqlite
