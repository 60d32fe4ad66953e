// Tests of the configuration loader (gateway/config): real YAML files and real PEM
// files (made with the openssl CLI once per suite) in a temporary folder. Each error
// case edits one numbered line of a known-good file and checks the exact line and key.
#include "gateway/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/config/address.h"

namespace sixlink {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

// The known-good file. Line numbers are part of the tests: edit with care.
const Lines kGood = {
    /* 1 */ "gateway:",
    /* 2 */ "  id: taicang",
    /* 3 */ "  listen: 0.0.0.0:8443",
    /* 4 */ "  admin_listen: \"[::1]:9465\"",
    /* 5 */ "  threads: 4",
    /* 6 */ "  data_dir: data",
    /* 7 */ "  durability: normal",
    /* 8 */ "  tls:",
    /* 9 */ "    cert: certs/gw.crt",
    /* 10 */ "    key: certs/gw.key",
    /* 11 */ "    ca: certs/ca.crt",
    /* 12 */ "    crl: certs/crl.pem",
    /* 13 */ "  limits:",
    /* 14 */ "    max_body_bytes: 2048",
    /* 15 */ "    max_header_bytes: 8192",
    /* 16 */ "    header_timeout_ms: 3000",
    /* 17 */ "    idle_timeout_ms: 30000",
    /* 18 */ "    max_connections: 50",
    /* 19 */ "store:",
    /* 20 */ "  engine: sqlite",
    /* 21 */ "policies: policies/six-link.yaml",
    /* 22 */ "members:",
    /* 23 */ "  - id: kunshan",
    /* 24 */ "    name: 昆山市",
    /* 25 */ "    region_code: \"320583\"",
    /* 26 */ "    identity: kunshan.sixlink.local",
    /* 27 */ "    adapter: sixlink",  // the one adapter every build registers
    /* 28 */ "    delivery:",
    /* 29 */ "      mode: push",
    /* 30 */ "      endpoint: https://kunshan.example:9443/inbox",
    /* 31 */ "      ca: certs/ca.crt",
    /* 32 */ "      timeout_ms: 2500",
    /* 33 */ "      max_attempts: 7",
    /* 34 */ "      backoff_base_ms: 500",
    /* 35 */ "      backoff_max_ms: 60000",
    /* 36 */ "      breaker_failures: 3",
    /* 37 */ "      breaker_open_ms: 10000",
    /* 38 */ "  - id: jiading",
    /* 39 */ "    name: 嘉定区",
    /* 40 */ "    region_code: 310114",
    /* 41 */ "    identity: jiading.sixlink.local",
    /* 42 */ "    adapter: sixlink",
    /* 43 */ "    delivery: { mode: pull }",
};

// kGood with 1-based lines replaced; "#" keeps the numbering when a line is dropped.
Lines edit(const std::map<int, std::string>& changes) {
  Lines lines = kGood;
  for (const auto& [line, text] : changes) lines.at(line - 1) = text;
  return lines;
}

std::string dump(const ConfigLoadResult& r) {
  std::ostringstream os;
  for (const ConfigError& e : r.errors) os << "  " << e << '\n';
  return os.str();
}

// Success when one error has exactly this line and key and a message containing `part`.
::testing::AssertionResult HasError(const ConfigLoadResult& r, int line, const std::string& key,
                                    const std::string& part) {
  for (const ConfigError& e : r.errors)
    if (e.line == line && e.key == key && e.message.find(part) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no error at line " << line << " key \"" << key
                                       << "\" containing \"" << part << "\"; got:\n"
                                       << dump(r);
}

class ConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "sixlink-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    fs::create_directories(*dir_ / "certs");
    fs::create_directories(*dir_ / "policies");
    fs::create_directories(*dir_ / "data");
    make_pki();
    std::ofstream(*dir_ / "policies" / "six-link.yaml") << "rules: []\n";
    std::ofstream(*dir_ / "certs" / "garbage.pem") << "this is not PEM\n";
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
    dir_ = nullptr;
  }

  static void run(const std::string& command) {
    const std::string full =
        "cd '" + (*dir_ / "certs").string() + "' && " + command + " >/dev/null 2>&1 </dev/null";
    ASSERT_EQ(std::system(full.c_str()), 0) << full;
  }

  static void make_pki() {
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2";
    run("openssl req -x509 " + ec + " -keyout ca.key -out ca.crt -subj /CN=test-ca");
    run("openssl req -x509 " + ec + " -keyout gw.key -out gw.crt -subj /CN=taicang");
    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key");
    std::ofstream(*dir_ / "certs" / "index.txt").flush();
    std::ofstream(*dir_ / "certs" / "ca.cnf")
        << "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ndefault_md = sha256\n"
           "default_crl_days = 2\n";
    run("openssl ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.crt -out crl.pem");
  }

  static fs::path dir() { return *dir_; }
  static std::string abs(const std::string& relative) { return (*dir_ / relative).string(); }

  // Writes the lines to a file named after the running test; returns its path.
  static std::string write(const Lines& lines, const std::string& suffix = "") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path path = *dir_ / (std::string(info->name()) + suffix + ".yaml");
    std::ofstream out(path);
    for (const std::string& line : lines) out << line << '\n';
    return path.string();
  }

  static ConfigLoadResult load(const Lines& lines) { return load_config(write(lines)); }

  static ConfigLoadResult load_edit(const std::map<int, std::string>& changes) {
    return load(edit(changes));
  }

  // A single error at exactly this line and key, containing `part`.
  static void expect_only(const ConfigLoadResult& r, int line, const std::string& key,
                          const std::string& part) {
    EXPECT_FALSE(r.config.has_value());
    EXPECT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_TRUE(HasError(r, line, key, part));
  }

 private:
  static fs::path* dir_;
};

fs::path* ConfigTest::dir_ = nullptr;

// ============================== good files ==============================

TEST_F(ConfigTest, GoodFileLoadsEveryValueWithAbsolutePaths) {
  const std::string path = write(kGood);
  const ConfigLoadResult r = load_config(path);
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  ASSERT_TRUE(r.config.has_value());
  const GatewayConfig& c = *r.config;
  EXPECT_EQ(c.id, "taicang");
  EXPECT_EQ(c.listen.host, "0.0.0.0");
  EXPECT_EQ(c.listen.port, 8443);
  EXPECT_EQ(c.admin_listen.host, "::1");
  EXPECT_EQ(c.admin_listen.port, 9465);
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.data_dir, abs("data"));
  EXPECT_EQ(c.durability, Durability::normal);
  EXPECT_EQ(c.tls.cert, abs("certs/gw.crt"));
  EXPECT_EQ(c.tls.key, abs("certs/gw.key"));
  EXPECT_EQ(c.tls.ca, abs("certs/ca.crt"));
  EXPECT_EQ(c.tls.crl, abs("certs/crl.pem"));
  EXPECT_EQ(c.limits.max_body_bytes, 2048u);
  EXPECT_EQ(c.limits.max_header_bytes, 8192u);
  EXPECT_EQ(c.limits.header_timeout_ms, 3000);
  EXPECT_EQ(c.limits.idle_timeout_ms, 30000);
  EXPECT_EQ(c.limits.max_connections, 50);
  EXPECT_EQ(c.store.engine, "sqlite");
  EXPECT_EQ(c.policies, abs("policies/six-link.yaml"));
  EXPECT_EQ(c.source_file, path);
  ASSERT_EQ(c.members.size(), 2u);
}

TEST_F(ConfigTest, GoodFileLoadsMembersAndDelivery) {
  const ConfigLoadResult r = load(kGood);
  ASSERT_TRUE(r.config.has_value()) << dump(r);
  const MemberConfig& k = r.config->members.at(0);
  EXPECT_EQ(k.id, "kunshan");
  EXPECT_EQ(k.name, "昆山市");
  EXPECT_EQ(k.region_code, "320583");
  EXPECT_EQ(k.identity, "kunshan.sixlink.local");
  EXPECT_EQ(k.adapter, "sixlink");
  EXPECT_EQ(k.delivery.mode, DeliveryMode::push);
  EXPECT_EQ(k.delivery.endpoint, "https://kunshan.example:9443/inbox");
  EXPECT_EQ(k.delivery.ca, abs("certs/ca.crt"));
  EXPECT_EQ(k.delivery.timeout_ms, 2500);
  EXPECT_EQ(k.delivery.max_attempts, 7);
  EXPECT_EQ(k.delivery.backoff_base_ms, 500);
  EXPECT_EQ(k.delivery.backoff_max_ms, 60000);
  EXPECT_EQ(k.delivery.breaker_failures, 3);
  EXPECT_EQ(k.delivery.breaker_open_ms, 10000);
  const MemberConfig& j = r.config->members.at(1);
  EXPECT_EQ(j.id, "jiading");
  EXPECT_EQ(j.region_code, "310114");  // unquoted digits are read as written
  EXPECT_EQ(j.delivery.mode, DeliveryMode::pull);
  EXPECT_EQ(j.delivery.endpoint, "");
  EXPECT_EQ(j.delivery.timeout_ms, 5000);
  EXPECT_EQ(j.delivery.max_attempts, 12);
  EXPECT_EQ(j.delivery.backoff_base_ms, 1000);
  EXPECT_EQ(j.delivery.backoff_max_ms, 300000);
  EXPECT_EQ(j.delivery.breaker_failures, 5);
  EXPECT_EQ(j.delivery.breaker_open_ms, 30000);
}

TEST_F(ConfigTest, OptionalFieldsTakeTheirDefaults) {
  const ConfigLoadResult r = load({
      "gateway:",
      "  id: taicang",
      "  listen: \"[::]:0\"",
      "  data_dir: /var/lib/sixlink",
      "  tls: { cert: certs/gw.crt, key: certs/gw.key, ca: certs/ca.crt }",
      "policies: policies/six-link.yaml",
      "members:",
      "  - { id: kunshan, name: K, region_code: '320583', identity: k.local, adapter: sixlink,",
      "      delivery: { mode: pull } }",
  });
  ASSERT_TRUE(r.config.has_value()) << dump(r);
  const GatewayConfig& c = *r.config;
  EXPECT_EQ(c.listen.host, "::");
  EXPECT_EQ(c.listen.port, 0);
  EXPECT_EQ(c.admin_listen.host, "127.0.0.1");
  EXPECT_EQ(c.admin_listen.port, 9464);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.data_dir, "/var/lib/sixlink");  // absolute paths are kept
  EXPECT_EQ(c.durability, Durability::full);
  EXPECT_EQ(c.tls.crl, "");
  EXPECT_EQ(c.limits.max_body_bytes, 1048576u);
  EXPECT_EQ(c.limits.max_header_bytes, 16384u);
  EXPECT_EQ(c.limits.header_timeout_ms, 5000);
  EXPECT_EQ(c.limits.idle_timeout_ms, 60000);
  EXPECT_EQ(c.limits.max_connections, 10000);
  EXPECT_EQ(c.store.engine, "sqlite");
  EXPECT_EQ(c.store.dsn, "");
}

TEST_F(ConfigTest, RelativePathsResolveAgainstTheFilesFolder) {
  fs::create_directories(dir() / "nested");
  Lines lines = edit({{6, "  data_dir: ../data/./x"},
                      {9, "    cert: ../certs/gw.crt"},
                      {11, "    ca: ../certs/ca.crt"},
                      {12, "    crl: ../certs/../certs/crl.pem"},
                      {21, "policies: ../policies/six-link.yaml"},
                      {31, "      ca: ../certs/ca.crt"}});
  lines.at(9) = "    key: " + abs("certs/gw.key");  // line 10: absolute stays as is
  const fs::path file = dir() / "nested" / "gw.yaml";
  {
    std::ofstream out(file);
    for (const std::string& line : lines) out << line << '\n';
  }
  // Loaded through a path relative to the working directory, not to the file.
  const ConfigLoadResult r = load_config(fs::relative(file).string());
  ASSERT_TRUE(r.config.has_value()) << dump(r);
  EXPECT_EQ(r.config->data_dir, abs("data/x"));
  EXPECT_EQ(r.config->tls.cert, abs("certs/gw.crt"));
  EXPECT_EQ(r.config->tls.key, abs("certs/gw.key"));
  EXPECT_EQ(r.config->tls.crl, abs("certs/crl.pem"));
  EXPECT_EQ(r.config->policies, abs("policies/six-link.yaml"));
  EXPECT_EQ(r.config->members.at(0).delivery.ca, abs("certs/ca.crt"));
  EXPECT_EQ(r.config->source_file, file.string());
}

TEST_F(ConfigTest, FindsMembersByIdAndByIdentity) {
  const ConfigLoadResult r = load(kGood);
  ASSERT_TRUE(r.config.has_value()) << dump(r);
  const GatewayConfig& c = *r.config;
  ASSERT_NE(c.find_member("jiading"), nullptr);
  EXPECT_EQ(c.find_member("jiading")->name, "嘉定区");
  EXPECT_EQ(c.find_member("Jiading"), nullptr);  // ids are exact
  EXPECT_EQ(c.find_member("nobody"), nullptr);
  ASSERT_NE(c.find_member_by_identity("kunshan.sixlink.local"), nullptr);
  EXPECT_EQ(c.find_member_by_identity("kunshan.sixlink.local")->id, "kunshan");
  ASSERT_NE(c.find_member_by_identity("KunShan.Sixlink.Local"), nullptr);  // DNS: no case
  EXPECT_EQ(c.find_member_by_identity("KunShan.Sixlink.Local")->id, "kunshan");
  EXPECT_EQ(c.find_member_by_identity("kunshan.sixlink"), nullptr);
}

// ============================== syntax and shape ==============================

TEST_F(ConfigTest, YamlSyntaxErrorNamesItsLine) {
  const ConfigLoadResult r = load_edit({{5, "\tthreads: 4"}});
  expect_only(r, 5, "", "YAML syntax error");
}

TEST_F(ConfigTest, UnknownKeysAreNamedWithTheClosestKnownKey) {
  const ConfigLoadResult r = load_edit({{3, "  listn: 0.0.0.0:8443"},
                                        {16, "    header_timout_ms: 3000"},
                                        {19, "stor:"},
                                        {20, "  nothing: here"},
                                        {37, "      colour: blue"}});
  EXPECT_TRUE(HasError(r, 3, "gateway.listn", "unknown key \"listn\" (did you mean \"listen\"?)"));
  EXPECT_TRUE(HasError(r, 1, "gateway.listen", "required field is missing"));
  EXPECT_TRUE(HasError(r, 16, "gateway.limits.header_timout_ms",
                       "unknown key \"header_timout_ms\" (did you mean \"header_timeout_ms\"?)"));
  EXPECT_TRUE(HasError(r, 19, "stor", "(did you mean \"store\"?)"));
  EXPECT_TRUE(HasError(r, 37, "members[0].delivery.colour", "unknown key \"colour\""));
  for (const ConfigError& e : r.errors) {
    if (e.line == 37) {
      EXPECT_EQ(e.message.find("did you mean"), std::string::npos) << e;
    }
  }
  EXPECT_EQ(r.errors.size(), 5u) << dump(r);
}

TEST_F(ConfigTest, DuplicateYamlKeyIsReported) {
  const ConfigLoadResult r = load_edit({{7, "  threads: 8"}});
  expect_only(r, 7, "gateway.threads", "duplicate key (first set on line 5)");
}

TEST_F(ConfigTest, SectionOfTheWrongShapeIsReportedOnce) {
  const ConfigLoadResult r = load({
      "gateway: taicang",
      "store: [sqlite]",
      "policies: { file: x }",
      "members: kunshan",
  });
  EXPECT_TRUE(HasError(r, 1, "gateway", "expected a mapping"));
  EXPECT_TRUE(HasError(r, 2, "store", "expected a mapping"));
  EXPECT_TRUE(HasError(r, 3, "policies", "expected a string"));
  EXPECT_TRUE(HasError(r, 4, "members", "expected a non-empty list of members"));
  EXPECT_EQ(r.errors.size(), 4u) << dump(r);  // no "missing" noise from inside `gateway`
}

TEST_F(ConfigTest, LoadingNeverThrowsOnOddInput) {
  const std::vector<std::string> inputs = {
      "", "just a scalar\n", "- a\n- b\n", "\x01\x02\xff\xfe\n", "a: &x [*x]\n", "{{{{\n"};
  for (const std::string& text : inputs) {
    const std::string path = abs("odd.yaml");
    std::ofstream(path) << text;
    ConfigLoadResult r;
    EXPECT_NO_THROW(r = load_config(path)) << text;
    EXPECT_FALSE(r.config.has_value()) << text;
    EXPECT_FALSE(r.errors.empty()) << text;
  }
  EXPECT_NO_THROW(load_config(dir().string()));
}

TEST_F(ConfigTest, EmptyFileNamesEveryMissingSection) {
  const ConfigLoadResult r = load({"# nothing yet"});
  EXPECT_TRUE(HasError(r, 0, "gateway", "required field is missing"));
  EXPECT_TRUE(HasError(r, 0, "policies", "required field is missing"));
  EXPECT_TRUE(HasError(r, 0, "members", "required field is missing"));
  EXPECT_EQ(r.errors.size(), 3u) << dump(r);
}

// ============================== required fields ==============================

TEST_F(ConfigTest, MissingRequiredFieldsAreReportedAtTheirSection) {
  const ConfigLoadResult r = load_edit(
      {{2, "#"}, {6, "#"}, {9, "#"}, {10, "#"}, {11, "#"}, {21, "#"}, {24, "#"}, {26, "#"}});
  EXPECT_TRUE(HasError(r, 1, "gateway.id", "required field is missing"));
  EXPECT_TRUE(HasError(r, 1, "gateway.data_dir", "required field is missing"));
  EXPECT_TRUE(HasError(r, 8, "gateway.tls.cert", "required field is missing"));
  EXPECT_TRUE(HasError(r, 8, "gateway.tls.key", "required field is missing"));
  EXPECT_TRUE(HasError(r, 8, "gateway.tls.ca", "required field is missing"));
  EXPECT_TRUE(HasError(r, 0, "policies", "required field is missing"));
  EXPECT_TRUE(HasError(r, 23, "members[0].name", "required field is missing"));
  EXPECT_TRUE(HasError(r, 23, "members[0].identity", "required field is missing"));
  EXPECT_EQ(r.errors.size(), 8u) << dump(r);
}

TEST_F(ConfigTest, MissingMemberFieldsAreReported) {
  const ConfigLoadResult r = load_edit(
      {{38, "  - name: 嘉定区"}, {39, "#"}, {40, "#"}, {42, "#"}, {43, "    delivery: {}"}});
  EXPECT_TRUE(HasError(r, 38, "members[1].id", "required field is missing"));
  EXPECT_TRUE(HasError(r, 38, "members[1].region_code", "required field is missing"));
  EXPECT_TRUE(HasError(r, 38, "members[1].adapter", "required field is missing"));
  EXPECT_TRUE(HasError(r, 43, "members[1].delivery.mode", "required field is missing"));
  EXPECT_EQ(r.errors.size(), 4u) << dump(r);
}

TEST_F(ConfigTest, MissingDeliveryIsReported) {
  const ConfigLoadResult r = load_edit({{43, "#"}});
  expect_only(r, 38, "members[1].delivery", "required field is missing");
}

TEST_F(ConfigTest, EmptyValuesAreReported) {
  const ConfigLoadResult r = load_edit({{2, "  id:"}, {24, "    name: \"\""}});
  EXPECT_TRUE(HasError(r, 2, "gateway.id", "a value is required"));
  EXPECT_TRUE(HasError(r, 24, "members[0].name", "must not be empty"));
  EXPECT_EQ(r.errors.size(), 2u) << dump(r);
}

TEST_F(ConfigTest, PushNeedsEndpointAndCa) {
  const ConfigLoadResult r = load_edit({{30, "#"}, {31, "#"}});
  EXPECT_TRUE(HasError(r, 28, "members[0].delivery.endpoint", "required field is missing"));
  EXPECT_TRUE(HasError(r, 28, "members[0].delivery.ca", "required field is missing"));
  EXPECT_EQ(r.errors.size(), 2u) << dump(r);
}

TEST_F(ConfigTest, PullRejectsPushOnlyFields) {
  const ConfigLoadResult r =
      load_edit({{43, "    delivery: { mode: pull, endpoint: 'https://j/inbox' }"}});
  expect_only(r, 43, "members[1].delivery.endpoint", "only used with mode: push");
}

TEST_F(ConfigTest, MembersMustBeANonEmptyList) {
  Lines lines(kGood.begin(), kGood.begin() + 21);
  lines.push_back("members: []");
  expect_only(load(lines), 22, "members", "expected a non-empty list of members");
}

TEST_F(ConfigTest, EmptyMemberItemIsReported) {
  Lines lines = kGood;
  lines.insert(lines.begin() + 37, "  -");  // becomes line 38, before jiading
  const ConfigLoadResult r = load(lines);
  expect_only(r, 22, "members[1]", "expected a mapping");
}

// ============================== types and ranges ==============================

TEST_F(ConfigTest, WrongTypesAndRangesAreAllReportedAtOnce) {
  const ConfigLoadResult r = load_edit({{5, "  threads: 65"},
                                        {14, "    max_body_bytes: lots"},
                                        {16, "    header_timeout_ms: 0"},
                                        {18, "    max_connections: [1]"},
                                        {32, "      timeout_ms: 1.5"},
                                        {33, "      max_attempts: 0"},
                                        {37, "      breaker_open_ms: 99999999999999999999"}});
  EXPECT_TRUE(HasError(r, 5, "gateway.threads", "must be in 1..64, got 65"));
  EXPECT_TRUE(HasError(r, 14, "gateway.limits.max_body_bytes", "expected an integer"));
  EXPECT_TRUE(HasError(r, 16, "gateway.limits.header_timeout_ms", "must be in 1.."));
  EXPECT_TRUE(HasError(r, 18, "gateway.limits.max_connections", "expected an integer"));
  EXPECT_TRUE(HasError(r, 32, "members[0].delivery.timeout_ms", "got \"1.5\""));
  EXPECT_TRUE(HasError(r, 33, "members[0].delivery.max_attempts", "must be in 1..1000, got 0"));
  EXPECT_TRUE(HasError(r, 37, "members[0].delivery.breaker_open_ms", "must be in 1.."));
  EXPECT_EQ(r.errors.size(), 7u) << dump(r);
}

TEST_F(ConfigTest, ThreadsBoundsAreInclusive) {
  EXPECT_TRUE(load_edit({{5, "  threads: 64"}}).config.has_value());
  EXPECT_TRUE(load_edit({{5, "  threads: 1"}}).config.has_value());
  expect_only(load_edit({{5, "  threads: 0"}}), 5, "gateway.threads", "must be in 1..64, got 0");
  expect_only(load_edit({{5, "  threads: -3"}}), 5, "gateway.threads", "got -3");
}

TEST_F(ConfigTest, MaxInFlightIsPushOnlyWithADefaultAndBounds) {
  const ConfigLoadResult def = load_edit({});
  ASSERT_TRUE(def.config.has_value()) << dump(def);
  EXPECT_EQ(def.config->members.at(0).delivery.max_in_flight, 4);
  const ConfigLoadResult set = load_edit({{37, "      max_in_flight: 256"}});
  ASSERT_TRUE(set.config.has_value()) << dump(set);
  EXPECT_EQ(set.config->members.at(0).delivery.max_in_flight, 256);
  expect_only(load_edit({{37, "      max_in_flight: 0"}}), 37, "members[0].delivery.max_in_flight",
              "must be in 1..256, got 0");
  expect_only(load_edit({{43, "    delivery: { mode: pull, max_in_flight: 8 }"}}), 43,
              "members[1].delivery.max_in_flight", "only used with mode: push");
}

TEST_F(ConfigTest, BackoffBaseMustNotExceedMax) {
  const ConfigLoadResult r = load_edit({{34, "      backoff_base_ms: 70000"}});
  expect_only(r, 35, "members[0].delivery.backoff_max_ms", "exceeds backoff_max_ms (60000)");
}

TEST_F(ConfigTest, StringFieldGivenAListIsReported) {
  expect_only(load_edit({{24, "    name: [a, b]"}}), 24, "members[0].name", "expected a string");
}

// ============================== addresses ==============================

TEST_F(ConfigTest, BadListenAddressesAreRejected) {
  for (const char* bad :
       {"localhost:8443", "0.0.0.0", "::1:8443", "'[::1]'", "1.2.3.4:https", "0.0.0.0:65536",
        "'[::1]:-1'", "'[0.0.0.0]:80'", "1.2.3:80", "'0.0.0.0:'"}) {
    SCOPED_TRACE(bad);
    expect_only(load_edit({{3, std::string("  listen: ") + bad}}), 3, "gateway.listen",
                "expected IPv4:port or [IPv6]:port");
  }
  expect_only(load_edit({{4, "  admin_listen: 127.0.0.1:99999"}}), 4, "gateway.admin_listen",
              "got \"127.0.0.1:99999\"");
}

TEST_F(ConfigTest, ParsesListenAddresses) {
  const auto v4 = parse_listen_address("127.0.0.1:65535");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 65535);
  const auto v6 = parse_listen_address("[fe80::1]:0");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "fe80::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_FALSE(parse_listen_address("[::1]:80x").has_value());
  EXPECT_FALSE(parse_listen_address("[::1]x:80").has_value());
  EXPECT_FALSE(parse_listen_address("").has_value());
}

TEST_F(ConfigTest, BadPushEndpointsAreRejected) {
  for (const char* bad : {"http://kunshan/inbox", "https://kunshan:0/inbox", "https://kunshan:9443",
                          "https:///inbox", "https://kunshan:x/inbox", "https://a b/inbox",
                          "kunshan/inbox", "https://u@kunshan/inbox", "'https://[zz]/inbox'"}) {
    SCOPED_TRACE(bad);
    expect_only(load_edit({{30, std::string("      endpoint: ") + bad}}), 30,
                "members[0].delivery.endpoint", "expected https://host[:port]/path");
  }
}

TEST_F(ConfigTest, ParsesHttpsEndpoints) {
  const auto e = parse_https_endpoint("https://kunshan.example/inbox?x=1");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->host, "kunshan.example");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->target, "/inbox?x=1");
  const auto v6 = parse_https_endpoint("https://[::1]:9443/");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9443);
  EXPECT_EQ(v6->target, "/");
  const auto ip = parse_https_endpoint("https://10.0.0.7:8443/in/box");
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->host, "10.0.0.7");
  EXPECT_EQ(ip->port, 8443);
  EXPECT_FALSE(parse_https_endpoint("https://k:65536/x").has_value());
}

// ============================== enumerations ==============================

TEST_F(ConfigTest, BadEnumerationValuesAreReported) {
  const ConfigLoadResult r =
      load_edit({{7, "  durability: fast"}, {20, "  engine: mysql"}, {29, "      mode: fetch"}});
  EXPECT_TRUE(HasError(r, 7, "gateway.durability", "must be full or normal, got \"fast\""));
  EXPECT_TRUE(HasError(r, 20, "store.engine", "must be sqlite or postgres, got \"mysql\""));
  EXPECT_TRUE(HasError(r, 29, "members[0].delivery.mode", "must be push or pull, got \"fetch\""));
  EXPECT_EQ(r.errors.size(), 3u) << dump(r);  // a bad mode does not judge endpoint and ca
}

TEST_F(ConfigTest, PostgresIsNotSupportedByThisBuild) {
  Lines lines = edit({{20, "  engine: postgres"}});
  lines.insert(lines.begin() + 20, "  dsn: \"host=db dbname=sixlink\"");
  expect_only(load(lines), 20, "store.engine", "postgres is not supported by this build");
}

TEST_F(ConfigTest, DsnWithSqliteIsReported) {
  Lines lines = kGood;
  lines.insert(lines.begin() + 20, "  dsn: x");  // line 21
  expect_only(load(lines), 21, "store.dsn", "only used with engine: postgres");
}

// ============================== members ==============================

TEST_F(ConfigTest, MemberIdAndRegionCodeFormats) {
  const ConfigLoadResult r = load_edit({{23, "  - id: Kunshan"},
                                        {25, "    region_code: \"32058\""},
                                        {38, "  - id: 9jiading"},
                                        {40, "    region_code: 31011x"}});
  EXPECT_TRUE(HasError(r, 23, "members[0].id", "\"Kunshan\" is not a valid member id"));
  EXPECT_TRUE(HasError(r, 25, "members[0].region_code", "expected exactly six digits"));
  EXPECT_TRUE(HasError(r, 38, "members[1].id", "\"9jiading\" is not a valid member id"));
  EXPECT_TRUE(HasError(r, 40, "members[1].region_code", "got \"31011x\""));
  EXPECT_EQ(r.errors.size(), 4u) << dump(r);
}

TEST_F(ConfigTest, MemberIdLengthLimit) {
  const std::string longest = "a" + std::string(31, 'b');
  EXPECT_TRUE(load_edit({{38, "  - id: " + longest}}).config.has_value());
  expect_only(load_edit({{38, "  - id: " + longest + "c"}}), 38, "members[1].id",
              "not a valid member id");
  expect_only(load_edit({{38, "  - id: jia_ding-2"}, {2, "  id: Taicang"}}), 2, "gateway.id",
              "not a valid id");
}

TEST_F(ConfigTest, DuplicateIdsAndIdentitiesAreReported) {
  const ConfigLoadResult r =
      load_edit({{38, "  - id: kunshan"}, {41, "    identity: KUNSHAN.sixlink.local"}});
  EXPECT_TRUE(HasError(r, 38, "members[1].id", "duplicate id \"kunshan\" (first used on line 23)"));
  EXPECT_TRUE(HasError(r, 41, "members[1].identity", "(first used on line 26)"));
  EXPECT_EQ(r.errors.size(), 2u) << dump(r);
}

TEST_F(ConfigTest, UnknownAdapterIsReportedWithTheKnownNames) {
  const ConfigLoadResult r = load_edit({{42, "    adapter: jiading"}});
  expect_only(r, 42, "members[1].adapter", "unknown adapter \"jiading\"");
  EXPECT_NE(r.errors.at(0).message.find("(known: sixlink"), std::string::npos);
}

// ============================== files ==============================

TEST_F(ConfigTest, BadCertificateKeyCaAndCrlFilesAreReported) {
  const ConfigLoadResult r = load_edit({{9, "    cert: certs/missing.crt"},
                                        {10, "    key: certs/garbage.pem"},
                                        {11, "    ca: certs/gw.key"},
                                        {12, "    crl: certs/ca.crt"},
                                        {31, "      ca: certs"}});
  EXPECT_TRUE(HasError(r, 9, "gateway.tls.cert", "file not found: " + abs("certs/missing.crt")));
  EXPECT_TRUE(HasError(r, 10, "gateway.tls.key", "not an unencrypted PEM private key"));
  EXPECT_TRUE(HasError(r, 11, "gateway.tls.ca", "not a PEM CA certificate bundle"));
  EXPECT_TRUE(HasError(r, 12, "gateway.tls.crl", "not a PEM certificate revocation list"));
  EXPECT_TRUE(HasError(r, 31, "members[0].delivery.ca", "not a regular file: " + abs("certs")));
  EXPECT_EQ(r.errors.size(), 5u) << dump(r);
}

TEST_F(ConfigTest, KeyThatDoesNotMatchTheCertificateIsReported) {
  const ConfigLoadResult r = load_edit({{10, "    key: certs/other.key"}});
  expect_only(r, 10, "gateway.tls.key", "does not match certificate " + abs("certs/gw.crt"));
}

TEST_F(ConfigTest, PoliciesFileMustExist) {
  expect_only(load_edit({{21, "policies: policies/none.yaml"}}), 21, "policies",
              "file not found: " + abs("policies/none.yaml"));
  expect_only(load_edit({{21, "policies: policies"}}), 21, "policies", "not a regular file");
}

TEST_F(ConfigTest, DataDirThatIsAFileIsReported) {
  expect_only(load_edit({{6, "  data_dir: policies/six-link.yaml"}}), 6, "gateway.data_dir",
              "exists but is not a directory");
  EXPECT_TRUE(load_edit({{6, "  data_dir: not-yet-created"}}).config.has_value());
}

// ============================== output ==============================

TEST_F(ConfigTest, ErrorPrintsFileLineKeyMessage) {
  std::ostringstream os;
  os << ConfigError{"gw.yaml", 12, "members[1].delivery.endpoint", "bad"};
  EXPECT_EQ(os.str(), "gw.yaml:12: members[1].delivery.endpoint: bad");
  std::ostringstream no_line;
  no_line << ConfigError{"gw.yaml", 0, "policies", "required field is missing"};
  EXPECT_EQ(no_line.str(), "gw.yaml: policies: required field is missing");
  std::ostringstream no_key;
  no_key << ConfigError{"gw.yaml", 3, "", "YAML syntax error: x"};
  EXPECT_EQ(no_key.str(), "gw.yaml:3: YAML syntax error: x");
}

TEST_F(ConfigTest, CheckConfigSaysOkForAGoodFile) {
  const std::string path = write(kGood);
  std::ostringstream out, err;
  EXPECT_EQ(check_config_command(path, out, err), 0);
  EXPECT_EQ(out.str(), path + ": ok\n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(ConfigTest, CheckConfigPrintsEveryErrorAndFails) {
  const std::string path = write(edit({{5, "  threads: 100"}, {7, "  durability: fast"}}));
  std::ostringstream out, err;
  EXPECT_EQ(check_config_command(path, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), path + ":5: gateway.threads: must be in 1..64, got 100\n" + path +
                           ":7: gateway.durability: must be full or normal, got \"fast\"\n");
}

TEST_F(ConfigTest, CheckConfigFailsForAMissingFile) {
  const std::string path = abs("no-such.yaml");
  std::ostringstream out, err;
  EXPECT_EQ(check_config_command(path, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), path + ": file not found: " + path + "\n");
}

}  // namespace
}  // namespace sixlink
