// RAII handles over the SQLite C API for the SQLite store engine: a Connection (one
// sqlite3*), a prepared Statement, and StatementScope, which resets a statement and
// clears its bindings when a use ends. Everything here is single-threaded: the owner of a
// Connection (the writer thread, or the reader behind its mutex) serialises its use.
//
// Text is bound with SQLITE_STATIC (no copy): the bound string must outlive the scope
// in which the statement is stepped, which StatementScope guarantees by resetting first.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sixlink::store::sqlite {

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens `path` with `flags` (SQLITE_OPEN_*). false with *error set on failure.
  bool open(const std::string& path, int flags, std::string* error);
  // Runs one or more statements that return no rows we need.
  bool exec(const char* sql, std::string* error);
  // Runs a statement returning one text value (e.g. "PRAGMA journal_mode=WAL").
  bool query_text(const char* sql, std::string* value, std::string* error);
  void close();

  sqlite3* get() const { return db_; }
  std::string last_error() const;

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Compiles `sql` once, for repeated use. false with *error naming the SQL on failure.
  bool prepare(sqlite3* db, std::string_view sql, std::string* error);

  // Parameters are 1-based, as in SQLite. Binding errors surface at step().
  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void bind(int index, std::string_view text) {
    // A null data pointer would bind SQL NULL; an empty view is an empty string.
    const char* data = text.data() != nullptr ? text.data() : "";
    sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  // Steps a statement that returns no row; true on SQLITE_DONE.
  bool run() { return step() == SQLITE_DONE; }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t int64_at(int column) const { return sqlite3_column_int64(stmt_, column); }
  int int_at(int column) const { return sqlite3_column_int(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // Valid until the next step() or reset().
  std::string_view text_at(int column) const;
  std::string string_at(int column) const { return std::string(text_at(column)); }

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets the statement when a use of it ends, so that no read snapshot stays open and
// SQLITE_STATIC bindings never outlive the strings they point to.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Statement& statement_;
};

}  // namespace sixlink::store::sqlite
