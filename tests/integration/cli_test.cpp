// The command line of DESIGN §9, run as a real process: check-config and audit verify.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {


TEST(CliTest, CheckConfigAcceptsAGoodFile) {
  Federation fed;
  std::string path = fed.write_config(18443, 19464);
  ProcessRun r = run_gateway_cli("check-config " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok"), std::string::npos) << r.output;
}

TEST(CliTest, CheckConfigNamesTheLineAndKeyOfEveryError) {
  Federation fed;
  std::string path = fed.write_config(18443, 19464);
  std::string text;
  {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("listen: 127.0.0.1:18443"), 23, "listen: localhost:http");
  text.replace(text.find("  threads: 2"), 12, "  threads: 2\n  colour: blue");
  std::ofstream(path) << text;
  ProcessRun r = run_gateway_cli("check-config " + path);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(path + ":3: gateway.listen:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(path + ":6: gateway.colour:"), std::string::npos) << r.output;
}

TEST(CliTest, AuditVerifyWalksTheChainOfARealStore) {
  Federation fed;
  fed.start_gateway();
  auto c = fed.client("kunshan");
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("KS-" + std::to_string(i), "kunshan", {"taicang"})).status, 202);
  c.reset();
  fed.stop_gateway();
  ProcessRun ok = run_gateway_cli("audit verify --config " + fed.config_path);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("audit chain ok: 5 entries"), std::string::npos) << ok.output;
}

TEST(CliTest, UnknownCommandPrintsUsage) {
  ProcessRun r = run_gateway_cli("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("usage:"), std::string::npos);
}

}  // namespace
}  // namespace sixlink::testing
