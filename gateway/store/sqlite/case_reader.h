// The case registry's reads (gateway/cases/README.md): one case with its history, lists
// of the cases a member is party to, the overdue counts behind sixlink_cases_overdue, and
// the joint-meeting report's numbers. Its own query_only connection behind its own
// mutex: a report over a million cases never holds up the relay's reads. Each read runs
// in one read transaction, so its numbers come from one snapshot.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/store/sqlite/statement.h"
#include "gateway/store/store.h"

namespace sixlink::store::sqlite {

// The columns of one case row, in the order case_record_at() reads them (alias "c").
#define SIXLINK_CASE_COLUMNS                                                                  \
  "c.case_id, c.link, c.origin, c.lead, c.lead_unit, c.status, c.title, c.category, "          \
  "c.region_code, c.closure_criteria, c.opened_at_ms, c.deadline_ms, c.closed_at_ms, "         \
  "c.updated_at_ms"
// Number of SIXLINK_CASE_COLUMNS: a query's further columns start at this index.
inline constexpr int kCaseColumnCount = 14;

// A case row selected with SIXLINK_CASE_COLUMNS first (case reads and the applier's load).
CaseRecord case_record_at(const Statement& s);

// The overdue and median queries, shared with the tests that check their plans.
extern const char* const kOverdueCountsSql;
extern const char* const kClosedDurationsSql;
extern const char* const kOverdueMemberCountSql;

class CaseReader {
 public:
  static std::unique_ptr<CaseReader> open(const std::string& path, std::string* error);

  std::optional<CaseDetail> detail(const std::string& case_id);
  std::vector<CaseRecord> list(const CaseListQuery& query);
  bool is_party(const std::string& case_id, const std::string& member);
  std::map<std::pair<std::string, std::string>, int64_t> overdue_counts(int64_t now_ms);
  CaseReportData report(const CaseReportQuery& query);
  void close();

 private:
  CaseReader() = default;
  bool prepare(std::string* error);
  // Runs `read` inside BEGIN ... COMMIT under the mutex; false if closed.
  template <class F>
  bool in_snapshot(F read);
  std::map<std::pair<std::string, std::string>, int64_t> overdue_counts_locked(int64_t now_ms);
  void add_aggregates(const CaseReportQuery& q, CaseReportData* out);
  void add_medians(const CaseReportQuery& q, CaseReportData* out);
  void add_messages(const CaseReportQuery& q, CaseReportData* out);
  void add_overdue_list(const CaseReportQuery& q, CaseReportData* out);

  std::mutex mutex_;
  Connection db_;
  Statement begin_, commit_, case_, history_, parties_, envelope_, party_, list_all_, list_member_,
      overdue_counts_, daily_, days_, status_, durations_, alerts_, incidents_, overdue_all_,
      overdue_member_, overdue_member_count_;
  bool closed_ = false;
};

}  // namespace sixlink::store::sqlite
