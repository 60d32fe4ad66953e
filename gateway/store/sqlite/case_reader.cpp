// The SQL of the case registry's reads. See case_reader.h.
#include "gateway/store/sqlite/case_reader.h"

#include <algorithm>

#include "gateway/cases/case_time.h"
#include "gateway/store/sqlite/schema.h"

namespace sixlink::store::sqlite {

// Spelled exactly as the cases_active index's WHERE term, so that the planner uses it.
#define SIXLINK_ACTIVE "status NOT IN ('closed', 'rejected')"

// Counted by the caller: a GROUP BY here would sort every overdue row first.
const char* const kOverdueCountsSql =
    "SELECT link, lead FROM cases WHERE " SIXLINK_ACTIVE " AND deadline_ms < ?1";
const char* const kClosedDurationsSql =
    "SELECT link, lead, closed_at_ms - opened_at_ms FROM cases "
    "WHERE status = 'closed' AND closed_at_ms BETWEEN ?1 AND ?2";
// A member's overdue cases: one range of case_parties_overdue (its WHERE term repeated).
const char* const kOverdueMemberCountSql =
    "SELECT COUNT(*) FROM case_parties WHERE member = ?2 AND active = 1 AND deadline_ms < ?1";

namespace {

constexpr const char* kCase = "SELECT " SIXLINK_CASE_COLUMNS
                              ", c.open_message_rowid FROM cases c WHERE c.case_id = ?1";
constexpr const char* kHistory =
    "SELECT e.seq, e.at_ms, e.actor, e.kind, e.from_state, e.to_state, e.lead, e.note, "
    "m.source, m.id FROM case_events e JOIN messages m ON m.rowid = e.message_rowid "
    "WHERE e.case_id = ?1 ORDER BY e.seq";
constexpr const char* kParties = "SELECT member FROM case_parties WHERE case_id = ?1 ORDER BY member";
constexpr const char* kEnvelope = "SELECT envelope FROM messages WHERE rowid = ?1";
constexpr const char* kParty = "SELECT 1 FROM case_parties WHERE case_id = ?1 AND member = ?2";
// ?2 cursor, ?3 link, ?4 status, ?5 overdue only, ?6 now, ?7 limit.
#define SIXLINK_LIST_FILTERS                                                                 \
  " AND (?3 = '' OR c.link = ?3) AND (?4 = '' OR c.status = ?4) AND (?5 = 0 OR (c." SIXLINK_ACTIVE \
  " AND c.deadline_ms < ?6))"
constexpr const char* kListAll = "SELECT " SIXLINK_CASE_COLUMNS
                                 " FROM cases c WHERE c.case_id > ?2 AND ?1 = ''" SIXLINK_LIST_FILTERS
                                 " ORDER BY c.case_id LIMIT ?7";
constexpr const char* kListMember =
    "SELECT " SIXLINK_CASE_COLUMNS
    " FROM case_parties p JOIN cases c ON c.case_id = p.case_id "
    "WHERE p.member = ?1 AND p.case_id > ?2" SIXLINK_LIST_FILTERS " ORDER BY p.case_id LIMIT ?7";
constexpr const char* kDaily =
    "SELECT link, lead, SUM(opened), SUM(closed), SUM(closed_with_deadline), SUM(closed_on_time) "
    "FROM case_daily WHERE day BETWEEN ?1 AND ?2 GROUP BY link, lead";
constexpr const char* kDays =
    "SELECT day, SUM(opened), SUM(closed) FROM case_daily WHERE day BETWEEN ?1 AND ?2 "
    "GROUP BY day ORDER BY day";
constexpr const char* kStatus = "SELECT link, lead, status, n FROM case_status_counts WHERE n > 0";
constexpr const char* kAlerts =
    "SELECT source, COUNT(*) FROM messages WHERE link = 'info_sharing' AND kind = 'alert' "
    "AND accepted_at_ms BETWEEN ?1 AND ?2 GROUP BY source";
constexpr const char* kIncidents =
    "SELECT COALESCE(json_extract(envelope, '$.body.border_line'), ''), COUNT(*) FROM messages "
    "WHERE link = 'joint_patrol' AND kind = 'patrol.incident' "
    "AND accepted_at_ms BETWEEN ?1 AND ?2 GROUP BY 1";
constexpr const char* kOverdueAll = "SELECT " SIXLINK_CASE_COLUMNS " FROM cases c WHERE c." SIXLINK_ACTIVE
                                    " AND c.deadline_ms < ?1 ORDER BY c.deadline_ms, c.case_id LIMIT ?2";
constexpr const char* kOverdueMember =
    "SELECT " SIXLINK_CASE_COLUMNS
    " FROM case_parties p CROSS JOIN cases c ON c.case_id = p.case_id WHERE p.member = ?3 "
    "AND p.active = 1 AND p.deadline_ms < ?1 ORDER BY p.deadline_ms, p.case_id LIMIT ?2";


#undef SIXLINK_LIST_FILTERS


std::optional<double> median_days(std::vector<int64_t>& ms) {
  if (ms.empty()) return std::nullopt;
  const std::size_t mid = ms.size() / 2;
  std::nth_element(ms.begin(), ms.begin() + mid, ms.end());
  double m = static_cast<double>(ms[mid]);
  if (ms.size() % 2 == 0) m = (m + static_cast<double>(*std::max_element(ms.begin(), ms.begin() + mid))) / 2;
  return m / static_cast<double>(cases::kDayMs);
}

bool is_active(const std::string& status) { return status != "closed" && status != "rejected"; }

CaseGroupStats& group_of(std::map<std::pair<std::string, std::string>, CaseGroupStats>& groups,
                         const std::string& link, const std::string& lead) {
  CaseGroupStats& g = groups[{link, lead}];
  g.link = link;
  g.lead = lead;
  return g;
}

void add_into(CaseGroupStats& total, const CaseGroupStats& g) {
  total.opened += g.opened;
  total.closed += g.closed;
  total.closed_with_deadline += g.closed_with_deadline;
  total.closed_on_time += g.closed_on_time;
  total.open_now += g.open_now;
  total.overdue += g.overdue;
  for (const auto& [status, n] : g.by_status) total.by_status[status] += n;
}

}  // namespace

std::unique_ptr<CaseReader> CaseReader::open(const std::string& path, std::string* error) {
  std::unique_ptr<CaseReader> reader(new CaseReader());
  if (!reader->db_.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, error) ||
      !configure_connection(reader->db_, ConnectionRole::reader, Durability::full, error) ||
      !reader->prepare(error)) {
    return nullptr;
  }
  return reader;
}

bool CaseReader::prepare(std::string* error) {
  sqlite3* db = db_.get();
  return begin_.prepare(db, "BEGIN", error) && commit_.prepare(db, "COMMIT", error) &&
         case_.prepare(db, kCase, error) && history_.prepare(db, kHistory, error) &&
         parties_.prepare(db, kParties, error) && envelope_.prepare(db, kEnvelope, error) &&
         party_.prepare(db, kParty, error) && list_all_.prepare(db, kListAll, error) &&
         list_member_.prepare(db, kListMember, error) &&
         overdue_counts_.prepare(db, kOverdueCountsSql, error) &&
         daily_.prepare(db, kDaily, error) && days_.prepare(db, kDays, error) &&
         status_.prepare(db, kStatus, error) && durations_.prepare(db, kClosedDurationsSql, error) &&
         alerts_.prepare(db, kAlerts, error) && incidents_.prepare(db, kIncidents, error) &&
         overdue_all_.prepare(db, kOverdueAll, error) &&
         overdue_member_.prepare(db, kOverdueMember, error) &&
         overdue_member_count_.prepare(db, kOverdueMemberCountSql, error);
}

void CaseReader::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (Statement* s : {&begin_, &commit_, &case_, &history_, &parties_, &envelope_, &party_,
                       &list_all_, &list_member_, &overdue_counts_, &daily_, &days_, &status_,
                       &durations_, &alerts_, &incidents_, &overdue_all_, &overdue_member_,
                       &overdue_member_count_})
    *s = Statement();
  db_.close();
}

template <class F>
bool CaseReader::in_snapshot(F read) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  begin_.run();
  begin_.reset();
  try {
    read();
  } catch (...) {
    commit_.run();
    commit_.reset();
    throw;
  }
  commit_.run();
  commit_.reset();
  return true;
}

std::optional<CaseDetail> CaseReader::detail(const std::string& case_id) {
  std::optional<CaseDetail> out;
  in_snapshot([&] {
    int64_t open_rowid = 0;
    {
      StatementScope scope(case_);
      case_.bind(1, case_id);
      if (case_.step() != SQLITE_ROW) return;
      out.emplace();
      out->record = case_record_at(case_);
      open_rowid = case_.int64_at(14);
    }
    {
      StatementScope scope(history_);
      history_.bind(1, case_id);
      while (history_.step() == SQLITE_ROW) {
        const Statement& s = history_;
        out->history.push_back(CaseHistoryEntry{s.int64_at(0), s.int64_at(1), s.string_at(2),
                                                s.string_at(3), s.string_at(4), s.string_at(5),
                                                s.string_at(6), s.string_at(7), s.string_at(8),
                                                s.string_at(9)});
      }
    }
    {
      StatementScope scope(parties_);
      parties_.bind(1, case_id);
      while (parties_.step() == SQLITE_ROW) out->parties.push_back(parties_.string_at(0));
    }
    StatementScope scope(envelope_);
    envelope_.bind(1, open_rowid);
    if (envelope_.step() == SQLITE_ROW) out->open_envelope_json = envelope_.string_at(0);
  });
  return out;
}

std::vector<CaseRecord> CaseReader::list(const CaseListQuery& q) {
  std::vector<CaseRecord> rows;
  in_snapshot([&] {
    Statement& s = q.member.empty() ? list_all_ : list_member_;
    StatementScope scope(s);
    s.bind(1, q.member);
    s.bind(2, q.after);
    s.bind(3, q.link);
    s.bind(4, q.status);
    s.bind(5, int64_t{q.overdue_only});
    s.bind(6, q.now_ms);
    s.bind(7, static_cast<int64_t>(std::max(q.limit, 0)));
    while (s.step() == SQLITE_ROW) rows.push_back(case_record_at(s));
  });
  return rows;
}

bool CaseReader::is_party(const std::string& case_id, const std::string& member) {
  bool party = false;
  in_snapshot([&] {
    StatementScope scope(party_);
    party_.bind(1, case_id);
    party_.bind(2, member);
    party = party_.step() == SQLITE_ROW;
  });
  return party;
}

std::map<std::pair<std::string, std::string>, int64_t> CaseReader::overdue_counts(int64_t now_ms) {
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  in_snapshot([&] { counts = overdue_counts_locked(now_ms); });
  return counts;
}

std::map<std::pair<std::string, std::string>, int64_t> CaseReader::overdue_counts_locked(
    int64_t now_ms) {
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  StatementScope scope(overdue_counts_);
  overdue_counts_.bind(1, now_ms);
  std::string link, lead;
  int64_t* count = nullptr;
  while (overdue_counts_.step() == SQLITE_ROW) {
    if (!count || overdue_counts_.text_at(0) != link || overdue_counts_.text_at(1) != lead) {
      link = overdue_counts_.string_at(0);
      lead = overdue_counts_.string_at(1);
      count = &counts[{link, lead}];
    }
    ++*count;
  }
  return counts;
}

CaseReportData CaseReader::report(const CaseReportQuery& q) {
  CaseReportData out;
  in_snapshot([&] {
    add_aggregates(q, &out);
    add_medians(q, &out);
    add_messages(q, &out);
    add_overdue_list(q, &out);
  });
  return out;
}

// Counts per (link, lead) from the aggregate tables, then the totals per link and overall.
void CaseReader::add_aggregates(const CaseReportQuery& q, CaseReportData* out) {
  std::map<std::pair<std::string, std::string>, CaseGroupStats> groups;
  {
    StatementScope scope(daily_);
    daily_.bind(1, q.from_day);
    daily_.bind(2, q.to_day);
    while (daily_.step() == SQLITE_ROW) {
      CaseGroupStats& g = group_of(groups, daily_.string_at(0), daily_.string_at(1));
      g.opened = daily_.int64_at(2);
      g.closed = daily_.int64_at(3);
      g.closed_with_deadline = daily_.int64_at(4);
      g.closed_on_time = daily_.int64_at(5);
    }
  }
  {
    StatementScope scope(status_);
    while (status_.step() == SQLITE_ROW) {
      CaseGroupStats& g = group_of(groups, status_.string_at(0), status_.string_at(1));
      std::string status = status_.string_at(2);
      g.by_status[status] += status_.int64_at(3);
      if (is_active(status)) g.open_now += status_.int64_at(3);
    }
  }
  for (const auto& [key, n] : overdue_counts_locked(q.now_ms)) group_of(groups, key.first, key.second).overdue = n;
  {
    StatementScope scope(days_);
    days_.bind(1, q.from_day);
    days_.bind(2, q.to_day);
    while (days_.step() == SQLITE_ROW)
      out->days.push_back(CaseDayCounts{days_.int64_at(0), days_.int64_at(1), days_.int64_at(2)});
  }
  std::map<std::string, CaseGroupStats> links;
  for (auto& [key, g] : groups) {
    CaseGroupStats& l = links[key.first];
    l.link = key.first;
    add_into(l, g);
    add_into(out->overall, g);
    out->groups.push_back(std::move(g));
  }
  for (auto& [link, l] : links) out->link_totals.push_back(std::move(l));
}

// The median needs every duration of the period; the covering index cases_closed gives
// them as one range scan in closing order.
void CaseReader::add_medians(const CaseReportQuery& q, CaseReportData* out) {
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> by_group;
  std::map<std::string, std::vector<int64_t>> by_link;
  std::vector<int64_t> all;
  {
    StatementScope scope(durations_);
    durations_.bind(1, cases::day_start_ms(q.from_day));
    durations_.bind(2, cases::day_start_ms(q.to_day + 1) - 1);
    std::string link, lead;
    std::vector<int64_t>* group = nullptr;
    std::vector<int64_t>* per_link = nullptr;
    while (durations_.step() == SQLITE_ROW) {
      if (!group || durations_.text_at(0) != link || durations_.text_at(1) != lead) {
        link = durations_.string_at(0);
        lead = durations_.string_at(1);
        group = &by_group[{link, lead}];
        per_link = &by_link[link];
      }
      int64_t ms = durations_.int64_at(2);
      group->push_back(ms);
      per_link->push_back(ms);
      all.push_back(ms);
    }
  }
  for (auto& g : out->groups)
    if (auto it = by_group.find({g.link, g.lead}); it != by_group.end())
      g.median_days_to_close = median_days(it->second);
  for (auto& l : out->link_totals)
    if (auto it = by_link.find(l.link); it != by_link.end()) l.median_days_to_close = median_days(it->second);
  out->overall.median_days_to_close = median_days(all);
}

void CaseReader::add_messages(const CaseReportQuery& q, CaseReportData* out) {
  const int64_t from = cases::day_start_ms(q.from_day), to = cases::day_start_ms(q.to_day + 1) - 1;
  for (auto [s, target] : {std::pair{&alerts_, &out->alerts_by_source},
                           std::pair{&incidents_, &out->incidents_by_line}}) {
    StatementScope scope(*s);
    s->bind(1, from);
    s->bind(2, to);
    while (s->step() == SQLITE_ROW) (*target)[s->string_at(0)] += s->int64_at(1);
  }
}

void CaseReader::add_overdue_list(const CaseReportQuery& q, CaseReportData* out) {
  if (q.member.empty()) {
    out->overdue_listed_total = out->overall.overdue;
    StatementScope scope(overdue_all_);
    overdue_all_.bind(1, q.now_ms);
    overdue_all_.bind(2, static_cast<int64_t>(q.overdue_limit));
    while (overdue_all_.step() == SQLITE_ROW) out->overdue.push_back(case_record_at(overdue_all_));
    return;
  }
  {
    StatementScope scope(overdue_member_count_);
    overdue_member_count_.bind(1, q.now_ms);
    overdue_member_count_.bind(2, q.member);
    if (overdue_member_count_.step() == SQLITE_ROW)
      out->overdue_listed_total = overdue_member_count_.int64_at(0);
  }
  StatementScope scope(overdue_member_);
  overdue_member_.bind(1, q.now_ms);
  overdue_member_.bind(2, static_cast<int64_t>(q.overdue_limit));
  overdue_member_.bind(3, q.member);
  while (overdue_member_.step() == SQLITE_ROW) out->overdue.push_back(case_record_at(overdue_member_));
}

#undef SIXLINK_ACTIVE
#undef SIXLINK_CASE_COLUMNS

static std::optional<int64_t> optional_at(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.int64_at(column);
}

CaseRecord case_record_at(const Statement& s) {
  CaseRecord r;
  r.case_id = s.string_at(0);
  r.link = s.string_at(1);
  r.origin = s.string_at(2);
  r.lead = s.string_at(3);
  r.lead_unit = s.string_at(4);
  r.status = s.string_at(5);
  r.title = s.string_at(6);
  r.category = s.string_at(7);
  r.region_code = s.string_at(8);
  r.closure_criteria = s.string_at(9);
  r.opened_at_ms = s.int64_at(10);
  r.deadline_ms = optional_at(s, 11);
  r.closed_at_ms = optional_at(s, 12);
  r.updated_at_ms = s.int64_at(13);
  return r;
}

}  // namespace sixlink::store::sqlite
