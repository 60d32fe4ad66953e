// The SQLite store's single writer: a queue of writes and the one thread that drains it
// in group commits. The thread takes everything queued (up to max_batch), runs it in one
// BEGIN IMMEDIATE ... COMMIT (a failing write rolls back only itself: the batch is then
// applied again with a SAVEPOINT per write), and after COMMIT returns runs each write's
// completion (or hands the ingest ones over in one piece: StoreOptions), then on_commit. Writes
// queued while a commit is in flight therefore share the next transaction, and a whole batch costs
// one fsync. What a write does to the database is WriteApplier's business.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/sqlite/statement.h"
#include "gateway/store/sqlite/write_applier.h"
#include "gateway/store/sqlite/writes.h"

namespace sixlink::store::sqlite {

class GroupCommitWriter {
 public:
  using CommitObserver = std::function<void(double seconds, std::size_t writes)>;
  using CompletionRunner = std::function<void(std::function<void()>)>;  // StoreOptions'

  // Takes the configured, migrated writer connection and the applier prepared on it.
  // nullptr with *error set if the transaction statements do not compile.
  static std::unique_ptr<GroupCommitWriter> create(Connection db,
                                                   std::unique_ptr<WriteApplier> applier,
                                                   std::size_t max_batch, CommitObserver on_commit,
                                                   CompletionRunner run_ingest_completions,
                                                   std::string* error);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void start();
  // Queues `write`. Once stopping, the write fails at once, on the calling thread.
  void submit(Write write);
  // Commits everything queued so far, then ends the thread, which closes the connection.
  // Idempotent. Called from the writer thread itself (a completion), it only asks the
  // thread to stop once the queue is drained; a later stop() or the destructor waits.
  void stop();
  bool on_writer_thread() const { return std::this_thread::get_id() == writer_id_; }

 private:
  GroupCommitWriter(Connection db, std::unique_ptr<WriteApplier> applier, std::size_t max_batch,
                    CommitObserver on_commit, CompletionRunner run_ingest_completions);
  bool prepare(std::string* error);

  void run();
  // Moves up to max_batch queued writes into batch_; false when stopping and drained.
  bool take_batch();
  // Runs batch_ in one transaction; false (and *error set) if it did not commit.
  // `before_batch` is the applier's mark taken before it.
  bool commit_batch(const WriteApplier::Mark& before_batch, std::string* error);
  bool apply_all(int64_t now_ms);  // the whole batch, no savepoints; false at the first failure
  bool apply_in_savepoint(Write& write, int64_t now_ms);
  void finish_batch(bool committed, const std::string& error, double seconds);
  // Runs the batch's completions: the ingest ones through run_ingest_completions_ if set.
  void complete_batch();
  // Steps a statement that returns no row and resets it; on failure sets *error.
  bool run_statement(Statement& statement, std::string* error);
  bool in_transaction() const;
  void release_connection();

  Connection db_;  // destroyed last: the statements below belong to it
  std::unique_ptr<WriteApplier> applier_;
  Statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
  const std::size_t max_batch_;
  const CommitObserver on_commit_;
  const CompletionRunner run_ingest_completions_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Write> queue_;   // guarded by mutex_
  bool stopping_ = false;     // guarded by mutex_
  std::vector<Write> batch_;  // writer thread only; keeps its capacity between batches
  std::mutex join_mutex_;     // two threads closing at once: one joins, the other waits
  std::thread thread_;
  std::thread::id writer_id_;  // set once by start(), before any other call
};

}  // namespace sixlink::store::sqlite
