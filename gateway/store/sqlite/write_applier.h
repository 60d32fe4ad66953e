// What each queued write does to the database, inside the savepoint the writer opened
// for it: the SQL of ingest, outcomes, inbox acks, dead-letter replays and the probe,
// with its statements prepared once, and the audit chain's tail (seq and hash of the
// last entry) kept in memory. Runs only on the writer thread.
//
// The tail is in-memory state that a rollback must undo too: the writer takes a mark()
// before each savepoint and before each transaction, and rewind()s to it when the
// database work is rolled back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/store/sqlite/audit_chain.h"
#include "gateway/store/sqlite/case_applier.h"
#include "gateway/store/sqlite/statement.h"
#include "gateway/store/sqlite/writes.h"

namespace sixlink::store::sqlite {

// The two updates of align_delivery_mode, shared with the test that checks their plans.
extern const char* const kAlignOpen;
extern const char* const kAlignDead;

class WriteApplier {
 public:
  struct Mark {
    int64_t seq = 0;
    HexDigest hash{};
  };

  // Prepares the statements on `db` and reads the audit tail. nullptr with *error set.
  static std::unique_ptr<WriteApplier> create(sqlite3* db, std::string* error);

  // Applies `write` (filling its result). false with *error set when the write must be
  // rolled back; a duplicate or conflicting ingest is a success that wrote nothing.
  bool apply(Write& write, int64_t now_ms, std::string* error);

  // The 202 body of an accepted message, {id, deliveries:[{to, state}]}, stored with it
  // so that a duplicate gets the very same answer. Pure: any thread may build it.
  static std::string accepted_response(const IngestRecord& record);

  // Moves `member`'s open and dead-lettered deliveries of the other mode to `mode` ("push"
  // or "pull"), audited when any moved: a member whose delivery mode the configuration
  // changed would otherwise keep rows that neither its inbox ack nor the relay can finish.
  // In the caller's transaction; *moved says how many rows.
  bool align_delivery_mode(const std::string& member, std::string_view mode, int64_t now_ms,
                           int64_t* moved, std::string* error);

  Mark mark() const { return tail_; }
  void rewind(const Mark& mark) { tail_ = mark; }

 private:
  explicit WriteApplier(sqlite3* db) : db_(db) {}
  bool prepare_all(std::string* error);
  bool load_tail(std::string* error);

  bool apply_ingest(IngestWrite& write, int64_t now_ms, std::string* error);
  // Looks (source, id) up: *seen if it was accepted before (write.result then says
  // duplicate or conflict). false with *error set if the lookup failed.
  bool find_earlier(IngestWrite& write, bool* seen, std::string* error);
  // Inserts the message row. *inserted is false, and nothing is written, if (source, id)
  // is taken already.
  bool insert_message(const IngestRecord& record, const std::string& response, int64_t* rowid,
                      bool* inserted, std::string* error);
  bool insert_deliveries(IngestWrite& write, int64_t rowid, int64_t now_ms, std::string* error);
  // The case registry's part of an ingest (case.* messages): the transition check
  // before anything is written, and its effect once the message row exists.
  bool check_case(IngestWrite& write, cases::Transition* decision, std::string* error);
  bool apply_case(const IngestWrite& write, const cases::Transition& decision, int64_t rowid,
                  int64_t now_ms, std::string* error);
  bool apply_outcomes(OutcomesWrite& write, int64_t now_ms, std::string* error);
  bool apply_outcome(const DeliveryOutcome& outcome, int64_t now_ms, std::string* error);
  bool dead_letter(const DeliveryOutcome& outcome, int64_t now_ms, std::string* error);
  bool apply_ack(AckWrite& write, int64_t now_ms, std::string* error);
  bool apply_replay(ReplayWrite& write, int64_t now_ms, std::string* error);
  bool apply_probe(ProbeWrite& write, int64_t now_ms, std::string* error);

  // Appends one audit entry chained to the tail, and moves the tail to it.
  bool append_audit(std::string_view actor, std::string_view action, std::string_view subject,
                    std::string_view detail, int64_t now_ms, std::string* error);
  // Sets *error from the connection after a failed step; always returns false.
  bool fail(const char* what, std::string* error) const;

  sqlite3* db_;
  Mark tail_;
  AuditHasher hasher_;
  Statement find_message_;
  Statement insert_message_;
  Statement insert_delivery_;
  Statement insert_audit_;
  Statement mark_delivered_;
  Statement mark_retrying_;
  Statement mark_dead_;
  Statement ack_inbox_;
  Statement replay_;
  Statement probe_;
  CaseApplier cases_;
};

}  // namespace sixlink::store::sqlite
