// The store seam (DESIGN §8): what the gateway needs from durable storage, and nothing
// of how. One writer applies writes in group commits: every write queued while a commit
// is in flight joins the next transaction, and its completion runs only after the commit
// that holds it is durable. Reads are synchronous and never wait for the writer.
//
// Engines: SQLite (gateway/store/sqlite/); PostgreSQL later, behind this same interface.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink::store {

// Delivery states as partners and operators see them (GET /v1/messages/{id}).
inline constexpr const char* kQueued = "queued";          // push, not yet attempted
inline constexpr const char* kRetrying = "retrying";      // push, failed at least once, will retry
inline constexpr const char* kInbox = "inbox";            // pull, waiting for GET /v1/inbox + ack
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kDeadLetter = "dead_letter";

struct AuditEntry {
  std::string actor;        // member id or "gateway" / "admin"
  std::string action;       // "message.accepted", "delivery.dead_lettered", ...
  std::string subject;      // "source/id" of the message, or delivery seq
  std::string detail_json;  // JSON object text; never personal data
};

// A case.* message's effect on the shared case registry (DESIGN §3; gateway/cases/),
// taken from the envelope by the partner API and checked by the writer against the
// registry's current row inside the transaction that stores the message.
struct CaseEvent {
  std::string case_id, link, kind;  // kind: case.open | case.update | case.transfer | case.close
  std::string actor;                // the message's (authenticated) source
  std::string status;               // body.status; empty = absent
  std::string lead, lead_unit;      // body.lead.jurisdiction / .unit; empty = absent
  std::optional<int64_t> deadline_ms = {};  // body.deadline
  std::optional<std::string> closure_criteria = {}, title = {}, category = {};
  std::string region_code;              // body.location.region_code, else the first region code
  std::string note;                     // body.note
  std::vector<std::string> recipients;  // become parties of the case
};

struct IngestRecord {
  std::string source, id, link, kind, classification;
  std::string case_id, patrol_id;  // empty = none
  std::string order_key;           // "case:<id>", "patrol:<id>" or empty: per-recipient order
  std::string body_hash;           // hex SHA-256 of the canonical envelope: detects id reuse
  std::string envelope_json;       // the canonical envelope as accepted; never altered
  struct Recipient {
    std::string member;
    DeliveryMode mode = DeliveryMode::push;
    std::string envelope_json = {};  // this recipient's own form (redacted); empty = the message's
  };
  std::vector<Recipient> recipients;
  AuditEntry audit;
  std::vector<AuditEntry> more_audit;  // e.g. one "message.redacted" entry per redacted view
  int64_t accepted_at_ms = 0;
  std::optional<CaseEvent> case_event = {};  // set for case.* messages
};

// illegal_transition: the case event is not allowed in the case's current state (nothing
// was written); IngestResult::refusal says why.
enum class IngestStatus { accepted, duplicate, conflict, failed, illegal_transition };

struct CaseRefusal {
  std::string state;    // the case's current state ("none" if never opened; empty = not told)
  std::string field;    // the envelope field to blame, e.g. "body.status"
  std::string message;
};

struct DeliveryRef {
  int64_t seq = 0;
  std::string member;
  DeliveryMode mode = DeliveryMode::push;
};

struct IngestResult {
  IngestStatus status = IngestStatus::failed;
  // accepted and duplicate: the 202 body of the first acceptance, {id, deliveries:[{to,state}]}.
  std::string response_json;
  std::vector<DeliveryRef> deliveries;  // accepted only: the rows created
  std::string error;                    // failed only
  CaseRefusal refusal = {};             // illegal_transition only
};

// A delivery that is not final yet (queued, retrying or inbox), with its message in the
// form its recipient may see.
struct PendingDelivery {
  int64_t seq = 0;
  std::string member;
  std::string state;
  std::string source, id, link, kind;
  std::string order_key;
  std::string envelope_json;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t accepted_at_ms = 0;
};

// The same delivery with only what its place in the order needs: the relay reads these to
// step over deliveries it cannot send yet without loading their messages.
struct PendingKey {
  int64_t seq = 0;
  std::string order_key;
  int64_t next_attempt_ms = 0;
};

struct DeliveryOutcome {
  enum class What { delivered, retry, dead_letter };
  int64_t seq = 0;
  What what = What::delivered;
  int attempts = 0;             // total attempts made so far
  int64_t next_attempt_ms = 0;  // retry only
  std::string error;            // retry and dead_letter: why (status code, timeout, ...)
};

struct RecipientView {
  std::string to;
  std::string state;
  int attempts = 0;
  std::string last_error;
  int64_t updated_at_ms = 0;
};

struct MessageView {
  std::string source, id, link, kind;
  int64_t accepted_at_ms = 0;
  std::vector<RecipientView> recipients;
};

struct DeadLetter {
  int64_t seq = 0;
  std::string member;
  std::string source, id, link, kind;
  int attempts = 0;
  std::string last_error;
  int64_t updated_at_ms = 0;
};

struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_broken_seq = 0;  // 0 when ok
  std::string reason;
};

// ---- The shared case registry (gateway/cases/README.md). Times are epoch milliseconds;
// a "day" is a calendar day in Beijing time (UTC+8), counted from 1970-01-01.

struct CaseRecord {
  std::string case_id, link, origin, lead, lead_unit, status;
  std::string title, category, region_code, closure_criteria;
  int64_t opened_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> deadline_ms = {};
  std::optional<int64_t> closed_at_ms = {};
};

struct CaseHistoryEntry {
  int64_t seq = 0;
  int64_t at_ms = 0;
  std::string actor, kind, from_state, to_state, lead, note;
  std::string message_source, message_id;
};

struct CaseDetail {
  CaseRecord record;
  std::vector<CaseHistoryEntry> history;  // in order
  std::vector<std::string> parties;       // member ids, sorted
  std::string open_envelope_json;         // the case.open message as accepted
};

struct CaseListQuery {
  std::string member;         // only cases this member is party to; empty = all
  bool overdue_only = false;  // open past its deadline at now_ms
  std::string link, status;   // filters; empty = any
  std::string after;          // case_id cursor: cases after it, in case_id order
  int limit = 100;
  int64_t now_ms = 0;
};

// Counts of one (link, lead) group; lead "" = every lead of the link, link "" = all.
struct CaseGroupStats {
  std::string link, lead;
  int64_t opened = 0;                // opened in the period (counted for the lead at opening)
  int64_t closed = 0;                // closed in the period (for the lead that closed it)
  int64_t closed_with_deadline = 0;  // of those, the ones that had a deadline
  int64_t closed_on_time = 0;        // of those, closed at or before it
  int64_t open_now = 0;              // not closed or rejected, now
  int64_t overdue = 0;               // open now and past the deadline
  std::optional<double> median_days_to_close = {};  // of the cases closed in the period
  std::map<std::string, int64_t> by_status = {};    // every case, by its current status
};

struct CaseReportQuery {
  int64_t from_day = 0, to_day = 0;  // inclusive
  int64_t now_ms = 0;
  std::string member;  // the overdue list holds only this member's cases; empty = all
  int overdue_limit = 200;
};

struct CaseDayCounts {
  int64_t day = 0;
  int64_t opened = 0, closed = 0;
};

struct CaseReportData {
  std::vector<CaseGroupStats> groups;       // every (link, lead) with data, sorted
  std::vector<CaseGroupStats> link_totals;  // lead "", per link with data
  CaseGroupStats overall;                   // link "", lead ""
  std::vector<CaseDayCounts> days;          // days of the period with openings or closings
  std::map<std::string, int64_t> alerts_by_source;    // info_sharing/alert in the period
  std::map<std::string, int64_t> incidents_by_line;   // patrol.incident by border_line
  int64_t overdue_listed_total = 0;         // overdue cases the list could show (member's)
  std::vector<CaseRecord> overdue;          // most overdue first, at most overdue_limit
};

struct StoreOptions {
  std::string path;  // SQLite file
  Durability durability = Durability::full;
  std::size_t max_batch = 512;  // writes per group commit at most
  // Called on the writer thread after every commit: seconds it took and writes it held.
  std::function<void(double seconds, std::size_t writes)> on_commit;
  // Where ingest completions run. Empty: on the writer thread, one after another, as the
  // commit returns. Set: the writer hands each commit's ingest completions to it in one
  // call, to be run elsewhere (the gateway posts them to its I/O threads), so the writer
  // neither builds the answers nor wakes a thread per request. If it throws, they run on
  // the writer after all. The other writes' completions always run on the writer.
  std::function<void(std::function<void()>)> run_ingest_completions;
  // member id -> "push" or "pull", as configured. At open, each member's open and
  // dead-lettered deliveries of the other mode move to this one (a mode change takes a
  // restart): otherwise neither the inbox ack nor the relay could ever finish them.
  std::map<std::string, std::string> delivery_modes;
};

// What became of a dead letter's replay: `failed` when the store could not commit it, so
// that "no such dead letter" is never said of one that is still there.
enum class ReplayOutcome { replayed, not_found, failed };

class Store {
 public:
  virtual ~Store() = default;

  // ---- Writes: queued to the single writer; `done` runs once the transaction that holds
  // the write has committed (or failed): on the writer thread, or for ingest where
  // StoreOptions::run_ingest_completions puts it. Never throws.
  virtual void ingest(IngestRecord record, std::function<void(IngestResult)> done) = 0;
  virtual void record_outcomes(std::vector<DeliveryOutcome> outcomes,
                               std::function<void(bool ok)> done) = 0;
  // Pull mode: marks every inbox delivery of `member` with seq <= through_seq delivered.
  virtual void ack_inbox(std::string member, int64_t through_seq,
                         std::function<void(bool ok, int64_t acked)> done) = 0;
  // Puts a dead letter back in the queue with its attempts reset. `member` is set when
  // replayed.
  virtual void replay_dead_letter(int64_t seq,
                                  std::function<void(ReplayOutcome, std::string member)> done) = 0;

  // ---- Reads: synchronous, callable from any thread.
  virtual std::optional<MessageView> message(const std::string& source,
                                             const std::string& id) = 0;
  // Non-final deliveries of `member` with seq > after_seq, in seq order.
  virtual std::vector<PendingDelivery> pending(const std::string& member, int64_t after_seq,
                                               int limit) = 0;
  // The same rows as pending(), without their messages.
  virtual std::vector<PendingKey> pending_keys(const std::string& member, int64_t after_seq,
                                               int limit) = 0;
  virtual std::vector<DeadLetter> dead_letters(int limit) = 0;
  virtual std::map<std::string, int64_t> queue_depths() = 0;        // non-final, per member
  virtual std::map<std::string, int64_t> dead_letter_counts() = 0;  // per member
  virtual AuditVerification verify_audit() = 0;
  // The case registry. Case reads have their own connection: a long report never holds
  // up the relay's reads.
  virtual std::optional<CaseDetail> case_detail(const std::string& case_id) = 0;
  virtual std::vector<CaseRecord> cases(const CaseListQuery& query) = 0;
  virtual bool is_case_party(const std::string& case_id, const std::string& member) = 0;
  // Open cases past their deadline at now_ms, per (link, lead).
  virtual std::map<std::pair<std::string, std::string>, int64_t> overdue_case_counts(
      int64_t now_ms) = 0;
  virtual CaseReportData case_report(const CaseReportQuery& query) = 0;
  // Readiness: a write transaction can commit now.
  virtual bool writable() = 0;

  // Finishes every queued write, then stops the writer. Idempotent.
  virtual void close() = 0;
};

// Opens (creating if needed) and migrates the SQLite store. nullptr with *error set on failure.
std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options, std::string* error);

}  // namespace sixlink::store
