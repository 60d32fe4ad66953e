// What a SQLite store file looks like: the connection settings every connection gets
// (WAL, synchronous level, busy timeout, foreign keys) and the versioned schema
// migrations. Migrations are an ordered list; each one runs in its own transaction and
// records itself in schema_migrations, so reopening a file applies only the missing ones
// and a file written by a newer gateway is refused rather than misread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "gateway/config/config.h"
#include "gateway/store/sqlite/statement.h"

namespace sixlink::store::sqlite {

// The non-final delivery states as the deliveries_open index's WHERE spells them (since
// migration 4), for a column `col` ("state", "d.state"): a query uses the index only if it
// repeats this term. ORs, not IN: SQLite evaluates a list of three or more through a
// temporary b-tree, built on every insert into deliveries and every outcome update.
#define SIXLINK_OPEN_STATES(col) "(" col " = 'queued' OR " col " = 'retrying' OR " col " = 'inbox')"

struct Migration {
  int64_t version = 0;  // strictly increasing along the list
  const char* sql = "";
};

// The store's schema, oldest first. Append to it; never edit a step that has shipped.
std::span<const Migration> store_migrations();

// Which side of the store a connection serves.
enum class ConnectionRole { writer, reader };

// Applies the pragmas of `role`: the writer turns WAL on (and checks it took), sets
// synchronous FULL (fsync on every commit) or NORMAL per `durability`, enables foreign
// keys and a 32 MiB page cache; a reader is query_only. Both get a busy timeout.
bool configure_connection(Connection& db, ConnectionRole role, Durability durability,
                          std::string* error);

// Brings `db` up to the last version of `migrations`. false with *error set if a step
// fails (that step is rolled back, earlier ones stay) or if the file already holds a
// version newer than the list knows.
bool apply_migrations(Connection& db, std::span<const Migration> migrations, int64_t now_ms,
                      std::string* error);

}  // namespace sixlink::store::sqlite
