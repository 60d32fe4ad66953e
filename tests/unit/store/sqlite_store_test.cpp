// Tests of the SQLite store engine (gateway/store/sqlite/) on real files in a temp dir:
// ingest idempotency, group commit and its durability promise, delivery state changes,
// inbox acks, dead letters, migrations, the audit chain and the connection settings.
// Raw sqlite3 connections stand in for "another process looking at the file".
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/sqlite/audit_chain.h"
#include "gateway/store/sqlite/schema.h"
#include "gateway/store/sqlite/statement.h"
#include "gateway/store/sqlite/store_reader.h"
#include "gateway/store/sqlite/write_applier.h"
#include "gateway/store/store.h"

namespace sixlink::store {
namespace {

using namespace std::chrono_literals;
using Recipients = std::vector<IngestRecord::Recipient>;

constexpr auto kWait = 10s;  // generous: a missing completion fails instead of hanging

// A connection of our own to the store file, as another process would open it.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  bool exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  // First column of the first row as text ("" if no row).
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "<error>";
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }
  int64_t number(const std::string& sql) { return std::stoll("0" + text(sql)); }
  // Column `column` of every row, joined with " | ".
  std::string joined(const std::string& sql, int column) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "<error>";
    while (sqlite3_step(s) == SQLITE_ROW) {
      out += std::string(out.empty() ? "" : " | ") +
             reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

IngestRecord record(const std::string& id, Recipients recipients,
                    const std::string& hash = "hash-1") {
  IngestRecord r;
  r.source = "kunshan";
  r.id = id;
  r.link = "info_sharing";
  r.kind = "alert";
  r.classification = "internal";
  r.order_key = "case:ks-1";
  r.body_hash = hash;
  r.envelope_json = R"({"id":")" + id + R"("})";
  r.recipients = std::move(recipients);
  r.accepted_at_ms = 1700000000000;
  return r;
}

const Recipients kPushAndPull{{"taicang", DeliveryMode::push}, {"baoshan", DeliveryMode::pull}};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = std::filesystem::temp_directory_path() /
           ("sixlink-store-" + std::string(name) + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "store.db").string();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Writes the store file as a gateway at schema `version` left it: message OLD-1 from
  // kunshan, then `deliveries_sql` (rows of message 1).
  void write_old_store(std::size_t version, const std::string& deliveries_sql) {
    sqlite::Connection db;
    std::string error;
    ASSERT_TRUE(db.open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &error)) << error;
    ASSERT_TRUE(sqlite::apply_migrations(db, sqlite::store_migrations().first(version), 1, &error))
        << error;
    const std::string sql =
        "INSERT INTO messages(source, id, link, kind, classification, order_key, body_hash, "
        "envelope, response, accepted_at_ms) VALUES('kunshan', 'OLD-1', 'info_sharing', 'alert', "
        "'internal', '', 'h', '{}', '{}', 1);" +
        deliveries_sql;
    ASSERT_TRUE(db.exec(sql.c_str(), &error)) << error;
  }

  // Whether the schema's SQL of table or index `name` holds an IN list.
  bool schema_uses_in(const std::string& name) {
    return RawDb(path_).text("SELECT sql FROM sqlite_master WHERE name = '" + name + "'").find(" IN ") !=
           std::string::npos;
  }

  void open(StoreOptions options = {}) {
    options.path = path_;
    std::string error;
    store_ = open_sqlite_store(options, &error);
    ASSERT_NE(store_, nullptr) << error;
  }

  IngestResult ingest(IngestRecord r) {
    std::promise<IngestResult> answer;
    auto result = answer.get_future();
    store_->ingest(std::move(r), [&answer](IngestResult res) { answer.set_value(std::move(res)); });
    EXPECT_EQ(result.wait_for(kWait), std::future_status::ready);
    return result.get();
  }
  bool outcomes(std::vector<DeliveryOutcome> list) {
    std::promise<bool> answer;
    store_->record_outcomes(std::move(list), [&answer](bool ok) { answer.set_value(ok); });
    return answer.get_future().get();
  }
  int64_t ack(const std::string& member, int64_t through) {
    std::promise<int64_t> answer;
    store_->ack_inbox(member, through,
                      [&answer](bool ok, int64_t n) { answer.set_value(ok ? n : -1); });
    return answer.get_future().get();
  }
  std::pair<bool, std::string> replay(int64_t seq) {
    auto [outcome, member] = replay_outcome(seq);
    EXPECT_NE(outcome, ReplayOutcome::failed);
    return {outcome == ReplayOutcome::replayed, std::move(member)};
  }
  std::pair<ReplayOutcome, std::string> replay_outcome(int64_t seq) {
    std::promise<std::pair<ReplayOutcome, std::string>> answer;
    store_->replay_dead_letter(seq, [&answer](ReplayOutcome outcome, std::string member) {
      answer.set_value({outcome, std::move(member)});
    });
    return answer.get_future().get();
  }
  std::string state_of(int64_t seq) {
    return RawDb(path_).text("SELECT state FROM deliveries WHERE seq = " + std::to_string(seq));
  }
  // Holds the writer inside a completion until release() is called, so that writes
  // submitted meanwhile are all queued for the same next batch.
  void hold_writer() {
    gate_ = std::make_shared<std::promise<void>>();
    auto entered = std::make_shared<std::promise<void>>();
    auto inside = entered->get_future();
    auto blocked = gate_->get_future().share();
    store_->ingest(record("blocker", {}), [entered, blocked](IngestResult) {
      entered->set_value();
      blocked.wait();
    });
    ASSERT_EQ(inside.wait_for(kWait), std::future_status::ready);
  }
  void release_writer() { gate_->set_value(); }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<std::promise<void>> gate_;
};

// ---------------------------------------------------------------- ingest

TEST_F(SqliteStoreTest, AcceptedIngestCreatesRowsAndResponse) {
  open();
  IngestResult res = ingest(record("KS-1", kPushAndPull));
  ASSERT_EQ(res.status, IngestStatus::accepted) << res.error;
  EXPECT_EQ(res.response_json, R"({"id":"KS-1","deliveries":[{"to":"taicang","state":"queued"},)"
                               R"({"to":"baoshan","state":"inbox"}]})");
  ASSERT_EQ(res.deliveries.size(), 2u);
  EXPECT_EQ(res.deliveries[0].member, "taicang");
  EXPECT_EQ(res.deliveries[1].mode, DeliveryMode::pull);
  EXPECT_LT(res.deliveries[0].seq, res.deliveries[1].seq);

  RawDb raw(path_);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM messages"), 1);
  EXPECT_EQ(raw.text("SELECT response FROM messages"), res.response_json);
  EXPECT_EQ(raw.text("SELECT case_id IS NULL FROM messages"), "1");
  EXPECT_EQ(raw.text("SELECT group_concat(member || ':' || mode || ':' || state) FROM "
                     "(SELECT * FROM deliveries ORDER BY seq)"),
            "taicang:push:queued,baoshan:pull:inbox");
  EXPECT_EQ(raw.text("SELECT actor || ' ' || action || ' ' || subject FROM audit"),
            "kunshan message.accepted kunshan/KS-1");

  auto view = store_->message("kunshan", "KS-1");
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->link, "info_sharing");
  EXPECT_EQ(view->accepted_at_ms, 1700000000000);
  ASSERT_EQ(view->recipients.size(), 2u);
  EXPECT_EQ(view->recipients[1].to, "baoshan");
  EXPECT_EQ(view->recipients[1].state, kInbox);
  EXPECT_FALSE(store_->message("kunshan", "nope").has_value());
}

TEST_F(SqliteStoreTest, DuplicateReturnsTheSameResponseAndWritesNothing) {
  open();
  IngestResult first = ingest(record("KS-1", kPushAndPull));
  IngestResult again = ingest(record("KS-1", kPushAndPull));
  EXPECT_EQ(again.status, IngestStatus::duplicate);
  EXPECT_EQ(again.response_json, first.response_json);
  EXPECT_TRUE(again.deliveries.empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM deliveries"), 2);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM audit"), 1);
}

TEST_F(SqliteStoreTest, ConflictOnDifferentBodyHash) {
  open();
  ASSERT_EQ(ingest(record("KS-1", kPushAndPull)).status, IngestStatus::accepted);
  IngestResult other = ingest(record("KS-1", kPushAndPull, "hash-2"));
  EXPECT_EQ(other.status, IngestStatus::conflict);
  EXPECT_TRUE(other.response_json.empty());
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM messages"), 1);
}

TEST_F(SqliteStoreTest, SameIdTwiceInOneBatch) {
  std::vector<std::size_t> batches;
  std::mutex m;
  StoreOptions options;
  options.on_commit = [&](double, std::size_t writes) {
    std::lock_guard lock(m);
    batches.push_back(writes);
  };
  open(options);
  hold_writer();
  std::vector<std::future<IngestResult>> results;
  for (const char* hash : {"hash-1", "hash-1", "hash-2"}) {
    auto answer = std::make_shared<std::promise<IngestResult>>();
    results.push_back(answer->get_future());
    store_->ingest(record("KS-1", kPushAndPull, hash),
                   [answer](IngestResult r) { answer->set_value(std::move(r)); });
  }
  release_writer();
  IngestResult a = results[0].get(), b = results[1].get(), c = results[2].get();
  EXPECT_EQ(a.status, IngestStatus::accepted);
  EXPECT_EQ(b.status, IngestStatus::duplicate);
  EXPECT_EQ(b.response_json, a.response_json);
  EXPECT_EQ(c.status, IngestStatus::conflict);
  store_->close();
  EXPECT_EQ(batches, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM deliveries"), 2);
}

// With run_ingest_completions set, the writer hands each commit's ingest completions over
// in one call and runs none of them itself; other writes still complete on the writer.
TEST_F(SqliteStoreTest, IngestCompletionsAreHandedOverOncePerCommit) {
  std::mutex m;
  std::vector<std::function<void()>> handed;
  std::vector<std::size_t> commits;
  StoreOptions options;
  options.run_ingest_completions = [&](std::function<void()> run) {
    std::lock_guard lock(m);
    handed.push_back(std::move(run));
  };
  options.on_commit = [&](double, std::size_t writes) {
    std::lock_guard lock(m);
    commits.push_back(writes);
  };
  open(options);
  // The store closes before the locals its callbacks use are gone: the probe's on_commit
  // runs after writable() has returned.
  struct CloseFirst {
    Store& store;
    ~CloseFirst() { store.close(); }
  } close_first{*store_};
  std::vector<std::future<IngestResult>> results;
  for (const char* id : {"A", "B", "C"}) {
    auto answer = std::make_shared<std::promise<IngestResult>>();
    results.push_back(answer->get_future());
    store_->ingest(record(id, kPushAndPull),
                   [answer](IngestResult r) { answer->set_value(std::move(r)); });
  }
  auto committed = [&] {
    std::lock_guard lock(m);
    std::size_t writes = 0;
    for (std::size_t n : commits) writes += n;
    return writes;
  };
  for (auto until = std::chrono::steady_clock::now() + kWait;
       committed() < 3 && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(committed(), 3u);
  std::vector<std::function<void()>> to_run;
  {
    std::lock_guard lock(m);
    EXPECT_EQ(handed.size(), commits.size());  // one hand-over per commit, however many it held
    to_run = handed;
  }
  // The probe is not an ingest: it completes on the writer while no ingest has.
  EXPECT_TRUE(store_->writable());
  for (auto& r : results) EXPECT_EQ(r.wait_for(0s), std::future_status::timeout);
  for (auto& run : to_run) run();
  for (auto& r : results) {
    ASSERT_EQ(r.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(r.get().status, IngestStatus::accepted);
  }
}

TEST_F(SqliteStoreTest, IngestCompletionsRunOnTheWriterWhenTheyCannotBeHandedOver) {
  StoreOptions options;
  options.run_ingest_completions = [](std::function<void()>) {
    throw std::runtime_error("queue full");
  };
  open(options);
  IngestResult res = ingest(record("KS-1", kPushAndPull));
  EXPECT_EQ(res.status, IngestStatus::accepted) << res.error;
  EXPECT_EQ(ingest(record("KS-1", kPushAndPull)).status, IngestStatus::duplicate);
}

// A write that fails half-way (here: a trigger refuses its second delivery) rolls back
// only itself, and the in-memory audit tail with it.
TEST_F(SqliteStoreTest, FailingWriteRollsBackOnlyItself) {
  open();
  ASSERT_TRUE(
      RawDb(path_).exec("CREATE TRIGGER boom BEFORE INSERT ON deliveries WHEN NEW.member = 'boom' "
                        "BEGIN SELECT RAISE(ABORT, 'boom refused'); END"));
  hold_writer();
  std::vector<std::future<IngestResult>> results;
  for (const char* id : {"A", "X", "B"}) {
    Recipients to = std::string(id) == "X" ? Recipients{{"taicang"}, {"boom"}} : kPushAndPull;
    auto answer = std::make_shared<std::promise<IngestResult>>();
    results.push_back(answer->get_future());
    store_->ingest(record(id, to), [answer](IngestResult r) { answer->set_value(std::move(r)); });
  }
  release_writer();
  IngestResult a = results[0].get();
  EXPECT_EQ(a.status, IngestStatus::accepted);
  // The batch ran twice (the second time with a savepoint per write): A's result is
  // the second run's alone, and its answer (handed over by the first run) is whole.
  EXPECT_EQ(a.deliveries.size(), 2u);
  EXPECT_EQ(a.response_json, R"({"id":"A","deliveries":[{"to":"taicang","state":"queued"},)"
                             R"({"to":"baoshan","state":"inbox"}]})");
  EXPECT_EQ(RawDb(path_).text("SELECT response FROM messages WHERE id = 'A'"), a.response_json);
  IngestResult x = results[1].get();
  EXPECT_EQ(x.status, IngestStatus::failed);
  EXPECT_NE(x.error.find("boom refused"), std::string::npos) << x.error;
  EXPECT_EQ(results[2].get().status, IngestStatus::accepted);
  EXPECT_FALSE(store_->message("kunshan", "X").has_value());
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM deliveries WHERE member = 'taicang'"), 2);
  AuditVerification v = store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 3);  // blocker, A, B
}

// The first outcome dead-letters (an audit entry), the second is refused: the whole write
// rolls back, the audit tail in memory included, so the chain stays whole.
TEST_F(SqliteStoreTest, RolledBackWriteTakesItsAuditEntryWithIt) {
  open();
  IngestResult a = ingest(record("A", kPushAndPull));
  int64_t b = ingest(record("B", kPushAndPull)).deliveries[0].seq;
  ASSERT_TRUE(RawDb(path_).exec(
      "CREATE TRIGGER boom BEFORE UPDATE ON deliveries WHEN NEW.last_error = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'boom refused'); END"));
  EXPECT_FALSE(outcomes({{a.deliveries[0].seq, DeliveryOutcome::What::dead_letter, 1, 0, "x"},
                         {b, DeliveryOutcome::What::retry, 1, 0, "boom"}}));
  EXPECT_EQ(state_of(a.deliveries[0].seq), kQueued);
  ASSERT_TRUE(outcomes({{b, DeliveryOutcome::What::dead_letter, 1, 0, "http 400"}}));
  AuditVerification v = store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.first_broken_seq << ": " << v.reason;
  EXPECT_EQ(v.entries, 3);
}

// ---------------------------------------------------------------- group commit

TEST_F(SqliteStoreTest, GroupCommitGroupsAndCompletesOnlyWhenDurable) {
  constexpr int kThreads = 8, kPerThread = 25, kTotal = kThreads * kPerThread;
  std::atomic<int> commits{0}, committed_writes{0}, visible{0}, accepted{0}, done{0};
  std::atomic<std::size_t> largest{0};
  StoreOptions options;
  options.max_batch = 64;
  options.on_commit = [&](double seconds, std::size_t writes) {
    EXPECT_GE(seconds, 0.0);
    if (commits++ == 0) std::this_thread::sleep_for(30ms);  // let the others pile up
    committed_writes += static_cast<int>(writes);
    if (writes > largest) largest = writes;
  };
  open(options);
  std::mutex m;
  std::condition_variable all_done;
  auto on_done = [&, path = path_](std::string id, IngestResult r) {
    accepted += r.status == IngestStatus::accepted;
    RawDb fresh(path);  // a new, independent connection: sees only what is committed
    visible += fresh.number("SELECT COUNT(*) FROM messages WHERE id = '" + id + "'") == 1;
    std::lock_guard lock(m);
    if (++done == kTotal) all_done.notify_all();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "G-" + std::to_string(t) + "-" + std::to_string(i);
        store_->ingest(record(id, kPushAndPull),
                       [on_done, id](IngestResult r) { on_done(id, std::move(r)); });
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(all_done.wait_for(lock, kWait, [&] { return done == kTotal; }));
  }
  store_->close();  // on_commit of the last batch runs after its completions
  EXPECT_EQ(accepted, kTotal);
  EXPECT_EQ(visible, kTotal);
  EXPECT_EQ(committed_writes, kTotal);
  EXPECT_LT(commits, kTotal);
  EXPECT_GT(largest, 1u);
  EXPECT_LE(largest, 64u);
}

// ---------------------------------------------------------------- deliveries

TEST_F(SqliteStoreTest, OutcomesMoveStatesAndPendingFiltersAndOrders) {
  open();
  std::vector<int64_t> push;  // taicang's seqs, in order
  for (const char* id : {"A", "B", "C"})
    push.push_back(ingest(record(id, kPushAndPull)).deliveries[0].seq);
  auto pending = store_->pending("taicang", 0, 10);
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].seq, push[0]);
  EXPECT_EQ(pending[2].id, "C");
  EXPECT_EQ(pending[0].envelope_json, R"({"id":"A"})");
  EXPECT_EQ(pending[0].order_key, "case:ks-1");
  EXPECT_EQ(pending[0].state, kQueued);

  ASSERT_TRUE(outcomes({{push[0], DeliveryOutcome::What::delivered, 1, 0, ""},
                        {push[1], DeliveryOutcome::What::retry, 1, 5000, "http 503"},
                        {push[2], DeliveryOutcome::What::dead_letter, 3, 0, "http 400"}}));
  EXPECT_EQ(state_of(push[0]), kDelivered);
  EXPECT_EQ(state_of(push[2]), kDeadLetter);
  pending = store_->pending("taicang", 0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].state, kRetrying);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].next_attempt_ms, 5000);
  EXPECT_TRUE(store_->pending("taicang", push[1], 10).empty());
  EXPECT_EQ(store_->pending("baoshan", 0, 2).size(), 2u);  // limit
  EXPECT_TRUE(store_->pending("baoshan", 0, 0).empty());
  auto keys = store_->pending_keys("taicang", 0, 10);  // the same rows, without their messages
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].seq, push[1]);
  EXPECT_EQ(keys[0].order_key, "case:ks-1");
  EXPECT_EQ(keys[0].next_attempt_ms, 5000);
  EXPECT_TRUE(store_->pending_keys("taicang", push[1], 10).empty());
  EXPECT_EQ(store_->pending_keys("baoshan", 0, 2).size(), 2u);  // limit
  EXPECT_TRUE(store_->pending_keys("baoshan", 0, 0).empty());

  // A final delivery stays final, whatever arrives late.
  ASSERT_TRUE(outcomes({{push[0], DeliveryOutcome::What::retry, 2, 9000, "late"}}));
  EXPECT_EQ(state_of(push[0]), kDelivered);
  auto view = store_->message("kunshan", "B");
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->recipients[0].state, kRetrying);
  EXPECT_EQ(view->recipients[0].last_error, "http 503");
}

TEST_F(SqliteStoreTest, AckInboxDeliversThroughTheCursor) {
  open();
  std::vector<int64_t> pull;
  for (const char* id : {"A", "B", "C"})
    pull.push_back(ingest(record(id, kPushAndPull)).deliveries[1].seq);
  EXPECT_EQ(ack("baoshan", pull[1]), 2);
  auto left = store_->pending("baoshan", 0, 10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].seq, pull[2]);
  EXPECT_EQ(ack("baoshan", pull[1]), 0);
  EXPECT_EQ(ack("taicang", pull[2]), 0);  // push deliveries are not an inbox
  EXPECT_EQ(store_->pending("taicang", 0, 10).size(), 3u);
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM audit WHERE action = 'inbox.acked'"), 1);
}

TEST_F(SqliteStoreTest, DeadLettersListCountAndReplay) {
  open();
  IngestResult a = ingest(record("A", kPushAndPull));
  int64_t push = a.deliveries[0].seq, pull = a.deliveries[1].seq;
  ASSERT_TRUE(outcomes({{push, DeliveryOutcome::What::dead_letter, 12, 0, "timeout"},
                        {pull, DeliveryOutcome::What::dead_letter, 0, 0, "expired"}}));
  auto dead = store_->dead_letters(10);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].seq, push);
  EXPECT_EQ(dead[0].member, "taicang");
  EXPECT_EQ(dead[0].id, "A");
  EXPECT_EQ(dead[0].attempts, 12);
  EXPECT_EQ(dead[0].last_error, "timeout");
  EXPECT_EQ(store_->dead_letters(1).size(), 1u);
  EXPECT_EQ(store_->dead_letter_counts(),
            (std::map<std::string, int64_t>{{"baoshan", 1}, {"taicang", 1}}));
  EXPECT_EQ(replay(push), (std::pair<bool, std::string>{true, "taicang"}));
  EXPECT_EQ(state_of(push), kQueued);
  EXPECT_EQ(
      RawDb(path_).number("SELECT attempts FROM deliveries WHERE seq = " + std::to_string(push)),
      0);
  EXPECT_EQ(replay(push).first, false);  // not a dead letter any more
  EXPECT_EQ(replay(9999).first, false);
  EXPECT_EQ(replay(pull).second, "baoshan");
  EXPECT_EQ(state_of(pull), kInbox);  // a pull delivery goes back to the inbox
  EXPECT_TRUE(store_->dead_letters(10).empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM audit WHERE action = 'delivery.dead_lettered'"), 2);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM audit WHERE action = 'delivery.replayed'"), 2);
}

TEST_F(SqliteStoreTest, QueueDepthsAndDeadLetterCounts) {
  open();
  EXPECT_TRUE(store_->queue_depths().empty());
  ingest(record("A", kPushAndPull));
  int64_t seq = ingest(record("B", kPushAndPull)).deliveries[0].seq;
  ASSERT_TRUE(outcomes({{seq, DeliveryOutcome::What::dead_letter, 1, 0, "http 404"}}));
  EXPECT_EQ(store_->queue_depths(),
            (std::map<std::string, int64_t>{{"baoshan", 2}, {"taicang", 1}}));
  EXPECT_EQ(store_->dead_letter_counts(), (std::map<std::string, int64_t>{{"taicang", 1}}));
}

// ---------------------------------------------------------------- schema and files

TEST_F(SqliteStoreTest, ReopenKeepsDataAndDoesNotRerunMigrations) {
  open();
  ingest(record("A", kPushAndPull));
  store_.reset();
  const std::string before = RawDb(path_).text(
      "SELECT group_concat(version || '@' || applied_at_ms) FROM schema_migrations");
  ASSERT_FALSE(before.empty());
  std::this_thread::sleep_for(5ms);
  open();
  EXPECT_EQ(RawDb(path_).text(
                "SELECT group_concat(version || '@' || applied_at_ms) FROM schema_migrations"),
            before);
  EXPECT_TRUE(store_->message("kunshan", "A").has_value());
  EXPECT_EQ(ingest(record("A", kPushAndPull)).status, IngestStatus::duplicate);
  ASSERT_EQ(ingest(record("B", kPushAndPull)).status, IngestStatus::accepted);
  AuditVerification v = store_->verify_audit();  // the chain continues across reopening
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 2);
}

TEST_F(SqliteStoreTest, MigrationsApplyOnlyTheMissingSteps) {
  const sqlite::Migration one{1, "CREATE TABLE a(x)"}, two{2, "CREATE TABLE b(x)"};
  sqlite::Connection db;
  std::string error;
  ASSERT_TRUE(db.open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &error)) << error;
  const sqlite::Migration first[] = {one};
  ASSERT_TRUE(sqlite::apply_migrations(db, first, 1, &error)) << error;
  const sqlite::Migration both[] = {one, two};  // re-running step 1 would fail
  ASSERT_TRUE(sqlite::apply_migrations(db, both, 2, &error)) << error;
  EXPECT_EQ(RawDb(path_).text("SELECT group_concat(version || '@' || applied_at_ms) FROM "
                              "(SELECT * FROM schema_migrations ORDER BY version)"),
            "1@1,2@2");
  const sqlite::Migration bad[] = {one, two, {3, "CREATE TABLE a(x)"}};
  EXPECT_FALSE(sqlite::apply_migrations(db, bad, 3, &error));
  EXPECT_NE(error.find("migration 3"), std::string::npos) << error;
  EXPECT_EQ(RawDb(path_).number("SELECT MAX(version) FROM schema_migrations"), 2);
}

// A store written at version 3 (deliveries_open with an IN list) opens at version 4 with
// the index rebuilt and its open deliveries still found.
TEST_F(SqliteStoreTest, VersionThreeStoreUpgradesItsOpenIndex) {
  write_old_store(3,
                  "INSERT INTO deliveries(message_rowid, member, mode, state, updated_at_ms) "
                  "VALUES(1, 'baoshan', 'push', 'queued', 1)");
  EXPECT_TRUE(schema_uses_in("deliveries_open"));
  open();
  RawDb raw(path_);
  EXPECT_EQ(raw.number("SELECT MAX(version) FROM schema_migrations"), 5);
  EXPECT_FALSE(schema_uses_in("deliveries_open"));
  auto pending = store_->pending("baoshan", 0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "OLD-1");
}

// A store written at version 4 (the deliveries CHECKs as IN lists) opens at version 5 with
// the table rebuilt: every row with its seq and state, the AUTOINCREMENT high-water mark
// (a seq once used is never handed out again), the indexes, and the CHECKs still on.
TEST_F(SqliteStoreTest, VersionFourStoreRebuildsItsDeliveries) {
  write_old_store(
      4,
      "INSERT INTO deliveries(message_rowid, member, mode, state, attempts, last_error, "
      "updated_at_ms, envelope) VALUES(1, 'baoshan', 'push', 'retrying', 3, 'http 503', 1, "
      "'{\"redacted\":true}'), (1, 'taicang', 'pull', 'inbox', 0, '', 1, NULL), "
      "(1, 'jiading', 'push', 'dead_letter', 9, 'http 404', 1, NULL), "
      "(1, 'kunshan', 'push', 'delivered', 1, '', 1, NULL);"
      "DELETE FROM deliveries WHERE seq = 4");  // seq 4 was used: never again
  const std::string rows_sql =
      "SELECT seq || ':' || member || ':' || mode || ':' || state || ':' || attempts || "
      "':' || last_error || ':' || COALESCE(envelope, '-') FROM deliveries ORDER BY seq";
  const std::string before_rows = RawDb(path_).joined(rows_sql, 0);
  EXPECT_TRUE(schema_uses_in("deliveries"));
  open();
  RawDb raw(path_);
  EXPECT_EQ(raw.number("SELECT MAX(version) FROM schema_migrations"), 5);
  EXPECT_FALSE(schema_uses_in("deliveries"));
  EXPECT_EQ(raw.joined(rows_sql, 0), before_rows);
  EXPECT_EQ(
      raw.text(
          "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
          "AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name)"),
      "deliveries_dead,deliveries_message,deliveries_open");
  EXPECT_EQ(raw.number("SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'"), 4);
  EXPECT_EQ(raw.number("SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'deliveries_v5'"), 0);
  EXPECT_FALSE(
      raw.exec("INSERT INTO deliveries(message_rowid, member, mode, state, updated_at_ms) "
               "VALUES(1, 'x', 'push', 'lost', 1)"))
      << "the CHECK on state still holds";
  EXPECT_FALSE(
      raw.exec("INSERT INTO deliveries(message_rowid, member, mode, state, updated_at_ms) "
               "VALUES(1, 'x', 'carrier-pigeon', 'queued', 1)"))
      << "the CHECK on mode still holds";
  auto pending = store_->pending("taicang", 0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, 2);
  IngestResult next = ingest(record("NEW-1", kPushAndPull));
  ASSERT_EQ(next.status, IngestStatus::accepted);
  EXPECT_GT(next.deliveries.at(0).seq, 4) << "no seq is handed out twice";
}

TEST_F(SqliteStoreTest, NewerSchemaVersionIsRefused) {
  open();
  store_.reset();
  ASSERT_TRUE(RawDb(path_).exec("INSERT INTO schema_migrations VALUES(999, 0)"));
  StoreOptions options;
  options.path = path_;
  std::string error;
  EXPECT_EQ(open_sqlite_store(options, &error), nullptr);
  EXPECT_NE(error.find("999"), std::string::npos) << error;
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
}

TEST_F(SqliteStoreTest, ConnectionSettingsFollowDurability) {
  open();
  RawDb raw(path_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");  // persistent: visible to anyone
  for (auto [durability, level] : {std::pair{Durability::full, "2"}, {Durability::normal, "1"}}) {
    sqlite::Connection db;
    std::string error, value;
    ASSERT_TRUE(db.open(path_, SQLITE_OPEN_READWRITE, &error)) << error;
    ASSERT_TRUE(
        sqlite::configure_connection(db, sqlite::ConnectionRole::writer, durability, &error))
        << error;
    ASSERT_TRUE(db.query_text("PRAGMA synchronous", &value, &error));
    EXPECT_EQ(value, level);
    ASSERT_TRUE(db.query_text("PRAGMA foreign_keys", &value, &error));
    EXPECT_EQ(value, "1");
  }
}

TEST_F(SqliteStoreTest, PendingIsOneIndexRangeScan) {
  open();
  RawDb raw(path_);
  for (const char* sql : {sqlite::kPendingSql, sqlite::kPendingKeysSql}) {
    std::string plan = raw.joined("EXPLAIN QUERY PLAN " + std::string(sql), 3);
    EXPECT_NE(plan.find("USING INDEX deliveries_open (member=? AND seq>?)"), std::string::npos)
        << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

// Aligning a member's delivery mode runs at every start: each of its two updates is one
// range of a partial index, never a scan of every delivery the store holds.
TEST_F(SqliteStoreTest, ModeAlignmentReadsOnlyOpenDeliveriesAndDeadLetters) {
  open();
  RawDb raw(path_);
  const std::pair<const char*, const char*> expected[] = {
      {sqlite::kAlignOpen, "USING INDEX deliveries_open (member=?)"},
      {sqlite::kAlignDead, "USING INDEX deliveries_dead"}};
  for (const auto& [sql, index] : expected) {
    std::string plan = raw.joined("EXPLAIN QUERY PLAN " + std::string(sql), 3);
    EXPECT_NE(plan.find(index), std::string::npos) << plan;
  }
}

// The hot writes (a delivery inserted, an outcome recorded) build no temporary b-tree:
// SQLite evaluates an IN list of three or more through one, which deliveries_open's WHERE
// (before migration 4) and the table's CHECK on state (before migration 5) made it do on
// every delivery insert and outcome update. The reads still find the index.
TEST_F(SqliteStoreTest, OpenStatesNeedNoTemporaryBTree) {
  open();
  RawDb raw(path_);
  for (const std::string sql :
       {"INSERT INTO deliveries(message_rowid, member, mode, state, updated_at_ms) VALUES(1, 'a', 'push', 'queued', 0)",
        "UPDATE deliveries SET state = 'delivered' WHERE seq = 1 AND " SIXLINK_OPEN_STATES("state")}) {
    std::string program = " | " + raw.joined("EXPLAIN " + sql, 1) + " | ";
    EXPECT_NE(program.find("OpenWrite"), std::string::npos) << sql << "\n" << program;  // compiled
    int ephemeral = 0;
    for (std::size_t at = 0; (at = program.find(" | OpenEphemeral | ", at)) != std::string::npos; ++at) ++ephemeral;
    EXPECT_EQ(ephemeral, 0) << sql << "\n" << program;  // before migrations 4 and 5: 2 and 4
  }
  std::string plan = raw.joined("EXPLAIN QUERY PLAN SELECT member, COUNT(*) FROM deliveries WHERE " SIXLINK_OPEN_STATES("state") " GROUP BY member", 3);
  EXPECT_NE(plan.find("deliveries_open"), std::string::npos) << plan;
}

// ---------------------------------------------------------------- audit

TEST_F(SqliteStoreTest, AuditVerifiesThenNamesTheTamperedEntry) {
  open();
  IngestResult a = ingest(record("A", kPushAndPull));
  ingest(record("B", kPushAndPull));
  ASSERT_EQ(ack("baoshan", a.deliveries[1].seq), 1);
  AuditVerification v = store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 3);

  RawDb raw(path_);
  EXPECT_FALSE(raw.exec("UPDATE audit SET detail = '{}' WHERE seq = 2"));  // append-only
  ASSERT_TRUE(raw.exec("DROP TRIGGER audit_no_update"));
  ASSERT_TRUE(raw.exec(R"(UPDATE audit SET detail = '{"forged":true}' WHERE seq = 2)"));
  v = store_->verify_audit();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 2);
  EXPECT_EQ(v.entries, 1);  // sound before the break
  EXPECT_NE(v.reason.find("hash"), std::string::npos) << v.reason;

  // A forger who also recomputes the entry's hash breaks the next entry's link instead.
  sqlite::AuditHasher hasher;
  sqlite::HexDigest forged;
  std::string prev = raw.text("SELECT prev_hash FROM audit WHERE seq = 2");
  ASSERT_TRUE(hasher.digest(
      {2, raw.number("SELECT at_ms FROM audit WHERE seq = 2"),
       raw.text("SELECT actor FROM audit WHERE seq = 2"),
       raw.text("SELECT action FROM audit WHERE seq = 2"),
       raw.text("SELECT subject FROM audit WHERE seq = 2"), R"({"forged":true})", prev},
      &forged));
  ASSERT_TRUE(raw.exec("UPDATE audit SET hash = '" + std::string(sqlite::view(forged)) +
                       "' WHERE seq = 2"));
  v = store_->verify_audit();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 3);
  EXPECT_NE(v.reason.find("prev_hash"), std::string::npos) << v.reason;
}

TEST_F(SqliteStoreTest, AuditNamesEntriesCutFromTheTail) {
  open();
  ingest(record("A", kPushAndPull));
  ingest(record("B", kPushAndPull));
  RawDb raw(path_);
  ASSERT_TRUE(raw.exec("DROP TRIGGER audit_no_delete"));
  ASSERT_TRUE(raw.exec("DELETE FROM audit WHERE seq = 2"));
  AuditVerification v = store_->verify_audit();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 2);
  EXPECT_NE(v.reason.find("missing"), std::string::npos) << v.reason;
}

// A member's delivery mode is changed in the configuration (with a restart): its open
// deliveries move to the new mode, where its inbox ack or the relay can finish them, and
// its dead letters are replayed into it. Before, they stayed in the old mode for good.
TEST_F(SqliteStoreTest, AMemberWhoseModeChangedGetsItsDeliveriesInTheNewMode) {
  open();
  IngestResult a = ingest(record("A", kPushAndPull));  // taicang push, baoshan pull
  IngestResult b = ingest(record("B", kPushAndPull));
  const int64_t push_a = a.deliveries[0].seq, pull_a = a.deliveries[1].seq;
  const int64_t push_b = b.deliveries[0].seq;
  ASSERT_TRUE(outcomes({{push_b, DeliveryOutcome::What::dead_letter, 3, 0, "503"}}));
  store_->close();

  StoreOptions swapped;
  swapped.delivery_modes = {{"taicang", "pull"}, {"baoshan", "push"}};
  open(swapped);
  EXPECT_EQ(state_of(push_a), kInbox);
  EXPECT_EQ(state_of(push_b), "dead_letter") << "a dead letter stays one";
  EXPECT_EQ(state_of(pull_a), kQueued);
  EXPECT_EQ(store_->pending("baoshan", 0, 10).size(), 2u) << "baoshan's inbox is now its push queue";
  EXPECT_EQ(ack("taicang", push_a), 1) << "taicang's inbox ack finishes what was a push";
  EXPECT_EQ(replay(push_b), (std::pair<bool, std::string>{true, "taicang"}));
  EXPECT_EQ(state_of(push_b), kInbox) << "replayed in the new mode";
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM audit WHERE action = 'delivery.mode_changed'"), 2);

  store_->close();
  open(swapped);  // the same modes again: nothing moves, nothing is audited
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM audit WHERE action = 'delivery.mode_changed'"), 2);
  EXPECT_EQ(state_of(pull_a), kQueued);
}

// A replay the store could not commit is "failed", never "no such dead letter": the
// operator is told to retry, and the dead letter is still there.
TEST_F(SqliteStoreTest, AReplayThatCannotBeCommittedFailsAndLeavesTheDeadLetter) {
  open();
  int64_t push = ingest(record("A", kPushAndPull)).deliveries[0].seq;
  ASSERT_TRUE(outcomes({{push, DeliveryOutcome::What::dead_letter, 3, 0, "503"}}));
  store_->close();
  EXPECT_EQ(replay_outcome(push).first, ReplayOutcome::failed);
  open();
  ASSERT_EQ(store_->dead_letters(10).size(), 1u);
  EXPECT_EQ(replay_outcome(9999).first, ReplayOutcome::not_found);
  EXPECT_EQ(replay_outcome(push), (std::pair<ReplayOutcome, std::string>{ReplayOutcome::replayed, "taicang"}));
}

// ---------------------------------------------------------------- readiness and closing

TEST_F(SqliteStoreTest, WritableUntilClosedAndCloseIsIdempotent) {
  open();
  EXPECT_TRUE(store_->writable());
  store_->close();
  store_->close();
  EXPECT_FALSE(store_->writable());
  EXPECT_EQ(ingest(record("A", kPushAndPull)).status, IngestStatus::failed);
  EXPECT_TRUE(store_->pending("taicang", 0, 10).empty());
}

TEST_F(SqliteStoreTest, NotWritableWhileAnotherWriterHoldsTheLock) {
  open();
  RawDb raw(path_);
  ASSERT_TRUE(raw.exec("BEGIN IMMEDIATE"));
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(store_->writable());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  ASSERT_TRUE(raw.exec("ROLLBACK"));
  EXPECT_TRUE(store_->writable());
}

TEST_F(SqliteStoreTest, CloseCommitsEverythingQueued) {
  open();
  std::atomic<int> accepted{0};
  for (int i = 0; i < 100; ++i) {
    store_->ingest(record("Q-" + std::to_string(i), kPushAndPull),
                   [&accepted](IngestResult r) { accepted += r.status == IngestStatus::accepted; });
  }
  store_->close();
  EXPECT_EQ(accepted, 100);
  EXPECT_EQ(RawDb(path_).number("SELECT COUNT(*) FROM messages"), 100);
}

}  // namespace
}  // namespace sixlink::store
