// Test helpers for the case registry: a store on a temp file, a builder of case.*
// ingest records (as the partner API would make them), and a synchronous ingest.
#pragma once

#include <sqlite3.h>

#include <boost/json.hpp>
#include <future>
#include <string>
#include <vector>

#include "gateway/cases/case_time.h"
#include "gateway/store/store.h"
#include "tests/support/pki.h"

namespace sixlink::cases::test {

inline store::IngestResult ingest_now(store::Store& s, store::IngestRecord r) {
  std::promise<store::IngestResult> p;
  auto f = p.get_future();
  s.ingest(std::move(r), [&p](store::IngestResult res) { p.set_value(std::move(res)); });
  return f.get();
}

class StoreFile {
 public:
  explicit StoreFile(std::function<void(double, std::size_t)> on_commit = {}) : dir("sixlink-cases-") {
    path = dir.file("store.db");
    store::StoreOptions o;
    o.path = path;
    o.durability = Durability::normal;
    o.on_commit = std::move(on_commit);
    std::string error;
    store = store::open_sqlite_store(o, &error);
    if (!store) throw std::runtime_error(error);
  }
  ~StoreFile() {
    if (store) store->close();
  }

  // Row counts of every table a refused write must leave alone.
  std::string counts() const {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    std::string out;
    for (const char* t : {"messages", "deliveries", "audit", "cases", "case_events", "case_parties", "case_daily"}) {
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + std::string(t)).c_str(), -1, &s, nullptr);
      sqlite3_step(s);
      out += std::string(t) + "=" + std::to_string(sqlite3_column_int64(s, 0)) + " ";
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
  }

  sixlink::testing::TempDir dir;
  std::string path;
  std::unique_ptr<store::Store> store;
};

// A case.* message as the partner API records it.
class CaseMsg {
 public:
  CaseMsg(std::string id, std::string source, std::string kind, std::string case_id) {
    r_.id = std::move(id);
    r_.source = std::move(source);
    r_.link = "joint_mediation";
    r_.kind = std::move(kind);
    r_.classification = "internal";
    r_.case_id = std::move(case_id);
    r_.order_key = "case:" + r_.case_id;
    e_.case_id = r_.case_id;
    e_.kind = r_.kind;
    e_.actor = r_.source;
    e_.title = "纠纷 " + r_.id;
  }
  CaseMsg& link(std::string l) { r_.link = std::move(l); return *this; }
  CaseMsg& status(std::string s) { e_.status = std::move(s); return *this; }
  CaseMsg& lead(std::string j, std::string unit = "") { e_.lead = std::move(j); e_.lead_unit = std::move(unit); return *this; }
  CaseMsg& deadline(const std::string& t) { e_.deadline_ms = parse_rfc3339_ms(t); return *this; }
  CaseMsg& title(std::string t) { e_.title = std::move(t); return *this; }
  CaseMsg& at(int64_t ms) { r_.accepted_at_ms = ms; return *this; }
  CaseMsg& to(std::vector<std::string> members) { recipients_ = std::move(members); return *this; }

  store::IngestRecord record() const {
    store::IngestRecord r = r_;
    store::CaseEvent e = e_;
    e.link = r.link;
    e.recipients = recipients_;
    for (const auto& m : recipients_) r.recipients.push_back({m, DeliveryMode::pull, ""});
    boost::json::object env{{"id", r.id}, {"source", r.source}, {"link", r.link}, {"kind", r.kind},
                            {"created_at", "2026-11-01T09:00:00+08:00"}, {"classification", r.classification},
                            {"case_id", r.case_id}, {"region_codes", boost::json::array{"320583"}},
                            {"body", boost::json::object{{"title", *e.title}}}};
    r.envelope_json = boost::json::serialize(env);
    r.body_hash = "hash-" + r.id;
    r.audit = {r.source, "message.accepted", r.source + "/" + r.id, "{}"};
    if (r.accepted_at_ms == 0) r.accepted_at_ms = parse_rfc3339_ms("2026-11-01T09:00:00+08:00").value();
    r.case_event = std::move(e);
    return r;
  }

 private:
  store::IngestRecord r_;
  store::CaseEvent e_;
  std::vector<std::string> recipients_;
};

// A message that is no case event (an alert, a patrol incident), accepted at `at_ms`.
inline store::IngestRecord plain_message(const std::string& id, const std::string& source, const std::string& link,
                                         const std::string& kind, int64_t at_ms, boost::json::object body = {}) {
  store::IngestRecord r;
  r.id = id;
  r.source = source;
  r.link = link;
  r.kind = kind;
  r.classification = "internal";
  boost::json::object env{{"id", id}, {"source", source}, {"link", link}, {"kind", kind}, {"body", std::move(body)}};
  r.envelope_json = boost::json::serialize(env);
  r.body_hash = "hash-" + id;
  r.audit = {source, "message.accepted", source + "/" + id, "{}"};
  r.accepted_at_ms = at_ms;
  return r;
}

}  // namespace sixlink::cases::test
