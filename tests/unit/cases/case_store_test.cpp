// The case registry in the SQLite store (gateway/store/sqlite/case_applier.cpp,
// case_reader.cpp) on a real file: transitions decided inside the write transaction,
// several events of one case in one group commit, refusals that store nothing, the
// report's aggregates and the plans of the overdue and median queries.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/cases/case_time.h"
#include "gateway/store/sqlite/case_reader.h"
#include "gateway/store/store.h"
#include "tests/unit/cases/case_fixture.h"

namespace sixlink::store {
namespace {

using cases::test::CaseMsg;
using cases::test::ingest_now;
using cases::test::StoreFile;

TEST(CasesStore, OpenAcceptResolveCloseKeepsRowHistoryAndParties) {
  StoreFile f;
  const int64_t t0 = cases::parse_rfc3339_ms("2026-11-02T09:00:00+08:00").value();
  ASSERT_EQ(ingest_now(*f.store, CaseMsg("KS-1", "kunshan", "case.open", "ks:1").lead("taicang", "浏河镇调解委员会")
                                     .deadline("2026-11-09T17:00:00+08:00").to({"taicang", "baoshan"}).at(t0).record())
                .status,
            IngestStatus::accepted);
  ASSERT_EQ(ingest_now(*f.store, CaseMsg("TC-1", "taicang", "case.update", "ks:1").status("accepted").at(t0 + 3600000).record()).status,
            IngestStatus::accepted);
  ASSERT_EQ(ingest_now(*f.store, CaseMsg("TC-2", "taicang", "case.update", "ks:1").status("resolved").at(t0 + 7200000).record()).status,
            IngestStatus::accepted);
  ASSERT_EQ(ingest_now(*f.store, CaseMsg("TC-3", "taicang", "case.close", "ks:1").at(t0 + cases::kDayMs).record()).status,
            IngestStatus::accepted);
  auto d = f.store->case_detail("ks:1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->record.status, "closed");
  EXPECT_EQ(d->record.origin, "kunshan");
  EXPECT_EQ(d->record.lead, "taicang");
  EXPECT_EQ(d->record.lead_unit, "浏河镇调解委员会");
  EXPECT_EQ(d->record.closed_at_ms, t0 + cases::kDayMs);
  EXPECT_EQ(d->record.deadline_ms, cases::parse_rfc3339_ms("2026-11-09T17:00:00+08:00"));
  ASSERT_EQ(d->history.size(), 4u);
  EXPECT_EQ(d->history[0].to_state, "open");
  EXPECT_EQ(d->history[1].from_state, "open");
  EXPECT_EQ(d->history[1].to_state, "accepted");
  EXPECT_EQ(d->history[3].kind, "case.close");
  EXPECT_EQ(d->history[3].actor, "taicang");
  EXPECT_EQ(d->history[3].message_id, "TC-3");
  EXPECT_EQ(d->parties, (std::vector<std::string>{"baoshan", "kunshan", "taicang"}));
  EXPECT_NE(d->open_envelope_json.find("KS-1"), std::string::npos);
  EXPECT_TRUE(f.store->is_case_party("ks:1", "baoshan"));
  EXPECT_FALSE(f.store->is_case_party("ks:1", "jiading"));
}

TEST(CasesStore, AnIllegalTransitionStoresNothingAtAll) {
  StoreFile f;
  ASSERT_EQ(ingest_now(*f.store, CaseMsg("KS-1", "kunshan", "case.open", "ks:1").to({"taicang"}).record()).status,
            IngestStatus::accepted);
  const std::string before = f.counts();
  IngestResult r = ingest_now(*f.store, CaseMsg("KS-2", "kunshan", "case.close", "ks:9").to({"taicang"}).record());
  EXPECT_EQ(r.status, IngestStatus::illegal_transition);
  EXPECT_EQ(r.refusal.state, "none");
  r = ingest_now(*f.store, CaseMsg("TC-1", "taicang", "case.close", "ks:1").to({"kunshan"}).record());
  EXPECT_EQ(r.status, IngestStatus::illegal_transition);
  EXPECT_EQ(r.refusal.state, "open");
  EXPECT_EQ(r.refusal.field, "source") << "taicang is no lead of ks:1 (kunshan leads its own case)";
  EXPECT_EQ(f.counts(), before) << "messages, deliveries, audit, cases, events, parties unchanged";
  EXPECT_FALSE(f.store->message("kunshan", "KS-2"));
  EXPECT_FALSE(f.store->message("taicang", "TC-1"));
}

TEST(CasesStore, AResendOfAnAppliedEventIsADuplicateNotARefusal) {
  StoreFile f;
  auto open = CaseMsg("KS-1", "kunshan", "case.open", "ks:1").to({"taicang"});
  ASSERT_EQ(ingest_now(*f.store, open.record()).status, IngestStatus::accepted);
  IngestResult again = ingest_now(*f.store, open.record());
  EXPECT_EQ(again.status, IngestStatus::duplicate);
  EXPECT_FALSE(again.response_json.empty());
  EXPECT_EQ(f.store->case_detail("ks:1")->history.size(), 1u);
}

// Holds the writer inside one completion so that the next writes queue up and share
// one group commit; on_commit reports how many writes each commit held.
TEST(CasesStore, EventsOfOneCaseInOneGroupCommitSeeEachOtherInOrder) {
  std::mutex mu;
  std::vector<std::size_t> batches;
  StoreFile f([&](double, std::size_t writes) {
    std::lock_guard lock(mu);
    batches.push_back(writes);
  });
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  f.store->ingest(CaseMsg("BS-0", "baoshan", "case.open", "bs:0").to({"taicang"}).record(),
                  [&](IngestResult) {
                    holding.set_value();
                    released.wait();
                  });
  holding.get_future().wait();
  std::vector<std::promise<IngestResult>> results(4);
  std::vector<IngestRecord> writes{
      CaseMsg("KS-1", "kunshan", "case.open", "ks:1").to({"taicang"}).record(),
      CaseMsg("KS-2", "kunshan", "case.update", "ks:1").status("accepted").record(),
      CaseMsg("KS-3", "kunshan", "case.close", "ks:1").record(),  // not resolved yet: refused
      CaseMsg("KS-4", "kunshan", "case.update", "ks:1").status("resolved").record()};
  for (std::size_t i = 0; i < writes.size(); ++i)
    f.store->ingest(std::move(writes[i]), [&results, i](IngestResult r) { results[i].set_value(std::move(r)); });
  release.set_value();
  EXPECT_EQ(results[0].get_future().get().status, IngestStatus::accepted);
  EXPECT_EQ(results[1].get_future().get().status, IngestStatus::accepted);
  IngestResult refused = results[2].get_future().get();
  EXPECT_EQ(refused.status, IngestStatus::illegal_transition);
  EXPECT_EQ(refused.refusal.state, "accepted") << "decided against the row the same batch just wrote";
  EXPECT_EQ(results[3].get_future().get().status, IngestStatus::accepted);
  // on_commit runs after the completions: wait for it.
  auto shared_commit = [&] {
    std::lock_guard lock(mu);
    return std::find(batches.begin(), batches.end(), 4u) != batches.end();
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!shared_commit() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(shared_commit()) << "the four writes shared a commit";
  auto d = f.store->case_detail("ks:1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->record.status, "resolved");
  ASSERT_EQ(d->history.size(), 3u);
  EXPECT_EQ(d->history[2].from_state, "accepted");
  EXPECT_FALSE(f.store->message("kunshan", "KS-3"));
}

TEST(CasesStore, OverdueCountsAndListsFollowTheDeadlineAndTheParties) {
  StoreFile f;
  const int64_t now = cases::parse_rfc3339_ms("2026-11-20T12:00:00+08:00").value();
  ingest_now(*f.store, CaseMsg("KS-1", "kunshan", "case.open", "ks:1").deadline("2026-11-10T17:00:00+08:00").to({"taicang"}).record());
  ingest_now(*f.store, CaseMsg("KS-2", "kunshan", "case.open", "ks:2").deadline("2026-12-10T17:00:00+08:00").to({"taicang"}).record());
  ingest_now(*f.store, CaseMsg("BS-1", "baoshan", "case.open", "bs:1").link("joint_governance")
                           .deadline("2026-11-01T17:00:00+08:00").to({"jiading"}).record());
  auto counts = f.store->overdue_case_counts(now);
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ((counts[{"joint_mediation", "kunshan"}]), 1);
  EXPECT_EQ((counts[{"joint_governance", "baoshan"}]), 1);
  CaseListQuery q;
  q.member = "taicang";
  q.overdue_only = true;
  q.now_ms = now;
  auto rows = f.store->cases(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].case_id, "ks:1");
  q.overdue_only = false;
  EXPECT_EQ(f.store->cases(q).size(), 2u);
  q.member = "jiading";
  ASSERT_EQ(f.store->cases(q).size(), 1u);
  EXPECT_EQ(f.store->cases(q)[0].case_id, "bs:1");
  q.member = "";  // operator view
  q.limit = 2;
  rows = f.store->cases(q);
  ASSERT_EQ(rows.size(), 2u);
  q.after = rows.back().case_id;
  EXPECT_EQ(f.store->cases(q).size(), 1u);
}

// The plans the report's speed rests on: no scan of the cases table.
TEST(CasesStore, OverdueAndMedianQueriesUseTheirIndexes) {
  StoreFile f;
  f.store->close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(f.path.c_str(), &db), SQLITE_OK);
  auto plan = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + std::string(sql)).c_str(), -1, &s, nullptr), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3))) + "; ";
    sqlite3_finalize(s);
    return out;
  };
  std::string overdue = plan(sqlite::kOverdueCountsSql);
  EXPECT_NE(overdue.find("USING COVERING INDEX cases_active"), std::string::npos) << overdue;
  std::string closed = plan(sqlite::kClosedDurationsSql);
  EXPECT_NE(closed.find("USING COVERING INDEX cases_closed"), std::string::npos) << closed;
  std::string member = plan(sqlite::kOverdueMemberCountSql);
  EXPECT_NE(member.find("USING COVERING INDEX case_parties_overdue"), std::string::npos) << member;
  sqlite3_close(db);
}

}  // namespace
}  // namespace sixlink::store
