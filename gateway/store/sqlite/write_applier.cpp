// The SQL behind every store write, run by the writer thread inside one savepoint per
// write. See write_applier.h.
#include "gateway/store/sqlite/write_applier.h"

#include <boost/json.hpp>
#include <utility>

#include "gateway/store/sqlite/schema.h"

namespace sixlink::store::sqlite {
namespace {

// SIXLINK_OPEN_STATES: the non-final states, spelled as in the deliveries_open index so
// that the planner can use it (SQLite matches a partial index by its WHERE terms).

constexpr const char* kFindMessage =
    "SELECT body_hash, response FROM messages WHERE source = ?1 AND id = ?2";
constexpr const char* kInsertMessage =
    "INSERT INTO messages(source, id, link, kind, classification, case_id, patrol_id, "
    "order_key, body_hash, envelope, response, accepted_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, "
    "NULLIF(?6, ''), NULLIF(?7, ''), ?8, ?9, ?10, ?11, ?12) ON CONFLICT(source, id) DO NOTHING";
constexpr const char* kInsertDelivery =
    "INSERT INTO deliveries(message_rowid, member, mode, state, order_key, updated_at_ms, envelope) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, ''))";
constexpr const char* kInsertAudit =
    "INSERT INTO audit(seq, at_ms, actor, action, subject, detail, prev_hash, hash) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// Outcomes change only deliveries that are not final yet: a late or repeated outcome
// never resurrects a delivered or dead-lettered row. Only push rows can be retried.
constexpr const char* kMarkDelivered =
    "UPDATE deliveries SET state = 'delivered', attempts = MAX(attempts, ?1), last_error = '', "
    "updated_at_ms = ?2 WHERE seq = ?3 AND " SIXLINK_OPEN_STATES("state");
constexpr const char* kMarkRetrying =
    "UPDATE deliveries SET state = 'retrying', attempts = MAX(attempts, ?1), "
    "next_attempt_ms = ?2, last_error = ?3, updated_at_ms = ?4 "
    "WHERE seq = ?5 AND state IN ('queued', 'retrying')";
constexpr const char* kMarkDead =
    "UPDATE deliveries SET state = 'dead_letter', attempts = MAX(attempts, ?1), "
    "last_error = ?2, updated_at_ms = ?3 "
    "WHERE seq = ?4 AND " SIXLINK_OPEN_STATES("state") " RETURNING member";
constexpr const char* kAckInbox =
    "UPDATE deliveries SET state = 'delivered', updated_at_ms = ?1 "
    "WHERE member = ?2 AND " SIXLINK_OPEN_STATES("state") " AND state = 'inbox' AND seq <= ?3";
// A replayed pull delivery goes back to the inbox, a push one to the relay queue.
constexpr const char* kReplay =
    "UPDATE deliveries SET state = CASE mode WHEN 'pull' THEN 'inbox' ELSE 'queued' END, "
    "attempts = 0, next_attempt_ms = 0, last_error = '', updated_at_ms = ?1 "
    "WHERE seq = ?2 AND state = 'dead_letter' RETURNING member";
constexpr const char* kProbe =
    "INSERT INTO writer_probe(id, at_ms) VALUES(1, ?1) "
    "ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms";
constexpr const char* kAuditTail = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";

const char* initial_state(DeliveryMode mode) {
  return mode == DeliveryMode::pull ? kInbox : kQueued;
}

const char* mode_name(DeliveryMode mode) { return mode == DeliveryMode::pull ? "pull" : "push"; }

// A recipient listed twice gets one delivery.
bool listed_earlier(const std::vector<IngestRecord::Recipient>& recipients, std::size_t i) {
  for (std::size_t j = 0; j < i; ++j) {
    if (recipients[j].member == recipients[i].member) return true;
  }
  return false;
}

}  // namespace

// A member's deliveries of the other mode, moved to `mode`: the open ones to where that
// mode keeps them (the inbox, or the relay's queue afresh), the dead letters stay dead
// letters, to be replayed in the new mode. Their seq, so their order, is kept. Two
// statements, each one range of its partial index (deliveries_open, deliveries_dead): one
// statement with the OR of both terms would scan every delivery the store holds, at every
// start.
const char* const kAlignOpen =
    "UPDATE deliveries SET mode = ?3, state = CASE ?3 WHEN 'pull' THEN 'inbox' ELSE 'queued' END, "
    "attempts = 0, next_attempt_ms = 0, updated_at_ms = ?1 "
    "WHERE member = ?2 AND " SIXLINK_OPEN_STATES("state") " AND mode <> ?3";
const char* const kAlignDead =
    "UPDATE deliveries SET mode = ?3, updated_at_ms = ?1 "
    "WHERE state = 'dead_letter' AND member = ?2 AND mode <> ?3";

std::string WriteApplier::accepted_response(const IngestRecord& record) {
  boost::json::array deliveries;
  for (std::size_t i = 0; i < record.recipients.size(); ++i) {
    if (listed_earlier(record.recipients, i)) continue;
    boost::json::object delivery;
    delivery["to"] = record.recipients[i].member;
    delivery["state"] = initial_state(record.recipients[i].mode);
    deliveries.push_back(std::move(delivery));
  }
  boost::json::object body;
  body["id"] = record.id;
  body["deliveries"] = std::move(deliveries);
  return boost::json::serialize(body);
}

namespace {

// An audit entry's detail: a JSON object, with strings escaped by the library.
std::string detail(const boost::json::object& fields) { return boost::json::serialize(fields); }

}  // namespace

// ---------------------------------------------------------------- set-up

std::unique_ptr<WriteApplier> WriteApplier::create(sqlite3* db, std::string* error) {
  std::unique_ptr<WriteApplier> applier(new WriteApplier(db));
  if (!applier->prepare_all(error) || !applier->load_tail(error)) return nullptr;
  return applier;
}

bool WriteApplier::prepare_all(std::string* error) {
  return find_message_.prepare(db_, kFindMessage, error) &&
         insert_message_.prepare(db_, kInsertMessage, error) &&
         insert_delivery_.prepare(db_, kInsertDelivery, error) &&
         insert_audit_.prepare(db_, kInsertAudit, error) &&
         mark_delivered_.prepare(db_, kMarkDelivered, error) &&
         mark_retrying_.prepare(db_, kMarkRetrying, error) &&
         mark_dead_.prepare(db_, kMarkDead, error) && ack_inbox_.prepare(db_, kAckInbox, error) &&
         replay_.prepare(db_, kReplay, error) && probe_.prepare(db_, kProbe, error) &&
         cases_.prepare(db_, error);
}

bool WriteApplier::load_tail(std::string* error) {
  Statement tail;
  if (!tail.prepare(db_, kAuditTail, error)) return false;
  tail_ = Mark{0, genesis_hash()};
  int rc = tail.step();
  if (rc == SQLITE_DONE) return true;
  if (rc != SQLITE_ROW || tail.text_at(1).size() != tail_.hash.size()) {
    *error = "cannot read the audit log's last entry: " + std::string(sqlite3_errmsg(db_));
    return false;
  }
  tail_.seq = tail.int64_at(0);
  tail.text_at(1).copy(tail_.hash.data(), tail_.hash.size());
  return true;
}

bool WriteApplier::fail(const char* what, std::string* error) const {
  *error = std::string(what) + ": " + sqlite3_errmsg(db_);
  return false;
}

bool WriteApplier::apply(Write& write, int64_t now_ms, std::string* error) {
  if (auto* w = std::get_if<IngestWrite>(&write)) return apply_ingest(*w, now_ms, error);
  if (auto* w = std::get_if<OutcomesWrite>(&write)) return apply_outcomes(*w, now_ms, error);
  if (auto* w = std::get_if<AckWrite>(&write)) return apply_ack(*w, now_ms, error);
  if (auto* w = std::get_if<ReplayWrite>(&write)) return apply_replay(*w, now_ms, error);
  return apply_probe(std::get<ProbeWrite>(write), now_ms, error);
}

// ---------------------------------------------------------------- ingest

bool WriteApplier::apply_ingest(IngestWrite& write, int64_t now_ms, std::string* error) {
  const IngestRecord& record = write.record;
  if (record.source.empty() || record.id.empty()) {
    *error = "ingest needs a source and an id";
    return false;
  }
  // (source, id) is the idempotency key: seen before means nothing is written. A case
  // event is looked up before its transition is checked, so that a resend of an applied
  // event still answers 200. Any other message is inserted at once, and looked up only
  // when the insert finds its key taken: one index search less for every new message.
  cases::Transition transition;
  bool seen = false;
  if (record.case_event) {
    if (!find_earlier(write, &seen, error)) return false;
    if (seen) return true;
    if (!check_case(write, &transition, error)) return false;
    if (write.result.status == IngestStatus::illegal_transition) return true;  // nothing written
  }
  if (write.response.empty()) write.response = accepted_response(record);
  int64_t rowid = 0;
  bool inserted = false;
  if (!insert_message(record, write.response, &rowid, &inserted, error)) return false;
  if (!inserted) {
    if (!find_earlier(write, &seen, error)) return false;
    if (seen) return true;
    *error = "the message's key is taken, yet no message has it";
    return false;
  }
  if (!insert_deliveries(write, rowid, now_ms, error) ||
      !apply_case(write, transition, rowid, now_ms, error)) {
    return false;
  }
  const AuditEntry& audit = record.audit;
  std::string subject = audit.subject.empty() ? record.source + "/" + record.id : audit.subject;
  if (!append_audit(audit.actor.empty() ? std::string_view(record.source) : audit.actor,
                    audit.action.empty() ? std::string_view("message.accepted") : audit.action,
                    subject, audit.detail_json.empty() ? "{}" : audit.detail_json, now_ms, error)) {
    return false;
  }
  for (const AuditEntry& more : record.more_audit)
    if (!append_audit(more.actor, more.action, more.subject, more.detail_json, now_ms, error)) return false;
  write.result.status = IngestStatus::accepted;
  // Exchanged, not moved: a batch applied again (after a rollback) builds it anew.
  write.result.response_json = std::exchange(write.response, {});
  return true;
}

bool WriteApplier::find_earlier(IngestWrite& write, bool* seen, std::string* error) {
  const IngestRecord& record = write.record;
  StatementScope scope(find_message_);
  find_message_.bind(1, record.source);
  find_message_.bind(2, record.id);
  int rc = find_message_.step();
  *seen = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW) {
    bool same = find_message_.text_at(0) == record.body_hash;
    write.result.status = same ? IngestStatus::duplicate : IngestStatus::conflict;
    if (same) write.result.response_json = find_message_.string_at(1);
    return true;
  }
  return rc == SQLITE_DONE || fail("looking up the message", error);
}

bool WriteApplier::insert_message(const IngestRecord& record, const std::string& response,
                                  int64_t* rowid, bool* inserted, std::string* error) {
  StatementScope scope(insert_message_);
  Statement& s = insert_message_;
  s.bind(1, record.source);
  s.bind(2, record.id);
  s.bind(3, record.link);
  s.bind(4, record.kind);
  s.bind(5, record.classification);
  s.bind(6, record.case_id);
  s.bind(7, record.patrol_id);
  s.bind(8, record.order_key);
  s.bind(9, record.body_hash);
  s.bind(10, record.envelope_json);
  s.bind(11, response);
  s.bind(12, record.accepted_at_ms);
  if (!s.run()) return fail("inserting the message", error);
  *inserted = sqlite3_changes(db_) == 1;
  *rowid = sqlite3_last_insert_rowid(db_);
  return true;
}

bool WriteApplier::insert_deliveries(IngestWrite& write, int64_t rowid, int64_t now_ms,
                                     std::string* error) {
  const auto& recipients = write.record.recipients;
  write.result.deliveries.reserve(recipients.size());
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (listed_earlier(recipients, i)) continue;
    StatementScope scope(insert_delivery_);
    insert_delivery_.bind(1, rowid);
    insert_delivery_.bind(2, recipients[i].member);
    insert_delivery_.bind(3, mode_name(recipients[i].mode));
    insert_delivery_.bind(4, initial_state(recipients[i].mode));
    insert_delivery_.bind(5, write.record.order_key);
    insert_delivery_.bind(6, now_ms);
    insert_delivery_.bind(7, recipients[i].envelope_json);
    if (!insert_delivery_.run()) return fail("inserting a delivery", error);
    write.result.deliveries.push_back(
        DeliveryRef{sqlite3_last_insert_rowid(db_), recipients[i].member, recipients[i].mode});
  }
  return true;
}

bool WriteApplier::check_case(IngestWrite& write, cases::Transition* decision,
                              std::string* error) {
  if (!write.record.case_event) return true;
  if (!cases_.decide(*write.record.case_event, decision, error)) return false;
  if (!decision->legal) {
    write.result.status = IngestStatus::illegal_transition;
    write.result.refusal = decision->refusal;
  }
  return true;
}

bool WriteApplier::apply_case(const IngestWrite& write, const cases::Transition& decision,
                              int64_t rowid, int64_t now_ms, std::string* error) {
  const IngestRecord& record = write.record;
  if (!record.case_event) return true;
  const CaseEvent& event = *record.case_event;
  const int64_t at_ms = record.accepted_at_ms > 0 ? record.accepted_at_ms : now_ms;
  if (!cases_.apply(event, decision, rowid, at_ms, error)) return false;
  std::string text = detail({{"case_id", event.case_id}, {"kind", event.kind},
                             {"to", decision.to_state}, {"lead", decision.new_lead}});
  return append_audit(event.actor, "case.event", record.source + "/" + record.id, text, now_ms,
                      error);
}

// ---------------------------------------------------------------- outcomes

bool WriteApplier::apply_outcomes(OutcomesWrite& write, int64_t now_ms, std::string* error) {
  for (const DeliveryOutcome& outcome : write.outcomes) {
    if (!apply_outcome(outcome, now_ms, error)) return false;
  }
  write.ok = true;
  return true;
}

bool WriteApplier::apply_outcome(const DeliveryOutcome& outcome, int64_t now_ms,
                                 std::string* error) {
  switch (outcome.what) {
    case DeliveryOutcome::What::delivered: {
      StatementScope scope(mark_delivered_);
      mark_delivered_.bind(1, static_cast<int64_t>(outcome.attempts));
      mark_delivered_.bind(2, now_ms);
      mark_delivered_.bind(3, outcome.seq);
      return mark_delivered_.run() || fail("marking a delivery delivered", error);
    }
    case DeliveryOutcome::What::retry: {
      StatementScope scope(mark_retrying_);
      mark_retrying_.bind(1, static_cast<int64_t>(outcome.attempts));
      mark_retrying_.bind(2, outcome.next_attempt_ms);
      mark_retrying_.bind(3, outcome.error);
      mark_retrying_.bind(4, now_ms);
      mark_retrying_.bind(5, outcome.seq);
      return mark_retrying_.run() || fail("scheduling a retry", error);
    }
    case DeliveryOutcome::What::dead_letter:
      return dead_letter(outcome, now_ms, error);
  }
  *error = "unknown delivery outcome";
  return false;
}

bool WriteApplier::dead_letter(const DeliveryOutcome& outcome, int64_t now_ms, std::string* error) {
  std::string member;
  {
    StatementScope scope(mark_dead_);
    mark_dead_.bind(1, static_cast<int64_t>(outcome.attempts));
    mark_dead_.bind(2, outcome.error);
    mark_dead_.bind(3, now_ms);
    mark_dead_.bind(4, outcome.seq);
    int rc = mark_dead_.step();
    if (rc == SQLITE_DONE) return true;  // already final (or unknown): nothing changed
    if (rc != SQLITE_ROW) return fail("dead-lettering a delivery", error);
    member = mark_dead_.string_at(0);
    // Run the statement to its end so the change is complete before the reset.
    if (mark_dead_.step() != SQLITE_DONE) return fail("dead-lettering a delivery", error);
  }
  std::string text =
      detail({{"member", member}, {"attempts", outcome.attempts}, {"error", outcome.error}});
  return append_audit("gateway", "delivery.dead_lettered", std::to_string(outcome.seq), text,
                      now_ms, error);
}

// ---------------------------------------------------------------- inbox, replay, probe

bool WriteApplier::apply_ack(AckWrite& write, int64_t now_ms, std::string* error) {
  {
    StatementScope scope(ack_inbox_);
    ack_inbox_.bind(1, now_ms);
    ack_inbox_.bind(2, write.member);
    ack_inbox_.bind(3, write.through_seq);
    if (!ack_inbox_.run()) return fail("acknowledging the inbox", error);
    write.acked = sqlite3_changes64(db_);
  }
  // Empty acks are not audited: a member polling its inbox is not an event.
  if (write.acked > 0) {
    std::string text = detail({{"through", write.through_seq}, {"acked", write.acked}});
    if (!append_audit(write.member, "inbox.acked", write.member, text, now_ms, error)) {
      return false;
    }
  }
  write.ok = true;
  return true;
}

bool WriteApplier::apply_replay(ReplayWrite& write, int64_t now_ms, std::string* error) {
  write.outcome = ReplayOutcome::not_found;  // a batch applied again starts afresh
  write.member.clear();
  {
    StatementScope scope(replay_);
    replay_.bind(1, now_ms);
    replay_.bind(2, write.seq);
    int rc = replay_.step();
    if (rc == SQLITE_DONE) return true;  // not a dead letter: the outcome stays not_found
    if (rc != SQLITE_ROW) return fail("replaying a dead letter", error);
    write.member = replay_.string_at(0);
    if (replay_.step() != SQLITE_DONE) return fail("replaying a dead letter", error);
  }
  std::string text = detail({{"member", write.member}});
  if (!append_audit("admin", "delivery.replayed", std::to_string(write.seq), text, now_ms, error)) {
    return false;
  }
  write.outcome = ReplayOutcome::replayed;
  return true;
}

bool WriteApplier::align_delivery_mode(const std::string& member, std::string_view mode,
                                       int64_t now_ms, int64_t* moved, std::string* error) {
  *moved = 0;
  for (const char* sql : {kAlignOpen, kAlignDead}) {
    Statement align;
    if (!align.prepare(db_, sql, error)) return false;
    align.bind(1, now_ms);
    align.bind(2, member);
    align.bind(3, mode);  // bound without a copy: `mode` outlives the statement
    if (!align.run()) return fail("moving deliveries to the member's delivery mode", error);
    *moved += sqlite3_changes64(db_);
  }
  if (*moved == 0) return true;
  std::string text = detail({{"member", member}, {"mode", std::string(mode)},
                             {"deliveries", std::to_string(*moved)}});
  return append_audit("gateway", "delivery.mode_changed", member, text, now_ms, error);
}

bool WriteApplier::apply_probe(ProbeWrite& write, int64_t now_ms, std::string* error) {
  StatementScope scope(probe_);
  probe_.bind(1, now_ms);
  if (!probe_.run()) return fail("writing the probe row", error);
  write.ok = true;
  return true;
}

// ---------------------------------------------------------------- audit

bool WriteApplier::append_audit(std::string_view actor, std::string_view action,
                                std::string_view subject, std::string_view detail, int64_t now_ms,
                                std::string* error) {
  Mark next{tail_.seq + 1, {}};
  AuditFields fields{next.seq, now_ms, actor, action, subject, detail, view(tail_.hash)};
  if (!hasher_.digest(fields, &next.hash)) {
    *error = "cannot hash the audit entry (SHA-256 unavailable)";
    return false;
  }
  StatementScope scope(insert_audit_);
  insert_audit_.bind(1, next.seq);
  insert_audit_.bind(2, now_ms);
  insert_audit_.bind(3, actor);
  insert_audit_.bind(4, action);
  insert_audit_.bind(5, subject);
  insert_audit_.bind(6, detail);
  insert_audit_.bind(7, view(tail_.hash));
  insert_audit_.bind(8, view(next.hash));
  if (!insert_audit_.run()) return fail("appending to the audit log", error);
  tail_ = next;
  return true;
}

}  // namespace sixlink::store::sqlite
