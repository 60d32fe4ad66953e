// The single writer thread and its group commits. See group_commit_writer.h.
#include "gateway/store/sqlite/group_commit_writer.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

namespace sixlink::store::sqlite {
namespace {

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---------------------------------------------------------------- life cycle

std::unique_ptr<GroupCommitWriter> GroupCommitWriter::create(
    Connection db, std::unique_ptr<WriteApplier> applier, std::size_t max_batch,
    CommitObserver on_commit, CompletionRunner run_ingest_completions, std::string* error) {
  std::unique_ptr<GroupCommitWriter> writer(
      new GroupCommitWriter(std::move(db), std::move(applier), std::max<std::size_t>(max_batch, 1),
                            std::move(on_commit), std::move(run_ingest_completions)));
  if (!writer->prepare(error)) return nullptr;
  return writer;
}

GroupCommitWriter::GroupCommitWriter(Connection db, std::unique_ptr<WriteApplier> applier,
                                     std::size_t max_batch, CommitObserver on_commit,
                                     CompletionRunner run_ingest_completions)
    : db_(std::move(db)),
      applier_(std::move(applier)),
      max_batch_(max_batch),
      on_commit_(std::move(on_commit)),
      run_ingest_completions_(std::move(run_ingest_completions)) {
  batch_.reserve(max_batch_);
}

GroupCommitWriter::~GroupCommitWriter() {
  stop();
  // Only when destroyed from one of its own completions (a caller's bug): the thread
  // cannot wait for itself, and joining would abort the process.
  if (thread_.joinable()) thread_.detach();
}

bool GroupCommitWriter::prepare(std::string* error) {
  sqlite3* db = db_.get();
  return begin_.prepare(db, "BEGIN IMMEDIATE", error) && commit_.prepare(db, "COMMIT", error) &&
         rollback_.prepare(db, "ROLLBACK", error) &&
         savepoint_.prepare(db, "SAVEPOINT write", error) &&
         release_.prepare(db, "RELEASE write", error) &&
         rollback_to_.prepare(db, "ROLLBACK TO write", error);
}

void GroupCommitWriter::start() {
  // The thread's first act is to take mutex_, so it sees writer_id_ set.
  std::lock_guard lock(mutex_);
  thread_ = std::thread([this] { run(); });
  writer_id_ = thread_.get_id();
}

void GroupCommitWriter::submit(Write write) {
  const char* refused = "the store is closed";
  try {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(write));  // strong guarantee: `write` intact if it throws
      wake_.notify_one();
      return;
    }
  } catch (const std::exception&) {
    refused = "the store cannot queue the write (out of memory)";
  }
  mark_failed(write, refused);
  complete(write);
}

void GroupCommitWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (on_writer_thread()) return;
  std::lock_guard lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

void GroupCommitWriter::release_connection() {
  applier_.reset();
  begin_ = Statement();
  commit_ = Statement();
  rollback_ = Statement();
  savepoint_ = Statement();
  release_ = Statement();
  rollback_to_ = Statement();
  db_.close();
}

// ---------------------------------------------------------------- the writer thread

void GroupCommitWriter::run() {
  std::string error;
  while (take_batch()) {
    auto started = std::chrono::steady_clock::now();
    error.clear();
    const WriteApplier::Mark before_batch = applier_->mark();
    bool committed = false;
    try {
      committed = commit_batch(before_batch, &error);
    } catch (const std::exception& e) {  // out of memory: the batch fails, the writer lives
      error = e.what();
    }
    if (!committed) {
      std::string ignored;
      if (in_transaction()) run_statement(rollback_, &ignored);
      applier_->rewind(before_batch);
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    finish_batch(committed, error, took.count());
  }
  release_connection();  // on this thread: the connection is never used concurrently
}

bool GroupCommitWriter::take_batch() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;  // stopping, and everything queued is committed
  std::size_t n = std::min(queue_.size(), max_batch_);
  for (std::size_t i = 0; i < n; ++i) {
    batch_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

// On failure the caller rolls back what is left of the transaction.
//
// The batch is first applied without savepoints (two statements and a pager savepoint
// less per write). Only if a write fails is the transaction rolled back and the batch
// applied again with a savepoint per write, so that the failing write rolls back alone.
bool GroupCommitWriter::commit_batch(const WriteApplier::Mark& before_batch, std::string* error) {
  if (!run_statement(begin_, error)) return false;
  const int64_t now_ms = wall_clock_ms();
  if (apply_all(now_ms)) return run_statement(commit_, error);
  if (in_transaction() && !run_statement(rollback_, error)) return false;
  applier_->rewind(before_batch);
  for (Write& write : batch_) mark_failed(write, {});  // clears what the undone pass filled in
  if (!run_statement(begin_, error)) return false;
  for (Write& write : batch_) {
    // An I/O error or a full disk can make SQLite roll the whole transaction back;
    // then the writes already applied are gone too and the batch has failed.
    if (!apply_in_savepoint(write, now_ms) && !in_transaction()) {
      *error = "transaction aborted: " + db_.last_error();
      return false;
    }
  }
  return run_statement(commit_, error);
}

bool GroupCommitWriter::apply_all(int64_t now_ms) {
  std::string error;
  for (Write& write : batch_) {
    bool applied = false;
    try {
      applied = applier_->apply(write, now_ms, &error);
    } catch (const std::exception&) {  // bad_alloc, or a JSON library failure
    }
    if (!applied) return false;
  }
  return true;
}

bool GroupCommitWriter::apply_in_savepoint(Write& write, int64_t now_ms) {
  std::string error;
  if (!run_statement(savepoint_, &error)) {
    mark_failed(write, "cannot open a savepoint: " + error);
    return false;
  }
  const WriteApplier::Mark before_write = applier_->mark();
  bool applied = false;
  try {
    applied = applier_->apply(write, now_ms, &error);
  } catch (const std::exception& e) {  // bad_alloc, or a JSON library failure
    error = e.what();
  }
  if (applied && run_statement(release_, &error)) return true;
  std::string ignored;
  if (in_transaction()) {
    run_statement(rollback_to_, &ignored);
    run_statement(release_, &ignored);
  }
  applier_->rewind(before_write);
  mark_failed(write, error);
  return false;
}

void GroupCommitWriter::finish_batch(bool committed, const std::string& error, double seconds) {
  if (!committed) {
    std::string reason = "store commit failed: " + error;
    for (Write& write : batch_) mark_failed(write, reason);
  }
  complete_batch();
  std::size_t writes = batch_.size();
  batch_.clear();
  if (committed && on_commit_) {
    try {
      on_commit_(seconds, writes);
    } catch (...) {
      // An observer (metrics) failing must not stop the writer.
    }
  }
}

void GroupCommitWriter::complete_batch() {
  // The ingest writes handed over go whole, so complete() serves both places.
  std::shared_ptr<std::vector<Write>> handed;  // shared: std::function needs a copyable closure
  if (run_ingest_completions_) {
    try {
      handed = std::make_shared<std::vector<Write>>();
      handed->reserve(batch_.size());
    } catch (const std::exception&) {  // out of memory: complete them all here
      handed.reset();
    }
  }
  for (Write& write : batch_) {
    if (handed && std::holds_alternative<IngestWrite>(write))
      handed->push_back(std::move(write));  // reserved: cannot throw
    else
      complete(write);
  }
  if (!handed || handed->empty()) return;
  auto run = [handed] {
    for (Write& write : *handed) complete(write);
  };
  try {
    run_ingest_completions_(run);
  } catch (...) {  // could not hand them over: they run here after all
    run();
  }
}

bool GroupCommitWriter::run_statement(Statement& statement, std::string* error) {
  bool done = statement.run();
  if (!done) *error = db_.last_error();
  statement.reset();
  return done;
}

bool GroupCommitWriter::in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

}  // namespace sixlink::store::sqlite
