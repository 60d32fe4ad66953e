#include "tests/integration/federation.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace sixlink::testing {

namespace {

const char* kMembers[] = {"taicang", "baoshan", "jiading", "kunshan"};
const char* kRegions[] = {"320585", "310113", "310114", "320583"};

std::string default_policy() {
  return "version: 1\nmembers:\n"
         "  taicang: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "  baoshan: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "  jiading: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "  kunshan: {send: [\"*\"], receive: [\"*\"], clearance: restricted}\n"
         "routing:\n  - {name: everyone, to: all}\n";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string json_list(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return boost::json::serialize(a);
}

}  // namespace

Federation::Federation(FederationOptions opts)
    : dir("sixlink-fed-"), pki(dir.path()), options(std::move(opts)) {
  gateway_identity = pki.issue("gateway", {"gateway.sixlink.local", "localhost"}, {"127.0.0.1"});
  for (const char* m : kMembers)
    members[m] = pki.issue(m, {std::string(m) + ".sixlink.local", "localhost"}, {"127.0.0.1"});
  baoshan_rx = std::make_unique<PartnerServer>(members["baoshan"].cert, members["baoshan"].key, pki.ca_cert());
  jiading_rx = std::make_unique<PartnerServer>(members["jiading"].cert, members["jiading"].key, pki.ca_cert());
  baoshan_rx->start();
  jiading_rx->start();
  if (options.with_crl) crl_path = pki.write_crl({});
}

Federation::~Federation() {
  stop_gateway();
  if (child_ > 0) kill_gateway(SIGKILL);
}

std::string Federation::write_config(uint16_t partner_port, uint16_t admin_port) {
  write_file(dir.file("policy.yaml"), options.policy_yaml.empty() ? default_policy() : options.policy_yaml);
  std::ostringstream y;
  y << "gateway:\n"
    << "  id: taicang\n"
    << "  listen: 127.0.0.1:" << partner_port << "\n"
    << "  admin_listen: 127.0.0.1:" << admin_port << "\n"
    << "  threads: 2\n"
    << "  data_dir: data\n"
    << "  durability: " << options.durability << "\n"
    << "  tls:\n"
    << "    cert: " << gateway_identity.cert << "\n"
    << "    key: " << gateway_identity.key << "\n"
    << "    ca: " << pki.ca_cert() << "\n";
  if (!crl_path.empty()) y << "    crl: " << crl_path << "\n";
  y << "  limits: {max_body_bytes: " << options.max_body_bytes
    << ", header_timeout_ms: " << options.header_timeout_ms
    << ", idle_timeout_ms: " << options.idle_timeout_ms
    << ", max_connections: " << options.max_connections << "}\n"
    << "store: {engine: sqlite}\n"
    << "policies: policy.yaml\n"
    << "members:\n";
  for (int i = 0; i < 4; ++i) {
    std::string m = kMembers[i];
    y << "  - id: " << m << "\n"
      << "    name: " << m << "\n"
      << "    region_code: \"" << kRegions[i] << "\"\n"
      << "    identity: " << m << ".sixlink.local\n"
      << "    adapter: " << (options.adapters.count(m) ? options.adapters.at(m) : "sixlink") << "\n";
    PartnerServer* rx = m == "baoshan" ? baoshan_rx.get() : m == "jiading" ? jiading_rx.get() : nullptr;
    if (rx && !options.pull_instead_of_push.count(m)) {
      y << "    delivery: {mode: push, endpoint: \"" << rx->endpoint("/sixlink/inbox") << "\", ca: "
        << pki.ca_cert() << ", timeout_ms: 2000, max_attempts: " << options.max_attempts
        << ", backoff_base_ms: " << options.backoff_base_ms << ", backoff_max_ms: " << options.backoff_max_ms
        << ", breaker_failures: " << options.breaker_failures << ", breaker_open_ms: " << options.breaker_open_ms;
      if (options.max_in_flight > 0) y << ", max_in_flight: " << options.max_in_flight;
      y << "}\n";
    } else {
      y << "    delivery: {mode: pull}\n";
    }
  }
  config_path = dir.file("gateway.yaml");
  write_file(config_path, y.str());
  return config_path;
}

int Federation::reload_loop(std::chrono::milliseconds duration, const std::function<void(int)>& write_version,
                            std::string* failure, int min_reloads) {
  int reloads = 0;
  failure->clear();
  auto end = std::chrono::steady_clock::now() + duration;
  while (reloads < min_reloads || std::chrono::steady_clock::now() < end) {
    write_version(reloads);
    HttpResult r = admin("POST", "/admin/reload");
    if (r.status != 200 && failure->empty()) *failure = std::to_string(r.status) + " " + r.body;
    ++reloads;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return reloads;
}

void Federation::start_gateway() {
  write_config();
  ConfigLoadResult r = load_config(config_path);
  ASSERT_TRUE(r.config.has_value()) << (r.errors.empty() ? "" : r.errors[0].message);
  gateway_ = std::make_unique<Gateway>(std::move(*r.config));
  std::string error;
  ASSERT_TRUE(gateway_->start(&error)) << error;
}

void Federation::stop_gateway() {
  if (gateway_) gateway_->stop();
  gateway_.reset();
}

uint16_t Federation::port() const { return gateway_ ? gateway_->partner_port() : fixed_port_; }
uint16_t Federation::admin_port() const { return gateway_ ? gateway_->admin_port() : fixed_admin_port_; }

void Federation::spawn_gateway() {
  if (!fixed_port_) {
    fixed_port_ = free_port();
    fixed_admin_port_ = free_port();
    write_config(fixed_port_, fixed_admin_port_);
  }
  std::string log = dir.file("gateway.log");
  child_ = fork();
  if (child_ == 0) {
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    execl(SIXLINK_GATEWAY_BINARY, "sixlink-gateway", "serve", "--config", config_path.c_str(),
          "--log-level", options.log_level.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (admin("GET", "/readyz").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "gateway process did not become ready; see " << log;
}

void Federation::kill_gateway(int signal) {
  if (child_ <= 0) return;
  ::kill(child_, signal);
  if (signal == SIGKILL) {
    int status = 0;
    waitpid(child_, &status, 0);
    child_ = -1;
  }
}

int Federation::wait_gateway_exit() {
  int status = 0;
  waitpid(child_, &status, 0);
  child_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::unique_ptr<MtlsClient> Federation::client(const std::string& member) {
  return client_with(members.at(member));
}

std::unique_ptr<MtlsClient> Federation::client_with(const Identity& id) {
  return std::make_unique<MtlsClient>("127.0.0.1", port(), pki.ca_cert(), id.cert, id.key);
}

HttpResult Federation::admin(const std::string& method, const std::string& target, const std::string& body) {
  return http_request("127.0.0.1", admin_port(), method, target, body);
}

double Federation::metric(const std::string& series) {
  std::istringstream in(admin("GET", "/metrics").body);
  std::string line;
  while (std::getline(in, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

double Federation::wait_metric(const std::string& series, double at_least, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  double v = metric(series);
  while (v < at_least && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    v = metric(series);
  }
  return v;
}

ProcessRun run_gateway_cli(const std::string& args) {
  std::string cmd = std::string(SIXLINK_GATEWAY_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string alert_json(const std::string& id, const std::string& source,
                       const std::vector<std::string>& recipients, const std::string& severity) {
  std::ostringstream o;
  o << R"({"id":")" << id << R"(","source":")" << source
    << R"(","link":"info_sharing","kind":"alert","created_at":"2026-11-26T09:30:00+08:00",)";
  if (!recipients.empty()) o << R"("recipients":)" << json_list(recipients) << ",";
  o << R"("classification":"internal","region_codes":["320583","320585"],)"
    << R"("body":{"identifier":")" << id << R"(","sender":")" << source << R"(@sixlink","sent":"2026-11-26T09:30:00+08:00",)"
    << R"("status":"Actual","msgType":"Alert","scope":"Public","info":[{"category":["Met"],"event":"暴雨",)"
    << R"("urgency":"Immediate","severity":")" << severity << R"(","certainty":"Likely","headline":"太仓—昆山交界暴雨预警",)"
    << R"("area":[{"areaDesc":"昆山市花桥镇"}]}]}})";
  return o.str();
}

std::string case_json(const std::string& id, const std::string& source, const std::string& case_id,
                      const std::vector<std::string>& recipients, const std::string& kind) {
  std::ostringstream o;
  o << R"({"id":")" << id << R"(","source":")" << source
    << R"(","link":"joint_mediation","kind":")" << kind << R"(","created_at":"2026-11-26T10:00:00+08:00",)";
  if (!recipients.empty()) o << R"("recipients":)" << json_list(recipients) << ",";
  o << R"("classification":"restricted","case_id":")" << case_id << R"(","region_codes":["310113"],)"
    << R"("body":{"title":"邻里纠纷 )" << id << R"(","category":"neighbour_dispute","location":{"region_code":"310113","lat":31.41,"lon":121.31},)"
    << R"("parties":[{"name":"张三","role":"applicant","id_number":"310113199001011234","phone":"13800000000"}],)"
    << R"("lead":{"jurisdiction":"taicang","unit":"浏河镇调解委员会"},"deadline":"2026-12-10T17:00:00+08:00","status":"open"}})";
  return o.str();
}

std::string patrol_json(const std::string& id, const std::string& source,
                        const std::string& patrol_id, const std::vector<std::string>& recipients) {
  std::ostringstream o;
  o << R"({"id":")" << id << R"(","source":")" << source
    << R"(","link":"joint_patrol","kind":"patrol.position","created_at":"2026-11-26T22:15:00+08:00",)";
  if (!recipients.empty()) o << R"("recipients":)" << json_list(recipients) << ",";
  o << R"("classification":"internal","patrol_id":")" << patrol_id
    << R"(","region_codes":["320583"],)"
    << R"("body":{"border_line":"west_line","position":{"lat":31.38,"lon":121.1}}})";
  return o.str();
}

}  // namespace sixlink::testing
