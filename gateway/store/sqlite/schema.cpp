// The SQLite store's tables, indexes and connection settings, and the migration runner
// that creates or upgrades a file. The write and read SQL lives with its users
// (write_applier.cpp, store_reader.cpp, audit_chain.cpp).
#include "gateway/store/sqlite/schema.h"

#include <array>
#include <cstdlib>

namespace sixlink::store::sqlite {
namespace {

// Version 1: messages, their deliveries and the audit chain.
// - deliveries_open is a partial index over the non-final states only: pending() reads
//   it as one range scan (member, seq > cursor) already in seq order, and it shrinks as
//   deliveries complete. Queries must repeat its WHERE term verbatim to use it.
// - The audit table refuses UPDATE and DELETE; the hash chain catches whoever drops
//   the triggers first.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE messages(
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  link TEXT NOT NULL,
  kind TEXT NOT NULL,
  classification TEXT NOT NULL,
  case_id TEXT,
  patrol_id TEXT,
  order_key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  envelope TEXT NOT NULL,
  response TEXT NOT NULL,
  accepted_at_ms INTEGER NOT NULL,
  UNIQUE(source, id));
CREATE INDEX messages_case ON messages(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX messages_patrol ON messages(patrol_id) WHERE patrol_id IS NOT NULL;

CREATE TABLE deliveries(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_rowid INTEGER NOT NULL REFERENCES messages(rowid),
  member TEXT NOT NULL,
  mode TEXT NOT NULL CHECK(mode IN ('push', 'pull')),
  state TEXT NOT NULL
    CHECK(state IN ('queued', 'retrying', 'inbox', 'delivered', 'dead_letter')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  order_key TEXT NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL);
CREATE INDEX deliveries_message ON deliveries(message_rowid, seq);
CREATE INDEX deliveries_open ON deliveries(member, seq)
  WHERE state IN ('queued', 'retrying', 'inbox');
CREATE INDEX deliveries_dead ON deliveries(seq, member) WHERE state = 'dead_letter';

CREATE TABLE audit(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- One row, rewritten by the readiness probe (Store::writable).
CREATE TABLE writer_probe(id INTEGER PRIMARY KEY CHECK(id = 1), at_ms INTEGER NOT NULL);
)sql";

// Version 2: a delivery may carry its own form of the message (redacted for its
// recipient by the policy); NULL means the message's stored envelope.
constexpr const char* kVersion2 = "ALTER TABLE deliveries ADD COLUMN envelope TEXT";

// Version 3: the shared case registry (gateway/cases/README.md), maintained by the
// writer in the transaction that stores each case.* message.
// - cases: one row per case_id; case_events: its history; case_parties: who may see it,
//   with a copy of the case's deadline and whether it is still open, so that a member's
//   overdue cases are one range of case_parties_overdue.
// - case_daily and case_status_counts are aggregates kept in the same transaction, so
//   the joint-meeting report reads a few hundred rows, however many cases there are.
// - cases_active (partial, non-final cases by deadline) serves the overdue gauge and
//   list; cases_closed (covering) the median time to close over a period. Queries must
//   repeat the partial indexes' WHERE terms verbatim to use them.
// - messages_link_time: alerts per partner and patrol incidents over a period.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE cases(
  case_id TEXT PRIMARY KEY,
  link TEXT NOT NULL,
  origin TEXT NOT NULL,
  lead TEXT NOT NULL,
  lead_unit TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK(status IN
    ('open', 'accepted', 'in_progress', 'resolved', 'closed', 'rejected', 'transferred')),
  title TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL DEFAULT '',
  closure_criteria TEXT NOT NULL DEFAULT '',
  opened_at_ms INTEGER NOT NULL,
  deadline_ms INTEGER,
  closed_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  open_message_rowid INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX cases_active ON cases(deadline_ms, link, lead, status)
  WHERE status NOT IN ('closed', 'rejected');
CREATE INDEX cases_closed ON cases(closed_at_ms, link, lead, opened_at_ms, status)
  WHERE status = 'closed';

CREATE TABLE case_events(
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  lead TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  message_rowid INTEGER NOT NULL,
  PRIMARY KEY(case_id, seq)) WITHOUT ROWID;

CREATE TABLE case_parties(
  case_id TEXT NOT NULL,
  member TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  deadline_ms INTEGER,
  PRIMARY KEY(case_id, member)) WITHOUT ROWID;
CREATE INDEX case_parties_member ON case_parties(member, case_id);
CREATE INDEX case_parties_overdue ON case_parties(member, deadline_ms, case_id, active)
  WHERE active = 1;

CREATE TABLE case_daily(
  link TEXT NOT NULL,
  lead TEXT NOT NULL,
  day INTEGER NOT NULL,
  opened INTEGER NOT NULL DEFAULT 0,
  closed INTEGER NOT NULL DEFAULT 0,
  closed_with_deadline INTEGER NOT NULL DEFAULT 0,
  closed_on_time INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(day, link, lead)) WITHOUT ROWID;

CREATE TABLE case_status_counts(
  link TEXT NOT NULL,
  lead TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(link, lead, status)) WITHOUT ROWID;

CREATE INDEX messages_link_time ON messages(link, kind, accepted_at_ms, source);
)sql";

// Version 4: deliveries_open's WHERE as ORs (SIXLINK_OPEN_STATES in schema.h, which must
// spell the same term): the IN list made SQLite build a temporary b-tree on every insert
// and outcome update. Rebuilding the index reads the open deliveries once.
constexpr const char* kVersion4 = R"sql(
DROP INDEX deliveries_open;
CREATE INDEX deliveries_open ON deliveries(member, seq)
  WHERE (state = 'queued' OR state = 'retrying' OR state = 'inbox');
)sql";

// Version 5: the deliveries table's CHECKs as ORs too (SQLite evaluated the five-item IN
// list on state through a temporary b-tree on every insert and update). SQLite cannot
// change a CHECK in place, so the table is rebuilt (its documented twelve-step way): the
// rows keep their seq, the AUTOINCREMENT high-water mark is carried over, and the three
// indexes are built again. It reads every delivery once, at the first start.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE deliveries_v5(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_rowid INTEGER NOT NULL REFERENCES messages(rowid),
  member TEXT NOT NULL,
  mode TEXT NOT NULL CHECK(mode = 'push' OR mode = 'pull'),
  state TEXT NOT NULL CHECK(state = 'queued' OR state = 'retrying' OR state = 'inbox' OR
                            state = 'delivered' OR state = 'dead_letter'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  order_key TEXT NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL,
  envelope TEXT);
INSERT INTO deliveries_v5(seq, message_rowid, member, mode, state, attempts, next_attempt_ms,
                          last_error, order_key, updated_at_ms, envelope)
  SELECT seq, message_rowid, member, mode, state, attempts, next_attempt_ms, last_error,
         order_key, updated_at_ms, envelope FROM deliveries;
DELETE FROM sqlite_sequence WHERE name = 'deliveries_v5';
INSERT INTO sqlite_sequence(name, seq)
  SELECT 'deliveries_v5', seq FROM sqlite_sequence WHERE name = 'deliveries';
DROP TABLE deliveries;
ALTER TABLE deliveries_v5 RENAME TO deliveries;
CREATE INDEX deliveries_message ON deliveries(message_rowid, seq);
CREATE INDEX deliveries_open ON deliveries(member, seq)
  WHERE (state = 'queued' OR state = 'retrying' OR state = 'inbox');
CREATE INDEX deliveries_dead ON deliveries(seq, member) WHERE state = 'dead_letter';
)sql";

constexpr std::array kMigrations{Migration{1, kVersion1}, Migration{2, kVersion2},
                                 Migration{3, kVersion3}, Migration{4, kVersion4},
                                 Migration{5, kVersion5}};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations("
    "version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)";

// Highest version recorded in the file (0 for a new file).
bool recorded_version(Connection& db, int64_t* version, std::string* error) {
  std::string text;
  if (!db.query_text("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &text, error)) {
    return false;
  }
  *version = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

// Runs one step in its own IMMEDIATE transaction, re-checking inside it that no other
// process applied the step since we looked.
bool apply_step(Connection& db, const Migration& step, int64_t now_ms, std::string* error) {
  if (!db.exec("BEGIN IMMEDIATE", error)) return false;
  int64_t current = 0;
  bool ok = recorded_version(db, &current, error);
  if (ok && current < step.version) {
    Statement record;
    ok = db.exec(step.sql, error) &&
         record.prepare(db.get(), "INSERT INTO schema_migrations VALUES(?1, ?2)", error);
    if (ok) {
      record.bind(1, step.version);
      record.bind(2, now_ms);
      ok = record.run();
      if (!ok) *error = db.last_error();
    }
  }
  if (ok && db.exec("COMMIT", error)) return true;
  *error = "schema migration " + std::to_string(step.version) + " failed: " + *error;
  std::string ignored;
  if (sqlite3_get_autocommit(db.get()) == 0) db.exec("ROLLBACK", &ignored);
  return false;
}

}  // namespace

std::span<const Migration> store_migrations() { return kMigrations; }

bool configure_connection(Connection& db, ConnectionRole role, Durability durability,
                          std::string* error) {
  if (!db.exec("PRAGMA busy_timeout = 5000", error)) return false;
  if (role == ConnectionRole::reader) return db.exec("PRAGMA query_only = ON", error);

  std::string mode;
  if (!db.query_text("PRAGMA journal_mode = WAL", &mode, error)) return false;
  if (mode != "wal") {
    *error = "cannot switch the store to WAL mode (journal_mode is \"" + mode + "\")";
    return false;
  }
  const char* sync =
      durability == Durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  // 32 MiB of page cache (SQLite's default is 2 MiB): the index pages a hot insert walks
  // stay in memory as the store grows, instead of being read back from the OS each commit.
  return db.exec(sync, error) && db.exec("PRAGMA foreign_keys = ON", error) &&
         db.exec("PRAGMA cache_size = -32768", error);
}

bool apply_migrations(Connection& db, std::span<const Migration> migrations, int64_t now_ms,
                      std::string* error) {
  if (!db.exec(kCreateMigrationsTable, error)) return false;
  int64_t current = 0;
  if (!recorded_version(db, &current, error)) return false;
  int64_t known = migrations.empty() ? 0 : migrations.back().version;
  if (current > known) {
    *error = "store schema version " + std::to_string(current) +
             " is newer than this gateway supports (" + std::to_string(known) +
             "); refusing to open it";
    return false;
  }
  for (const Migration& step : migrations) {
    if (step.version > current && !apply_step(db, step, now_ms, error)) return false;
  }
  return true;
}

}  // namespace sixlink::store::sqlite
