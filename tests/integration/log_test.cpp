// Logs (issue 6, point 5): the real process writes one JSON line per request on both
// listeners and per delivery attempt, and no line ever holds personal data from a body
// or key material.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::vector<json::object> read_log(const std::string& path, std::vector<std::string>* raw) {
  std::vector<json::object> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    raw->push_back(line);
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    EXPECT_FALSE(ec) << "not a JSON line: " << line;
    if (!ec && v.is_object()) lines.push_back(v.as_object());
  }
  return lines;
}

std::string field(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

TEST(LogTest, AccessAndDeliveryLinesCarryTheirFieldsAndNeverPersonalData) {
  FederationOptions o;
  o.log_level = "info";
  Federation fed(o);
  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  auto kunshan = fed.client("kunshan");
  // case_json carries a party with an id_number and a phone (personal data, DESIGN §3).
  ASSERT_EQ(kunshan->request("POST", "/v1/messages", case_json("KS-LOG-1", "kunshan", "kunshan:log-1", {"baoshan", "taicang"})).status, 202);
  ASSERT_EQ(kunshan->request("POST", "/v1/messages", R"({"id":"KS-LOG-2","source":"kunshan","parties":"310113199001011234"})").status, 400);
  // Bytes that are not UTF-8, percent-encoded in the path: the answer quotes the path and
  // the access line logs it, and both must stay valid JSON (read_log parses each line).
  HttpResult odd = kunshan->request("GET", "/v1/cases/%ff%c0%af");
  EXPECT_EQ(odd.status, 404);
  boost::system::error_code ec;
  json::parse(odd.body, ec);
  EXPECT_FALSE(ec) << "the error body is valid UTF-8 JSON: " << odd.body;
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(1, 10s));
  ASSERT_EQ(fed.admin("GET", "/metrics").status, 200);
  fed.kill_gateway(SIGTERM);
  ASSERT_EQ(fed.wait_gateway_exit(), 0);

  std::vector<std::string> raw;
  auto lines = read_log(fed.dir.file("gateway.log"), &raw);
  ASSERT_FALSE(lines.empty());
  for (const auto& l : lines) {
    EXPECT_FALSE(field(l, "ts").empty());
    EXPECT_FALSE(field(l, "level").empty());
    EXPECT_FALSE(field(l, "event").empty());
  }
  for (const auto& line : raw)
    for (const char* secret : {"310113199001011234", "13800000000", "张三", "PRIVATE KEY"})
      EXPECT_EQ(line.find(secret), std::string::npos) << "a log line holds \"" << secret << "\": " << line;

  bool accepted = false, refused = false, admin = false, delivery = false;
  for (const auto& l : lines) {
    const std::string event = field(l, "event");
    if (event == "access" && field(l, "listener") == "partner" && field(l, "path") == "/v1/messages") {
      EXPECT_EQ(field(l, "member"), "kunshan");
      EXPECT_EQ(field(l, "method"), "POST");
      for (const char* k : {"bytes_in", "bytes_out", "duration_us"}) EXPECT_FALSE(field(l, k).empty()) << k;
      if (field(l, "status") == "202") accepted = field(l, "message") == "kunshan/KS-LOG-1";
      if (field(l, "status") == "400") refused = true;
    }
    if (event == "access" && field(l, "listener") == "admin" && field(l, "path") == "/metrics")
      admin = field(l, "status") == "200";
    if (event == "delivery" && field(l, "member") == "baoshan")
      delivery = field(l, "message") == "kunshan/KS-LOG-1" && field(l, "attempt") == "1" && field(l, "status") == "200";
  }
  EXPECT_TRUE(accepted) << "an access line names the accepted message";
  EXPECT_TRUE(refused) << "a refused request has its access line too";
  EXPECT_TRUE(admin) << "admin requests are logged";
  EXPECT_TRUE(delivery) << "each delivery attempt has its line";
}

}  // namespace
}  // namespace sixlink::testing
