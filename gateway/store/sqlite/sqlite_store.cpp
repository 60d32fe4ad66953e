// The SQLite engine of the store seam (store.h, DESIGN §8): open_sqlite_store, and
// SqliteStore, which puts writes on the GroupCommitWriter's queue and serves reads from
// the StoreReader. Opening does the fallible work (pragmas, migrations, statements) once,
// so that nothing after it can fail loudly: errors become failed results.
#include <chrono>
#include <future>
#include <memory>
#include <utility>

#include "gateway/store/sqlite/audit_chain.h"
#include "gateway/store/sqlite/case_reader.h"
#include "gateway/store/sqlite/group_commit_writer.h"
#include "gateway/store/sqlite/schema.h"
#include "gateway/store/sqlite/store_reader.h"
#include "gateway/store/sqlite/write_applier.h"
#include "gateway/store/store.h"

namespace sixlink::store {
namespace {

using sqlite::GroupCommitWriter;
using sqlite::CaseReader;
using sqlite::StoreReader;

// How long writable() waits for its probe to commit before calling the store unready.
constexpr std::chrono::seconds kProbeTimeout{2};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<GroupCommitWriter> writer,
              std::unique_ptr<StoreReader> reader, std::unique_ptr<CaseReader> cases)
      : path_(std::move(path)),
        writer_(std::move(writer)),
        reader_(std::move(reader)),
        cases_(std::move(cases)) {}
  ~SqliteStore() override { close(); }

  void ingest(IngestRecord record, std::function<void(IngestResult)> done) override {
    std::string response;  // built here, off the writer; if this fails, the writer builds it
    try {
      response = sqlite::WriteApplier::accepted_response(record);
    } catch (const std::exception&) {
    }
    writer_->submit(
        sqlite::IngestWrite{std::move(record), std::move(done), {}, std::move(response)});
  }
  void record_outcomes(std::vector<DeliveryOutcome> outcomes,
                       std::function<void(bool ok)> done) override {
    writer_->submit(sqlite::OutcomesWrite{std::move(outcomes), std::move(done)});
  }
  void ack_inbox(std::string member, int64_t through_seq,
                 std::function<void(bool ok, int64_t acked)> done) override {
    writer_->submit(sqlite::AckWrite{std::move(member), through_seq, std::move(done)});
  }
  void replay_dead_letter(int64_t seq,
                          std::function<void(ReplayOutcome, std::string member)> done) override {
    writer_->submit(sqlite::ReplayWrite{seq, std::move(done), ReplayOutcome::not_found, {}});
  }

  std::optional<MessageView> message(const std::string& source, const std::string& id) override {
    return guarded([&] { return reader_->message(source, id); });
  }
  std::vector<PendingDelivery> pending(const std::string& member, int64_t after_seq,
                                       int limit) override {
    return guarded([&] { return reader_->pending(member, after_seq, limit); });
  }
  std::vector<PendingKey> pending_keys(const std::string& member, int64_t after_seq,
                                       int limit) override {
    return guarded([&] { return reader_->pending_keys(member, after_seq, limit); });
  }
  std::vector<DeadLetter> dead_letters(int limit) override {
    return guarded([&] { return reader_->dead_letters(limit); });
  }
  std::map<std::string, int64_t> queue_depths() override {
    return guarded([&] { return reader_->queue_depths(); });
  }
  std::map<std::string, int64_t> dead_letter_counts() override {
    return guarded([&] { return reader_->dead_letter_counts(); });
  }
  AuditVerification verify_audit() override;
  bool writable() override;

  std::optional<CaseDetail> case_detail(const std::string& case_id) override {
    return guarded([&] { return cases_->detail(case_id); });
  }
  std::vector<CaseRecord> cases(const CaseListQuery& query) override {
    return guarded([&] { return cases_->list(query); });
  }
  bool is_case_party(const std::string& case_id, const std::string& member) override {
    return guarded([&] { return cases_->is_party(case_id, member); });
  }
  std::map<std::pair<std::string, std::string>, int64_t> overdue_case_counts(
      int64_t now_ms) override {
    return guarded([&] { return cases_->overdue_counts(now_ms); });
  }
  CaseReportData case_report(const CaseReportQuery& query) override {
    return guarded([&] { return cases_->report(query); });
  }

  void close() override {
    writer_->stop();
    reader_->close();
    cases_->close();
  }

 private:
  // Reads allocate; running out of memory answers "nothing" rather than throwing.
  template <class Read>
  static auto guarded(Read read) -> decltype(read()) {
    try {
      return read();
    } catch (...) {
      return {};
    }
  }

  const std::string path_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<CaseReader> cases_;
};

AuditVerification SqliteStore::verify_audit() {
  try {
    return sqlite::verify_audit_chain(path_);
  } catch (const std::exception& e) {
    return AuditVerification{false, 0, 0, std::string("audit verification failed: ") + e.what()};
  }
}

// Commits a one-row probe through the writer, so "writable" means a transaction reached
// the disk just now. From a completion (the writer thread) the probe could never commit
// while we wait, so the answer there is false at once.
bool SqliteStore::writable() {
  if (writer_->on_writer_thread()) return false;
  try {
    auto answer = std::make_shared<std::promise<bool>>();
    std::future<bool> committed = answer->get_future();
    writer_->submit(sqlite::ProbeWrite{[answer](bool ok) { answer->set_value(ok); }});
    return committed.wait_for(kProbeTimeout) == std::future_status::ready && committed.get();
  } catch (...) {
    return false;
  }
}

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The writer connection, configured, migrated and with its statements ready.
std::unique_ptr<GroupCommitWriter> open_writer(const StoreOptions& options, std::string* error) {
  sqlite::Connection db;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (!db.open(options.path, flags, error) ||
      !sqlite::configure_connection(db, sqlite::ConnectionRole::writer, options.durability,
                                    error) ||
      !sqlite::apply_migrations(db, sqlite::store_migrations(), wall_clock_ms(), error)) {
    return nullptr;
  }
  auto applier = sqlite::WriteApplier::create(db.get(), error);
  if (!applier) return nullptr;
  if (!options.delivery_modes.empty()) {  // before any write, in one transaction
    bool ok = db.exec("BEGIN IMMEDIATE", error);
    for (const auto& [member, mode] : options.delivery_modes) {
      int64_t moved = 0;
      ok = ok && applier->align_delivery_mode(member, mode, wall_clock_ms(), &moved, error);
    }
    if (!ok || !db.exec("COMMIT", error)) {
      std::string ignored;
      if (sqlite3_get_autocommit(db.get()) == 0) db.exec("ROLLBACK", &ignored);
      return nullptr;
    }
  }
  return GroupCommitWriter::create(std::move(db), std::move(applier), options.max_batch,
                                   options.on_commit, options.run_ingest_completions, error);
}

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options, std::string* error) {
  std::string ignored;
  if (error == nullptr) error = &ignored;
  try {
    auto writer = open_writer(options, error);
    if (!writer) return nullptr;
    auto reader = StoreReader::open(options.path, error);
    if (!reader) return nullptr;
    auto cases = CaseReader::open(options.path, error);
    if (!cases) return nullptr;
    writer->start();
    return std::make_unique<SqliteStore>(options.path, std::move(writer), std::move(reader),
                                         std::move(cases));
  } catch (const std::exception& e) {
    *error = std::string("cannot open the store: ") + e.what();
    return nullptr;
  }
}

}  // namespace sixlink::store
