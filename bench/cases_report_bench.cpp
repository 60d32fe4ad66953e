// Times the joint-meeting case report (gateway/reports/) over a store holding a million
// cases. Fills a fresh store file straight through SQLite in one transaction (the rows
// and aggregates the writer would have made), then builds the report in each format a
// few times and prints the timings. See bench/README.md, section "case report".
//
//   sixlink-bench-cases [--cases N] [--runs R] [--file PATH] [--keep]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include "gateway/cases/case_time.h"
#include "gateway/reports/case_report.h"
#include "gateway/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using sixlink::cases::kDayMs;

const char* const kLinks[] = {"joint_mediation", "joint_governance"};
const char* const kMembers[] = {"taicang", "baoshan", "jiading", "kunshan"};
const char* const kNames[] = {"太仓市", "宝山区", "嘉定区", "昆山市"};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql);
  return s;
}

void run(sqlite3_stmt* s, sqlite3* db) {
  check(sqlite3_step(s), db, sqlite3_sql(s));
  sqlite3_reset(s);
}

struct Daily {
  int64_t opened = 0, closed = 0, with_deadline = 0, on_time = 0;
};

// Cases spread over the two years before `now`; about 70 % closed, 5 % rejected.
void fill(const std::string& path, int64_t cases, int64_t now) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; BEGIN", nullptr, nullptr, nullptr), db, "begin");
  sqlite3_stmt* msg = prepare(db,
      "INSERT INTO messages(source, id, link, kind, classification, case_id, order_key, body_hash, envelope, response, "
      "accepted_at_ms) VALUES(?1, ?2, ?3, ?4, 'internal', ?5, '', '', ?6, '{}', ?7)");
  sqlite3_stmt* cs = prepare(db,
      "INSERT INTO cases(case_id, link, origin, lead, lead_unit, status, title, category, region_code, "
      "closure_criteria, opened_at_ms, deadline_ms, closed_at_ms, updated_at_ms, last_seq, open_message_rowid) "
      "VALUES(?1, ?2, ?3, ?4, '调解委员会', ?5, ?6, 'dispute', '320585', '双方签署协议', ?7, ?8, ?9, ?10, 1, 1)");
  sqlite3_stmt* party =
      prepare(db, "INSERT OR IGNORE INTO case_parties(case_id, member, active, deadline_ms) VALUES(?1, ?2, ?3, ?4)");
  std::mt19937_64 rng(20261126);
  std::map<std::tuple<std::string, std::string, int64_t>, Daily> daily;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> statuses;
  const int64_t span = 730 * kDayMs;
  const char* active[] = {"open", "accepted", "in_progress", "resolved", "transferred"};
  char id[32];
  for (int64_t i = 0; i < cases; ++i) {
    std::snprintf(id, sizeof id, "bench:%09lld", static_cast<long long>(i));
    const char* link = kLinks[rng() % 10 < 6 ? 0 : 1];
    const char* origin = kMembers[rng() % 4];
    const char* lead = kMembers[rng() % 4];
    const int64_t opened = now - span + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    const bool has_deadline = rng() % 10 != 0;
    const int64_t deadline = opened + (7 + static_cast<int64_t>(rng() % 24)) * kDayMs;
    const int roll = static_cast<int>(rng() % 100);
    std::string status = roll < 70 ? "closed" : roll < 75 ? "rejected" : active[rng() % 5];
    int64_t closed_at = opened + kDayMs / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(60 * kDayMs));
    if (status == "closed" && closed_at > now) status = "resolved";
    sqlite3_bind_text(cs, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(cs, 2, link, -1, SQLITE_STATIC);
    sqlite3_bind_text(cs, 3, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(cs, 4, lead, -1, SQLITE_STATIC);
    sqlite3_bind_text(cs, 5, status.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(cs, 6, "交界处纠纷", -1, SQLITE_STATIC);
    sqlite3_bind_int64(cs, 7, opened);
    if (has_deadline) sqlite3_bind_int64(cs, 8, deadline);
    else sqlite3_bind_null(cs, 8);
    if (status == "closed") sqlite3_bind_int64(cs, 9, closed_at);
    else sqlite3_bind_null(cs, 9);
    sqlite3_bind_int64(cs, 10, status == "closed" ? closed_at : opened);
    run(cs, db);
    sqlite3_clear_bindings(cs);
    for (const char* m : {origin, lead}) {
      sqlite3_bind_text(party, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(party, 2, m, -1, SQLITE_STATIC);
      sqlite3_bind_int64(party, 3, status == "closed" || status == "rejected" ? 0 : 1);
      if (has_deadline) sqlite3_bind_int64(party, 4, deadline);
      else sqlite3_bind_null(party, 4);
      run(party, db);
      sqlite3_clear_bindings(party);
    }
    daily[{link, lead, sixlink::cases::beijing_day(opened)}].opened++;
    if (status == "closed") {
      Daily& d = daily[{link, lead, sixlink::cases::beijing_day(closed_at)}];
      d.closed++;
      if (has_deadline) {
        d.with_deadline++;
        if (closed_at <= deadline) d.on_time++;
      }
    }
    statuses[{link, lead, status}]++;
  }
  sqlite3_stmt* d = prepare(db, "INSERT INTO case_daily VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& [k, v] : daily) {
    sqlite3_bind_text(d, 1, std::get<0>(k).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(d, 2, std::get<1>(k).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(d, 3, std::get<2>(k));
    sqlite3_bind_int64(d, 4, v.opened);
    sqlite3_bind_int64(d, 5, v.closed);
    sqlite3_bind_int64(d, 6, v.with_deadline);
    sqlite3_bind_int64(d, 7, v.on_time);
    run(d, db);
  }
  sqlite3_stmt* st = prepare(db, "INSERT INTO case_status_counts VALUES(?1, ?2, ?3, ?4)");
  for (const auto& [k, n] : statuses) {
    sqlite3_bind_text(st, 1, std::get<0>(k).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, std::get<1>(k).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, std::get<2>(k).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, n);
    run(st, db);
  }
  // Alerts and patrol incidents: the report's other sections.
  for (int64_t i = 0; i < cases / 10; ++i) {
    const bool alert = i % 5 != 0;
    std::snprintf(id, sizeof id, "M-%09lld", static_cast<long long>(i));
    sqlite3_bind_text(msg, 1, kMembers[rng() % 4], -1, SQLITE_STATIC);
    sqlite3_bind_text(msg, 2, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(msg, 3, alert ? "info_sharing" : "joint_patrol", -1, SQLITE_STATIC);
    sqlite3_bind_text(msg, 4, alert ? "alert" : "patrol.incident", -1, SQLITE_STATIC);
    sqlite3_bind_null(msg, 5);
    sqlite3_bind_text(msg, 6, rng() % 2 ? R"({"body":{"border_line":"south_line"}})" : R"({"body":{"border_line":"west_line"}})", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(msg, 7, now - static_cast<int64_t>(rng() % static_cast<uint64_t>(span)));
    run(msg, db);
  }
  for (sqlite3_stmt* s : {msg, cs, party, d, st}) sqlite3_finalize(s);
  check(sqlite3_exec(db, "COMMIT; ANALYZE", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t cases = 1'000'000;
  int runs = 3;
  std::string path;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--cases" && i + 1 < argc) cases = std::atoll(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--file" && i + 1 < argc) path = argv[++i];
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: sixlink-bench-cases [--cases N] [--runs R] [--file PATH] [--keep]\n");
      return 2;
    }
  }
  if (path.empty()) path = (std::filesystem::temp_directory_path() / "sixlink-bench-cases.db").string();
  const bool reuse = std::filesystem::exists(path) && keep;
  sixlink::store::StoreOptions options;
  options.path = path;
  options.durability = sixlink::Durability::normal;
  const int64_t now = now_ms();
  if (!reuse) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::string error;
    auto created = sixlink::store::open_sqlite_store(options, &error);  // schema, by migration
    if (!created) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    created->close();
    auto t = Clock::now();
    fill(path, cases, now);
    std::printf("filled %lld cases in %.1f s (%s)\n", static_cast<long long>(cases), ms_since(t) / 1000, path.c_str());
  }
  std::string error;
  auto store = sixlink::store::open_sqlite_store(options, &error);
  if (!store) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  sixlink::GatewayConfig config;
  for (int i = 0; i < 4; ++i) {
    sixlink::MemberConfig m;
    m.id = kMembers[i];
    m.name = kNames[i];
    config.members.push_back(m);
  }
  const int64_t today = sixlink::cases::beijing_day(now);
  struct Case {
    const char* label;
    int64_t days;
    const char* member;
  };
  for (Case c : {Case{"last 365 days, operator", 365, ""}, Case{"last 730 days, operator", 730, ""},
                 Case{"last 30 days, member kunshan", 30, "kunshan"}}) {
    for (const char* format : {"json", "csv", "html"}) {
      sixlink::reports::ReportRequest request;
      request.from_day = today - c.days + 1;
      request.to_day = today;
      request.format = format;
      request.member = c.member;
      request.now_ms = now;
      double best = 1e18, worst = 0;
      std::size_t bytes = 0;
      for (int r = 0; r < runs; ++r) {
        auto t = Clock::now();
        auto report = sixlink::reports::build_case_report(*store, config, request);
        double ms = ms_since(t);
        best = std::min(best, ms);
        worst = std::max(worst, ms);
        bytes = report.body.size();
      }
      std::printf("%-30s %-4s  best %8.1f ms  worst %8.1f ms  %7zu bytes\n", c.label, format, best, worst, bytes);
    }
  }
  store->close();
  if (!keep)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}
