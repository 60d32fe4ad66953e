// The case registry's side of an ingest write (gateway/cases/README.md): loads the
// case's current row, lets the state machine decide the event against it, and, when
// legal, writes the row, its history entry, its parties and the report aggregates.
// Runs on the writer thread inside the ingest write's transaction, so two events of one
// case in the same group commit see each other in order, and a refused or rolled-back
// write leaves no trace.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gateway/cases/case_transitions.h"
#include "gateway/store/sqlite/statement.h"
#include "gateway/store/store.h"

namespace sixlink::store::sqlite {

class CaseApplier {
 public:
  // Prepares the statements on `db`. false with *error set.
  bool prepare(sqlite3* db, std::string* error);

  // Decides `event` against the case as stored now. false (with *error) only when the
  // database cannot be read; a refusal is a decision with legal = false.
  bool decide(const CaseEvent& event, cases::Transition* decision, std::string* error);
  // Writes a legal decision. `message_rowid` is the stored message that carried it.
  bool apply(const CaseEvent& event, const cases::Transition& decision, int64_t message_rowid,
             int64_t at_ms, std::string* error);

 private:
  bool load(const std::string& case_id, std::string* error);
  bool is_party(const std::string& case_id, const std::string& member, bool* party,
                std::string* error);
  bool write_row(const CaseRecord& row, bool insert, int64_t message_rowid, std::string* error);
  bool add_event(const CaseEvent& event, const std::string& from, const CaseRecord& row,
                 int64_t message_rowid, int64_t at_ms, std::string* error);
  bool add_party(const std::string& case_id, const std::string& member, std::string* error);
  bool sync_parties(const CaseRecord& row, std::string* error);
  bool add_daily(const CaseRecord& row, int64_t day, bool opened, bool closed, std::string* error);
  bool add_status(const std::string& link, const std::string& lead, const std::string& status,
                  int64_t delta, std::string* error);
  bool fail(const char* what, std::string* error) const;

  sqlite3* db_ = nullptr;
  // The row decide() loaded, for apply() to change.
  std::optional<CaseRecord> current_;
  int64_t last_seq_ = 0;
  Statement load_, party_, insert_case_, update_case_, insert_event_, insert_party_,
      sync_parties_, daily_, status_;
};

}  // namespace sixlink::store::sqlite
