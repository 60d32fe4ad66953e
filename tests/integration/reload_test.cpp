// Configuration reload (issue 4, point 5): POST /admin/reload and SIGHUP swap the
// configuration and the policy together, atomically, without dropping a connection or a
// message; a file with an error, or a change only a restart can make, is refused with the
// key named and the running set stays in force.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// `text` with its one occurrence of `from` replaced; fails the test when it is missing.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in:\n" << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class ReloadTest : public ::testing::Test {
 protected:
  void start(FederationOptions o = {}) {
    fed = std::make_unique<Federation>(o);
    fed->start_gateway();
  }
  std::string config() const { return read_text(fed->config_path); }
  std::string policy() const { return read_text(fed->dir.file("policy.yaml")); }
  void set_config(const std::string& text) const { write_text(fed->config_path, text); }
  void set_policy(const std::string& text) const { write_text(fed->dir.file("policy.yaml"), text); }
  HttpResult reload() const { return fed->admin("POST", "/admin/reload"); }
  // The first error of a refused reload: {file, line, key, message}.
  static json::object first_error(const HttpResult& r) {
    auto errors = json::parse(r.body).at("errors").as_array();
    return errors.empty() ? json::object{} : errors[0].as_object();
  }

  std::unique_ptr<Federation> fed;
};

TEST_F(ReloadTest, AddsAMemberThatCanThenSendAndReceiveAndRefusesItWithoutPolicyRules) {
  start();
  Identity wujiang = fed->pki.issue("wujiang", {"wujiang.sixlink.local", "localhost"}, {"127.0.0.1"});
  EXPECT_NE(fed->client_with(wujiang)->request("GET", "/v1/inbox").status, 200) << "not a member yet";

  const std::string member_block =
      "  - id: wujiang\n    name: 吴江区\n    region_code: \"320509\"\n    identity: wujiang.sixlink.local\n"
      "    adapter: sixlink\n    delivery: {mode: pull}\n";
  set_config(config() + member_block);
  HttpResult refused = reload();
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(first_error(refused).at("key").as_string(), "members") << refused.body;
  EXPECT_NE(refused.body.find("wujiang"), std::string::npos) << "the error names the member without rules";
  EXPECT_NE(fed->client_with(wujiang)->request("GET", "/v1/inbox").status, 200)
      << "a refused reload changes nothing: the configuration and policy go together";

  set_policy(replaced(policy(), "routing:\n",
                      "  wujiang: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\nrouting:\n"));
  HttpResult ok = reload();
  ASSERT_EQ(ok.status, 200) << ok.body;

  auto wj = fed->client_with(wujiang);
  HttpResult sent = wj->request("POST", "/v1/messages", alert_json("WJ-1", "wujiang", {"taicang"}));
  EXPECT_EQ(sent.status, 202) << sent.body;
  auto taicang = fed->client("taicang");
  EXPECT_EQ(taicang->request("POST", "/v1/messages", alert_json("TC-WJ-1", "taicang", {"wujiang"})).status, 202);
  HttpResult inbox = wj->request("GET", "/v1/inbox");
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  auto messages = json::parse(inbox.body).at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u) << inbox.body;
  EXPECT_EQ(messages[0].at("id").as_string(), "TC-WJ-1");
  EXPECT_EQ(fed->wait_metric(R"(sixlink_messages_received_total{kind="alert",link="info_sharing",member="wujiang"})", 1), 1)
      << "the new member has its metric handles";
}

TEST_F(ReloadTest, MovedPushEndpointReceivesTheQueueThatWaitedForTheOldOne) {
  start();
  fed->baoshan_rx->stop();  // Baoshan's old endpoint is gone
  auto jiading = fed->client("jiading");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(jiading->request("POST", "/v1/messages", alert_json("JD-MV-" + std::to_string(i), "jiading", {"baoshan"})).status, 202);
  ASSERT_TRUE(eventually([&] { return fed->metric(R"(sixlink_deliveries_total{member="baoshan",outcome="retried"})") >= 1; }));

  const Identity& baoshan = fed->members.at("baoshan");
  PartnerServer moved(baoshan.cert, baoshan.key, fed->pki.ca_cert());
  moved.start();
  set_config(replaced(config(), fed->baoshan_rx->endpoint("/sixlink/inbox"), moved.endpoint("/v2/inbox")));
  HttpResult r = reload();
  ASSERT_EQ(r.status, 200) << r.body;

  ASSERT_TRUE(moved.wait_for_received(3, 10s)) << "the queue follows the member to its new endpoint";
  std::set<std::string> ids;
  for (const auto& d : moved.received()) ids.insert(d.message_id);
  EXPECT_EQ(ids, (std::set<std::string>{"JD-MV-0", "JD-MV-1", "JD-MV-2"}));
  EXPECT_TRUE(eventually([&] { return fed->metric(R"(sixlink_queue_depth{member="baoshan"})") == 0; }));
  EXPECT_EQ(jiading->connections_made(), 1);
}

// max_in_flight is applied on reload: one delivery at a time before, three at once after.
TEST_F(ReloadTest, MaxInFlightChangeAppliesToTheNextDeliveries) {
  FederationOptions o;
  o.max_in_flight = 1;
  start(o);
  fed->baoshan_rx->set_delay(200ms);
  auto kunshan = fed->client("kunshan");
  auto send_batch = [&](const std::string& prefix) {
    for (int i = 0; i < 9; ++i)
      ASSERT_EQ(kunshan->request("POST", "/v1/messages", alert_json(prefix + std::to_string(i), "kunshan", {"baoshan"})).status, 202);
  };
  send_batch("KS-IF1-");
  ASSERT_TRUE(fed->baoshan_rx->wait_for_unique(9, 20s));
  EXPECT_EQ(fed->baoshan_rx->max_in_flight(), 1u);

  set_config(replaced(config(), "max_in_flight: 1", "max_in_flight: 3"));
  HttpResult r = reload();
  ASSERT_EQ(r.status, 200) << r.body;
  fed->baoshan_rx->clear();
  send_batch("KS-IF2-");
  ASSERT_TRUE(fed->baoshan_rx->wait_for_unique(9, 20s));
  EXPECT_GE(fed->baoshan_rx->max_in_flight(), 2u);
  EXPECT_LE(fed->baoshan_rx->max_in_flight(), 3u);
}

TEST_F(ReloadTest, RemovedMemberIsRefusedOnItsKeptConnectionAndAtTheHandshake) {
  start();
  auto kept = fed->client("kunshan");
  ASSERT_EQ(kept->request("POST", "/v1/messages", alert_json("KS-RM-1", "kunshan", {"taicang"})).status, 202);

  std::string c = config();
  set_config(c.substr(0, c.find("  - id: kunshan\n")));
  set_policy(replaced(policy(), "  kunshan: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n", ""));
  HttpResult r = reload();
  ASSERT_EQ(r.status, 200) << r.body;

  HttpResult after = kept->request("POST", "/v1/messages", alert_json("KS-RM-2", "kunshan", {"taicang"}));
  EXPECT_EQ(after.status, 403) << after.body;
  EXPECT_NE(after.body.find("member_not_configured"), std::string::npos) << after.body;
  const double before = fed->metric(R"(sixlink_tls_handshake_failures_total{reason="unknown_member"})");
  HttpResult fresh = fed->client("kunshan")->request("GET", "/v1/inbox");
  EXPECT_EQ(fresh.status, 0) << "a new connection is refused at the handshake: " << fresh.body;
  EXPECT_GE(fed->wait_metric(R"(sixlink_tls_handshake_failures_total{reason="unknown_member"})", before + 1), before + 1);
  HttpResult to_gone = fed->client("taicang")->request("POST", "/v1/messages", alert_json("TC-RM", "taicang", {"kunshan"}));
  EXPECT_EQ(to_gone.status, 400) << "nobody may send to a member that is gone: " << to_gone.body;
  EXPECT_NE(to_gone.body.find("\"field\":\"recipients[0]\""), std::string::npos) << to_gone.body;
}

// docs/partners.md: once a certificate is revoked and the CRL reloaded, the hub refuses
// it from then on, on connections opened before the reload as well as at new handshakes.
TEST_F(ReloadTest, RevokedCertificateIsRefusedOnItsKeptConnectionAfterTheCrlReload) {
  FederationOptions o;
  o.with_crl = true;
  start(o);
  auto kept = fed->client("kunshan");
  auto other = fed->client("taicang");
  ASSERT_EQ(kept->request("POST", "/v1/messages", alert_json("KS-RV-1", "kunshan", {"taicang"})).status, 202);
  ASSERT_EQ(other->request("GET", "/v1/inbox").status, 200);

  ASSERT_EQ(fed->pki.write_crl({fed->members["kunshan"].cert}), fed->crl_path);
  HttpResult r = reload();
  ASSERT_EQ(r.status, 200) << r.body;

  HttpResult after = kept->request("POST", "/v1/messages", alert_json("KS-RV-2", "kunshan", {"taicang"}));
  EXPECT_EQ(after.status, 403) << after.body;
  EXPECT_NE(after.body.find("\"certificate_revoked\""), std::string::npos) << after.body;
  EXPECT_EQ(other->request("GET", "/v1/inbox").status, 200) << "another member's kept connection still works";
  EXPECT_EQ(other->request("GET", "/v1/messages/KS-RV-2").status, 404);
  const double before = fed->metric(R"(sixlink_tls_handshake_failures_total{reason="revoked"})");
  EXPECT_EQ(fed->client("kunshan")->request("GET", "/v1/inbox").status, 0) << "and a new connection fails";
  EXPECT_GE(fed->wait_metric(R"(sixlink_tls_handshake_failures_total{reason="revoked"})", before + 1), before + 1);
  HttpResult page = other->request("GET", "/v1/inbox");
  EXPECT_NE(page.body.find("KS-RV-1"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("KS-RV-2"), std::string::npos) << "nothing of the refused request was stored";
}

TEST_F(ReloadTest, RestartOnlyChangeIsRefusedNamingTheKeyWhileLimitsApplyToNewConnections) {
  start();
  const std::string original = config();
  const std::string body = alert_json("TC-LIM-1", "taicang", {"kunshan"});
  ASSERT_LT(body.size(), 4000u);

  // A restart-only change refuses the whole file: the lower body limit beside it is not applied.
  set_config(replaced(replaced(original, "threads: 2", "threads: 3"), "max_body_bytes: 65536", "max_body_bytes: 256"));
  HttpResult refused = reload();
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(first_error(refused).at("key").as_string(), "gateway.threads") << refused.body;
  EXPECT_NE(first_error(refused).at("message").as_string().find("restart"), std::string::npos) << refused.body;
  auto kept = fed->client("taicang");
  EXPECT_EQ(kept->request("POST", "/v1/messages", body).status, 202) << "the old limit stays in force";

  set_config(replaced(original, "max_body_bytes: 65536", "max_body_bytes: 256"));
  HttpResult ok = reload();
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(fed->client("taicang")->request("POST", "/v1/messages", alert_json("TC-LIM-2", "taicang", {"kunshan"})).status, 413)
      << "a new connection gets the new limit";
  EXPECT_EQ(kept->request("POST", "/v1/messages", alert_json("TC-LIM-3", "taicang", {"kunshan"})).status, 202)
      << "a connection keeps the limits it was accepted with";

  set_config(replaced(original, "listen: 127.0.0.1:0", "listen: 127.0.0.1:1"));
  HttpResult moved = reload();
  ASSERT_EQ(moved.status, 400) << moved.body;
  EXPECT_EQ(first_error(moved).at("key").as_string(), "gateway.listen") << moved.body;
}

TEST_F(ReloadTest, ConfigurationReloadLoopUnderLoadFailsNoRequestAndLosesNoDelivery) {
  start();
  const std::string original = config();
  // Two versions that differ in Baoshan's delivery settings and the connection cap.
  const std::string version_b =
      replaced(replaced(original, "timeout_ms: 2000, max_attempts", "timeout_ms: 3000, max_attempts"),
               "max_connections: 1000", "max_connections: 900");
  std::atomic<bool> stop{false};
  std::atomic<int> failed{0};
  std::vector<int> sent(2, 0), connections(2, 0);
  std::vector<std::string> failures(2);
  const std::vector<std::string> senders = {"kunshan", "jiading"};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < senders.size(); ++t)
    threads.emplace_back([&, t] {
      auto c = fed->client(senders[t]);
      for (int i = 0; !stop.load(); ++i) {
        std::string id = senders[t] + "-LOOP-" + std::to_string(i);
        HttpResult r = c->request("POST", "/v1/messages", alert_json(id, senders[t], {"baoshan"}));
        if (r.status == 202) ++sent[t];
        else if (++failed == 1 || failures[t].empty()) failures[t] = std::to_string(r.status) + " " + r.error + " " + r.body;
      }
      connections[t] = c->connections_made();
    });
  std::string reload_failure;
  const int reloads = fed->reload_loop(2s, [&](int n) { set_config(n % 2 ? original : version_b); }, &reload_failure);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(reload_failure, "");
  RecordProperty("reloads", reloads);
  EXPECT_EQ(failed.load(), 0) << failures[0] << " | " << failures[1];
  EXPECT_EQ(connections, (std::vector<int>{1, 1})) << "a reload never drops a connection";
  const std::size_t total = static_cast<std::size_t>(sent[0] + sent[1]);
  EXPECT_GE(total, 20u) << "the load kept flowing";
  EXPECT_TRUE(eventually([&] { return fed->baoshan_rx->unique() >= total; }, 30s))
      << "every accepted message reaches Baoshan across the worker's reconfigurations: "
      << fed->baoshan_rx->unique() << " of " << total;
  EXPECT_EQ(fed->baoshan_rx->unique(), total);
}

}  // namespace
}  // namespace sixlink::testing
