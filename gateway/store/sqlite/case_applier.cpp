// The SQL of the case registry's writes. See case_applier.h.
#include "gateway/store/sqlite/case_applier.h"

#include "gateway/cases/case_time.h"
#include "gateway/store/sqlite/case_reader.h"

namespace sixlink::store::sqlite {
namespace {

constexpr const char* kLoad = "SELECT " SIXLINK_CASE_COLUMNS ", c.last_seq FROM cases c WHERE c.case_id = ?1";
constexpr const char* kParty = "SELECT 1 FROM case_parties WHERE case_id = ?1 AND member = ?2";
constexpr const char* kInsertCase =
    "INSERT INTO cases(case_id, link, origin, lead, lead_unit, status, title, category, "
    "region_code, closure_criteria, opened_at_ms, deadline_ms, closed_at_ms, updated_at_ms, "
    "last_seq, open_message_rowid) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
// Bound like kInsertCase; the parameters it does not name are ignored.
constexpr const char* kUpdateCase =
    "UPDATE cases SET lead = ?4, lead_unit = ?5, status = ?6, title = ?7, category = ?8, "
    "region_code = ?9, closure_criteria = ?10, deadline_ms = ?12, closed_at_ms = ?13, "
    "updated_at_ms = ?14, last_seq = ?15 WHERE case_id = ?1";
constexpr const char* kInsertEvent =
    "INSERT INTO case_events(case_id, seq, at_ms, actor, kind, from_state, to_state, lead, note, "
    "message_rowid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kInsertParty =
    "INSERT OR IGNORE INTO case_parties(case_id, member) VALUES(?1, ?2)";
// Every party row carries the case's deadline and openness (case_parties_overdue).
constexpr const char* kSyncParties =
    "UPDATE case_parties SET active = ?2, deadline_ms = ?3 WHERE case_id = ?1 "
    "AND (active IS NOT ?2 OR deadline_ms IS NOT ?3)";
constexpr const char* kDaily =
    "INSERT INTO case_daily(link, lead, day, opened, closed, closed_with_deadline, "
    "closed_on_time) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(day, link, lead) DO UPDATE "
    "SET opened = opened + excluded.opened, closed = closed + excluded.closed, "
    "closed_with_deadline = closed_with_deadline + excluded.closed_with_deadline, "
    "closed_on_time = closed_on_time + excluded.closed_on_time";
constexpr const char* kStatus =
    "INSERT INTO case_status_counts(link, lead, status, n) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(link, lead, status) DO UPDATE SET n = n + excluded.n";

void bind_optional(Statement& s, int index, const std::optional<int64_t>& value) {
  if (value) s.bind(index, *value);
  else sqlite3_bind_null(s.get(), index);
}

// The row after a legal event: the lead's fields change only where the event says so.
CaseRecord next_row(const std::optional<CaseRecord>& current, const CaseEvent& e,
                    const cases::Transition& t, int64_t at_ms) {
  CaseRecord row;
  if (current) {
    row = *current;
  } else {
    row.case_id = e.case_id;
    row.link = e.link;
    row.origin = e.actor;
    row.opened_at_ms = at_ms;
  }
  if (row.lead != t.new_lead) row.lead_unit.clear();  // a new lead has its own unit
  row.lead = t.new_lead;
  if (!e.lead_unit.empty() && (e.lead.empty() || e.lead == t.new_lead)) row.lead_unit = e.lead_unit;
  row.status = t.to_state;
  if (e.title) row.title = *e.title;
  if (e.category) row.category = *e.category;
  if (!e.region_code.empty() && (!current || row.region_code.empty())) row.region_code = e.region_code;
  if (e.closure_criteria) row.closure_criteria = *e.closure_criteria;
  if (e.deadline_ms) row.deadline_ms = e.deadline_ms;
  if (t.to_state == cases::kClosed) row.closed_at_ms = at_ms;
  row.updated_at_ms = at_ms;
  return row;
}

}  // namespace

bool CaseApplier::prepare(sqlite3* db, std::string* error) {
  db_ = db;
  return load_.prepare(db, kLoad, error) && party_.prepare(db, kParty, error) &&
         insert_case_.prepare(db, kInsertCase, error) &&
         update_case_.prepare(db, kUpdateCase, error) &&
         insert_event_.prepare(db, kInsertEvent, error) &&
         insert_party_.prepare(db, kInsertParty, error) &&
         sync_parties_.prepare(db, kSyncParties, error) && daily_.prepare(db, kDaily, error) &&
         status_.prepare(db, kStatus, error);
}

bool CaseApplier::fail(const char* what, std::string* error) const {
  *error = std::string(what) + ": " + sqlite3_errmsg(db_);
  return false;
}

bool CaseApplier::load(const std::string& case_id, std::string* error) {
  current_.reset();
  last_seq_ = 0;
  StatementScope scope(load_);
  load_.bind(1, case_id);
  int rc = load_.step();
  if (rc == SQLITE_DONE) return true;
  if (rc != SQLITE_ROW) return fail("reading the case", error);
  CaseRecord r = case_record_at(load_);
  last_seq_ = load_.int64_at(kCaseColumnCount);
  current_ = std::move(r);
  return true;
}

bool CaseApplier::is_party(const std::string& case_id, const std::string& member, bool* party,
                           std::string* error) {
  StatementScope scope(party_);
  party_.bind(1, case_id);
  party_.bind(2, member);
  int rc = party_.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail("reading the case's parties", error);
  *party = rc == SQLITE_ROW;
  return true;
}

bool CaseApplier::decide(const CaseEvent& event, cases::Transition* decision, std::string* error) {
  if (!load(event.case_id, error)) return false;
  std::optional<cases::CaseSnapshot> snapshot;
  if (current_) {
    snapshot = cases::CaseSnapshot{current_->link, current_->origin, current_->lead,
                                   current_->status, current_->deadline_ms,
                                   current_->closure_criteria, false};
    if (!is_party(event.case_id, event.actor, &snapshot->actor_is_party, error)) return false;
  }
  *decision = cases::decide(snapshot, event);
  return true;
}

bool CaseApplier::apply(const CaseEvent& event, const cases::Transition& decision,
                        int64_t message_rowid, int64_t at_ms, std::string* error) {
  const std::string from = current_ ? current_->status : "";
  CaseRecord row = next_row(current_, event, decision, at_ms);
  if (!write_row(row, !current_, message_rowid, error) ||
      !add_event(event, from, row, message_rowid, at_ms, error) ||
      !add_party(row.case_id, row.origin, error) || !add_party(row.case_id, row.lead, error)) {
    return false;
  }
  for (const auto& r : event.recipients)
    if (!add_party(row.case_id, r, error)) return false;
  if (!sync_parties(row, error)) return false;
  const bool opened = !current_, closed = decision.to_state == cases::kClosed;
  if ((opened || closed) && !add_daily(row, cases::beijing_day(at_ms), opened, closed, error))
    return false;
  if (current_ && !add_status(row.link, current_->lead, current_->status, -1, error)) return false;
  if (!add_status(row.link, row.lead, row.status, +1, error)) return false;
  current_ = row;  // a second event of the case in this write sees the new row
  ++last_seq_;
  return true;
}

bool CaseApplier::write_row(const CaseRecord& row, bool insert, int64_t message_rowid,
                            std::string* error) {
  Statement& s = insert ? insert_case_ : update_case_;
  StatementScope scope(s);
  s.bind(1, row.case_id);
  s.bind(2, row.link);
  s.bind(3, row.origin);
  s.bind(4, row.lead);
  s.bind(5, row.lead_unit);
  s.bind(6, row.status);
  s.bind(7, row.title);
  s.bind(8, row.category);
  s.bind(9, row.region_code);
  s.bind(10, row.closure_criteria);
  s.bind(11, row.opened_at_ms);
  bind_optional(s, 12, row.deadline_ms);
  bind_optional(s, 13, row.closed_at_ms);
  s.bind(14, row.updated_at_ms);
  s.bind(15, last_seq_ + 1);
  s.bind(16, message_rowid);
  if (!s.run()) return fail("writing the case", error);
  if (sqlite3_changes(db_) != 1) {
    *error = "the case row changed under the writer";
    return false;
  }
  return true;
}

bool CaseApplier::add_event(const CaseEvent& event, const std::string& from, const CaseRecord& row,
                            int64_t message_rowid, int64_t at_ms, std::string* error) {
  StatementScope scope(insert_event_);
  insert_event_.bind(1, row.case_id);
  insert_event_.bind(2, last_seq_ + 1);
  insert_event_.bind(3, at_ms);
  insert_event_.bind(4, event.actor);
  insert_event_.bind(5, event.kind);
  insert_event_.bind(6, from);
  insert_event_.bind(7, row.status);
  insert_event_.bind(8, row.lead);
  insert_event_.bind(9, event.note);
  insert_event_.bind(10, message_rowid);
  return insert_event_.run() || fail("recording the case event", error);
}

bool CaseApplier::add_party(const std::string& case_id, const std::string& member,
                            std::string* error) {
  StatementScope scope(insert_party_);
  insert_party_.bind(1, case_id);
  insert_party_.bind(2, member);
  return insert_party_.run() || fail("recording a party of the case", error);
}

bool CaseApplier::sync_parties(const CaseRecord& row, std::string* error) {
  StatementScope scope(sync_parties_);
  sync_parties_.bind(1, row.case_id);
  sync_parties_.bind(2, int64_t{!cases::is_final_state(row.status)});
  bind_optional(sync_parties_, 3, row.deadline_ms);
  return sync_parties_.run() || fail("updating the case's parties", error);
}

bool CaseApplier::add_daily(const CaseRecord& row, int64_t day, bool opened, bool closed,
                            std::string* error) {
  const bool with_deadline = closed && row.deadline_ms.has_value();
  const bool on_time = with_deadline && row.closed_at_ms && *row.closed_at_ms <= *row.deadline_ms;
  StatementScope scope(daily_);
  daily_.bind(1, row.link);
  daily_.bind(2, row.lead);
  daily_.bind(3, day);
  daily_.bind(4, int64_t{opened});
  daily_.bind(5, int64_t{closed});
  daily_.bind(6, int64_t{with_deadline});
  daily_.bind(7, int64_t{on_time});
  return daily_.run() || fail("counting the case for the report", error);
}

bool CaseApplier::add_status(const std::string& link, const std::string& lead,
                             const std::string& status, int64_t delta, std::string* error) {
  StatementScope scope(status_);
  status_.bind(1, link);
  status_.bind(2, lead);
  status_.bind(3, status);
  status_.bind(4, delta);
  return status_.run() || fail("counting the case's status", error);
}

}  // namespace sixlink::store::sqlite
