// RAII handles over the SQLite C API: opening, closing and one-shot execution for
// Connection; compilation and text access for Statement. See statement.h.
#include "gateway/store/sqlite/statement.h"

#include <utility>

namespace sixlink::store::sqlite {

// ---------------------------------------------------------------- Connection

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

bool Connection::open(const std::string& path, int flags, std::string* error) {
  close();
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db_, 1);
    return true;
  }
  *error = "cannot open " + path + ": " +
           (db_ != nullptr ? std::string(sqlite3_errmsg(db_)) : std::string(sqlite3_errstr(rc)));
  close();
  return false;
}

bool Connection::exec(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message != nullptr ? message : last_error();
  sqlite3_free(message);
  return false;
}

bool Connection::query_text(const char* sql, std::string* value, std::string* error) {
  Statement statement;
  if (!statement.prepare(db_, sql, error)) return false;
  int rc = statement.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    *error = std::string(sql) + ": " + last_error();
    return false;
  }
  *value = rc == SQLITE_ROW ? statement.string_at(0) : std::string();
  return true;
}

void Connection::close() {
  // close_v2: if a Statement outlives its Connection, SQLite closes once it is finalised.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

std::string Connection::last_error() const {
  return db_ != nullptr ? sqlite3_errmsg(db_) : "no connection";
}

// ---------------------------------------------------------------- Statement

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

bool Statement::prepare(sqlite3* db, std::string_view sql, std::string* error) {
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc == SQLITE_OK) return true;
  *error = "cannot prepare \"" + std::string(sql) + "\": " + sqlite3_errmsg(db);
  return false;
}

std::string_view Statement::text_at(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

}  // namespace sixlink::store::sqlite
