// Policies end to end (DESIGN §7, §8; issue 4) through the running gateway over mutual TLS
// with a real SQLite store: redaction per recipient and its audit entry, rate and size
// limits, routing by the shipped rules, hot reload under load and by SIGHUP, and an audit
// chain that names the row an attacker altered.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A connection of our own to the store file, as an auditor (or an attacker) would open it.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  // Empty on success, else SQLite's message.
  std::string exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return "";
    std::string out = msg ? msg : "error";
    sqlite3_free(msg);
    return out;
  }
  // Every row of a query, each column as text.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* t = sqlite3_column_text(s, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    return out;
  }
  int changes() { return sqlite3_changes(db_); }

 private:
  sqlite3* db_ = nullptr;
};


std::string open_policy(const std::string& extra_kunshan = "", const std::string& tail = "") {
  return "version: 1\nmembers:\n"
         "  taicang: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "  baoshan: {send: [\"*\"], receive: [\"*\"], clearance: internal}\n"
         "  jiading: {send: [\"*\"], receive: [\"*\"], clearance: internal}\n"
         "  kunshan: {receive: [\"*\"]" + extra_kunshan + "}\n"
         "routing:\n  - {name: everyone, to: all}\n" + tail;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string error_of(const HttpResult& r, const char* member) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  auto* m = v.at("error").as_object().if_contains(member);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

class PolicyE2ETest : public ::testing::Test {
 protected:
  void start(std::string policy_yaml) {
    FederationOptions o;
    o.policy_yaml = std::move(policy_yaml);
    fed = std::make_unique<Federation>(o);
    fed->start_gateway();
  }
  std::string db_path() const { return fed->dir.file("data/sixlink.db"); }
  // The status of GET /v1/messages/<id> as the sender sees it (404: nothing stored).
  int stored_status(const std::string& sender, const std::string& id) {
    return fed->client(sender)->request("GET", "/v1/messages/" + id).status;
  }
  // The envelope of message `id` in a pull member's inbox, as that member receives it.
  json::value inbox_envelope(const std::string& member, const std::string& id) {
    HttpResult r = fed->client(member)->request("GET", "/v1/inbox");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return nullptr;
    json::value page = json::parse(r.body);
    for (auto& m : page.at("messages").as_array())
      if (m.at("id").as_string() == id) return json::parse(m.at("body").as_string());
    return nullptr;
  }
  std::unique_ptr<Federation> fed;
};

TEST_F(PolicyE2ETest, RedactionPerRecipientIsDeliveredAuditedAndNeverStoredOverTheOriginal) {
  start(open_policy(", send: [\"*\"]",
                    "redaction:\n  - name: personal-data\n    fields: [\"parties[].id_number\", \"parties[].phone\"]\n"));
  HttpResult r = fed->client("kunshan")->request("POST", "/v1/messages",
                                                 case_json("KS-R1", "kunshan", "kunshan:2026-11", {"baoshan", "taicang"}));
  ASSERT_EQ(r.status, 202) << r.body;

  ASSERT_TRUE(fed->baoshan_rx->wait_for_unique(1, 10s));
  json::value pushed = json::parse(fed->baoshan_rx->received().at(0).body);
  const auto& bs_party = pushed.at("body").at("parties").at(0);
  EXPECT_EQ(bs_party.at("id_number").as_string(), "310*************34");
  EXPECT_EQ(bs_party.at("phone").as_string(), "138******00");
  EXPECT_EQ(bs_party.at("name").as_string(), "张三");

  json::value pulled = inbox_envelope("taicang", "KS-R1");
  ASSERT_TRUE(pulled.is_object()) << "KS-R1 not in taicang's inbox";
  EXPECT_EQ(pulled.at("body").at("parties").at(0).at("id_number").as_string(), "310113199001011234");
  EXPECT_EQ(pulled.at("body").at("parties").at(0).at("phone").as_string(), "13800000000");

  RawDb db(db_path());
  auto audit = db.rows("SELECT actor, subject, detail FROM audit WHERE action = 'message.redacted'");
  ASSERT_EQ(audit.size(), 1u) << "one entry, for baoshan only";
  EXPECT_EQ(audit[0][1], "kunshan/KS-R1");
  json::value detail = json::parse(audit[0][2]);
  EXPECT_EQ(detail.at("recipient").as_string(), "baoshan");
  EXPECT_EQ(detail.at("rule").as_string(), "personal-data");
  EXPECT_EQ(detail.at("fields").as_array(), (json::array{"body.parties[0].id_number", "body.parties[0].phone"}));
  EXPECT_EQ(audit[0][2].find("310113199001011234"), std::string::npos) << "the audit names fields, not values";

  auto stored = db.rows("SELECT envelope FROM messages WHERE source = 'kunshan' AND id = 'KS-R1'");
  ASSERT_EQ(stored.size(), 1u);
  json::value original = json::parse(stored[0][0]);
  const auto& party = original.at("body").at("parties").at(0);
  EXPECT_EQ(party.at("id_number").as_string(), "310113199001011234");
  EXPECT_EQ(party.at("phone").as_string(), "13800000000");
  auto own = db.rows("SELECT d.member, COALESCE(d.envelope, '') FROM deliveries d JOIN messages m "
                     "ON d.message_rowid = m.rowid WHERE m.id = 'KS-R1' ORDER BY d.member");
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0][0], "baoshan");
  EXPECT_NE(own[0][1].find("310*************34"), std::string::npos) << "baoshan's delivery keeps its own form";
  EXPECT_EQ(own[1][0], "taicang");
  EXPECT_EQ(own[1][1].find("310*************34"), std::string::npos);

  HttpResult verify = fed->admin("GET", "/admin/audit/verify");
  EXPECT_EQ(verify.status, 200) << verify.body;
  EXPECT_TRUE(json::parse(verify.body).at("ok").as_bool());
}

TEST_F(PolicyE2ETest, RateLimitAnswers429WithRetryAfterAndStoresNothing) {
  start(open_policy(", send: [\"*\"], rate: {per_second: 1, burst: 3}"));
  auto c = fed->client("kunshan");
  for (int i = 1; i <= 3; ++i)
    ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("KS-L" + std::to_string(i), "kunshan", {"taicang"})).status,
              202) << i;
  HttpResult r = c->request("POST", "/v1/messages", alert_json("KS-L4", "kunshan", {"taicang"}));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_GE(std::atoi(r.header("Retry-After").c_str()), 1) << "Retry-After: '" << r.header("Retry-After") << "'";
  EXPECT_EQ(error_of(r, "code"), "rate_limited");
  EXPECT_EQ(error_of(r, "rule"), "members.kunshan.rate");
  EXPECT_EQ(fed->wait_metric(R"(sixlink_policy_denials_total{member="kunshan",rule="rate_limit"})", 1), 1);
  EXPECT_EQ(fed->wait_metric(R"(sixlink_messages_rejected_total{member="kunshan",reason="rate_limited"})", 1), 1);
  EXPECT_EQ(stored_status("kunshan", "KS-L4"), 404);
  EXPECT_EQ(stored_status("kunshan", "KS-L3"), 200);
  EXPECT_EQ(fed->client("baoshan")->request("POST", "/v1/messages", alert_json("BS-L1", "baoshan", {"taicang"})).status,
            202) << "other members keep their own budget";
}

TEST_F(PolicyE2ETest, PerKindSizeLimitAnswers413NamingTheRuleAndStoresNothing) {
  start(open_policy(", send: [\"*\"]", "limits:\n  max_body_bytes: {alert: 400}\n"));
  auto c = fed->client("kunshan");
  std::string big = alert_json("KS-S1", "kunshan", {"taicang"});
  ASSERT_GT(big.size(), 400u);
  HttpResult r = c->request("POST", "/v1/messages", big);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(error_of(r, "code"), "too_large");
  EXPECT_EQ(error_of(r, "rule"), "limits.max_body_bytes.alert");
  EXPECT_EQ(stored_status("kunshan", "KS-S1"), 404);
  EXPECT_EQ(fed->wait_metric(R"(sixlink_policy_denials_total{member="kunshan",rule="size_limit"})", 1), 1);
  EXPECT_EQ(c->request("POST", "/v1/messages", case_json("KS-S2", "kunshan", "kunshan:c-2", {"taicang"})).status, 202)
      << "other kinds are not limited";
}

TEST_F(PolicyE2ETest, ShippedRoutingSendsAnExtremeAlertToEveryPartner) {
  start(read_file(std::string(SIXLINK_SOURCE_DIR) + "/policies/six-link.yaml"));
  HttpResult r = fed->client("kunshan")->request("POST", "/v1/messages", alert_json("KS-X1", "kunshan", {}, "Extreme"));
  ASSERT_EQ(r.status, 202) << r.body;
  std::vector<std::string> to;
  json::value accepted = json::parse(r.body);
  for (auto& d : accepted.at("deliveries").as_array()) to.emplace_back(d.at("to").as_string());
  EXPECT_EQ(to, (std::vector<std::string>{"taicang", "baoshan", "jiading"}));
  ASSERT_TRUE(fed->baoshan_rx->wait_for_unique(1, 10s));
  ASSERT_TRUE(fed->jiading_rx->wait_for_unique(1, 10s));
  EXPECT_EQ(fed->baoshan_rx->received().at(0).message_id, "KS-X1");
  EXPECT_EQ(fed->jiading_rx->received().at(0).message_id, "KS-X1");
  EXPECT_TRUE(inbox_envelope("taicang", "KS-X1").is_object()) << "taicang's inbox holds it";
  // A Minor one from the same member reaches only the hub (kunshan's own region aside).
  HttpResult minor = fed->client("kunshan")->request("POST", "/v1/messages", alert_json("KS-X2", "kunshan", {}, "Minor"));
  ASSERT_EQ(minor.status, 202) << minor.body;
  json::value minor_body = json::parse(minor.body);
  auto& d = minor_body.at("deliveries").as_array();
  ASSERT_EQ(d.size(), 1u) << minor.body;
  EXPECT_EQ(d[0].at("to").as_string(), "taicang");
}

TEST_F(PolicyE2ETest, ReloadUnderLoadFailsNoRequestAndRefusesABrokenPolicy) {
  // Both versions let the load through and forbid kunshan joint_patrol; the broken one
  // would allow it, so a refused reload shows in what kunshan may send.
  const std::string version_a = open_policy(", send: [info_sharing, joint_mediation]");
  const std::string version_b = open_policy(", send: [info_sharing, joint_mediation], rate: {per_second: 100000}",
                                            "  - {name: hub, when: {link: info_sharing}, to: [taicang]}\n");
  start(version_a);
  const std::vector<std::pair<std::string, std::string>> senders = {
      {"kunshan", "taicang"}, {"baoshan", "kunshan"}, {"jiading", "taicang"}, {"taicang", "kunshan"}};
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0}, failed{0};
  std::vector<std::string> failures(senders.size());
  std::vector<int> connections(senders.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < senders.size(); ++t)
    threads.emplace_back([&, t] {
      auto [member, to] = senders[t];
      auto c = fed->client(member);
      for (int i = 0; !stop.load(); ++i) {
        HttpResult r = c->request("POST", "/v1/messages", alert_json(member + "-" + std::to_string(i), member, {to}));
        ++sent;
        if (r.status != 202) {
          ++failed;
          if (failures[t].empty()) failures[t] = std::to_string(r.status) + " " + r.error + " " + r.body;
        }
      }
      connections[t] = c->connections_made();
    });
  std::string reload_failure;
  const int reloads = fed->reload_loop(
      2s, [&](int n) { std::ofstream(fed->dir.file("policy.yaml")) << (n % 2 ? version_a : version_b); }, &reload_failure);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(reload_failure, "");
  RecordProperty("reloads", reloads);
  EXPECT_GE(sent.load(), 40) << "the load kept flowing";
  EXPECT_EQ(failed.load(), 0);
  for (std::size_t t = 0; t < senders.size(); ++t) {
    EXPECT_EQ(failures[t], "") << senders[t].first;
    EXPECT_EQ(connections[t], 1) << senders[t].first << ": a reload never drops a connection";
  }

  auto kunshan = fed->client("kunshan");
  std::string patrol = R"({"id":"KS-P1","source":"kunshan","link":"joint_patrol","kind":"patrol.position",)"
                       R"("created_at":"2026-11-26T22:15:00+08:00","recipients":["taicang"],)"
                       R"("body":{"border_line":"west_line","position":{"lat":31.38,"lon":121.1}}})";
  EXPECT_EQ(kunshan->request("POST", "/v1/messages", patrol).status, 403);
  std::string broken = open_policy(", send: [\"*\"], clearance: secret");
  std::ofstream(fed->dir.file("policy.yaml")) << broken;
  HttpResult bad = fed->admin("POST", "/admin/reload");
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto errors = json::parse(bad.body).at("errors").as_array();
  ASSERT_FALSE(errors.empty()) << bad.body;
  EXPECT_TRUE(std::string(errors[0].at("file").as_string()).ends_with("/policy.yaml")) << bad.body;
  EXPECT_EQ(errors[0].at("line").as_int64(), 6) << bad.body;
  EXPECT_EQ(errors[0].at("key").as_string(), "members.kunshan.clearance") << bad.body;
  EXPECT_EQ(kunshan->request("POST", "/v1/messages", patrol).status, 403) << "the old policy stays in force";
  EXPECT_EQ(kunshan->request("POST", "/v1/messages", alert_json("KS-after", "kunshan", {"taicang"})).status, 202);
}

TEST_F(PolicyE2ETest, SighupSwapsThePolicyOfTheRunningProcessKeepingConnections) {
  FederationOptions o;
  o.policy_yaml = open_policy(", send: [\"*\"]");
  fed = std::make_unique<Federation>(o);
  fed->spawn_gateway();
  auto kept = fed->client("kunshan");
  ASSERT_EQ(kept->request("POST", "/v1/messages", case_json("KS-H1", "kunshan", "kunshan:h-1", {"taicang"})).status, 202);
  ASSERT_EQ(kept->request("POST", "/v1/messages", alert_json("KS-H2", "kunshan", {"taicang"})).status, 202);

  std::ofstream(fed->dir.file("policy.yaml")) << open_policy(", send: [joint_mediation, joint_patrol]");
  fed->kill_gateway(SIGHUP);
  auto probe = fed->client("kunshan");
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (int i = 0; status != 403 && std::chrono::steady_clock::now() < deadline; ++i) {
    HttpResult r = probe->request("POST", "/v1/messages", alert_json("KS-HP" + std::to_string(i), "kunshan", {"taicang"}));
    status = r.status;
    if (status != 403) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(status, 403) << "kunshan may no longer send info_sharing after SIGHUP";
  EXPECT_EQ(fed->admin("GET", "/healthz").status, 200) << "the process survived the signal";
  EXPECT_EQ(kept->request("POST", "/v1/messages", case_json("KS-H3", "kunshan", "kunshan:h-3", {"taicang"})).status, 202);
  EXPECT_EQ(kept->request("POST", "/v1/messages", alert_json("KS-H4", "kunshan", {"taicang"})).status, 403);
  EXPECT_EQ(kept->connections_made(), 1) << "the connection opened before the reload still serves";
}

TEST_F(PolicyE2ETest, AlteredAuditRowIsNamedByTheCliAndTheAdminApi) {
  start(open_policy(", send: [\"*\"]"));
  {
    auto c = fed->client("kunshan");
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("KS-T" + std::to_string(i), "kunshan", {"taicang"})).status,
                202);
  }
  ASSERT_EQ(fed->admin("GET", "/admin/audit/verify").status, 200);
  fed->stop_gateway();

  std::string seq;
  {
    RawDb db(db_path());
    auto rows = db.rows("SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET 2");
    ASSERT_EQ(rows.size(), 1u);
    seq = rows[0][0];
    EXPECT_NE(db.exec("UPDATE audit SET detail = '{}' WHERE seq = " + seq).find("append-only"), std::string::npos)
        << "the triggers refuse an honest update";
    ASSERT_EQ(db.exec("DROP TRIGGER audit_no_update"), "");
    ASSERT_EQ(db.exec("UPDATE audit SET detail = replace(detail, 'taicang', 'baoshan') WHERE seq = " + seq), "");
    ASSERT_EQ(db.changes(), 1);
  }

  ProcessRun cli = run_gateway_cli("audit verify --config " + fed->config_path);
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("BROKEN at entry " + seq + ":"), std::string::npos) << cli.output;

  fed->start_gateway();
  HttpResult r = fed->admin("GET", "/admin/audit/verify");
  EXPECT_EQ(r.status, 409) << r.body;
  json::value v = json::parse(r.body);
  EXPECT_FALSE(v.at("ok").as_bool());
  EXPECT_EQ(v.at("first_broken_seq").as_int64(), std::stoll(seq)) << r.body;
}

}  // namespace
}  // namespace sixlink::testing
