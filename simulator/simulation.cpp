// The simulation's runtime: one io_context on the calling thread runs, per simulated
// partner, a sender (paced, retrying 429/503 and lost connections with the same message
// id, which the gateway recognises as a resend), a push endpoint or an inbox puller, and
// one control loop that prints the live summary, ends the sending phase, waits for the
// deliveries still under way and stops everything.
#include "simulator/simulation.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <set>

#include "adapters/adapter.h"
#include "gateway/core/text.h"
#include "gateway/net/tls.h"
#include "simulator/https_client.h"
#include "simulator/push_endpoint.h"
#include "simulator/scenery.h"

namespace sixlink::sim {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxAttempts = 8;
constexpr std::size_t kInboxPage = 100;
constexpr int kProblemsShown = 30;

enum class Phase { sending, draining, done };

struct Partner {
  std::string id;
  const MemberFacts* facts = nullptr;
  const Adapter* adapter = nullptr;
  std::unique_ptr<HttpsClient> sender;
  std::unique_ptr<HttpsClient> puller;      // pull members
  std::unique_ptr<PushEndpoint> endpoint;   // push members
  std::string receives;                     // for the start-up lines
  int handed_out = 0;                       // messages taken from the generator (--count)
};

struct InboxEntry {
  std::string id, source, content_type, bytes;
  bool bytes_ok = true;
};
struct InboxPage {
  std::vector<InboxEntry> entries;
  std::string next;
  bool ok = false;
};

// A page of GET /v1/inbox (DESIGN §4), its documents decoded from base64 where needed.
InboxPage parse_inbox_page(const std::string& text) {
  InboxPage page;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return page;
  const json::object& o = v.get_object();
  const json::value* next = o.if_contains("next");
  const json::value* messages = o.if_contains("messages");
  if (!next || !next->is_string() || !messages || !messages->is_array()) return page;
  page.next = std::string(next->get_string());
  auto str = [](const json::object& m, const char* name) {
    const json::value* f = m.if_contains(name);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  for (const auto& item : messages->get_array()) {
    if (!item.is_object()) return page;
    const json::object& m = item.get_object();
    InboxEntry e{str(m, "id"), str(m, "source"), str(m, "content_type"), str(m, "body")};
    if (str(m, "body_encoding") == "base64") {
      auto bytes = base64_decode(e.bytes);
      e.bytes_ok = bytes.has_value();
      e.bytes = bytes.value_or("");
    }
    page.entries.push_back(std::move(e));
  }
  page.ok = true;
  return page;
}

std::string clock_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string run_stamp() {
  std::string stamp;
  for (char c : TrafficGenerator::beijing_time().substr(0, 19))
    if (c >= '0' && c <= '9') stamp += c;
  return stamp;
}

std::string ack_body(const std::string& cursor) { return R"({"cursor":")" + cursor + R"("})"; }

class Run {
 public:
  Run(const Options& o, std::ostream& out, std::ostream& err) : o_(o), out_(out), err_(err), signals_(ioc_) {}

  int execute() {
    if (!set_up()) return 3;
    started_ = Clock::now();
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    wait_for_signal();
    for (std::size_t i = 0; i < partners_.size(); ++i) {
      Partner& p = *partners_[i];
      // Partners start a fraction of an interval apart, so their messages interleave.
      auto offset = std::chrono::duration<double>(static_cast<double>(i) / o_.rate / partners_.size());
      asio::co_spawn(ioc_, send_loop(p, std::chrono::duration_cast<Clock::duration>(offset)), asio::detached);
      if (p.puller) asio::co_spawn(ioc_, pull_loop(p), asio::detached);
    }
    asio::co_spawn(ioc_, control_loop(), asio::detached);
    while (phase_ != Phase::done && !ioc_.stopped()) ioc_.run_one();
    // stop() closed every connection: let the coroutines see it and end, within bounds.
    const auto deadline = Clock::now() + 5s;
    while (!ioc_.stopped() && Clock::now() < deadline) ioc_.run_one_for(100ms);
    ioc_.stop();
    ledger_->finish();
    report_new_problems();
    write_summary();
    print_final();
    const bool ok = ledger_->problems().empty();
    return o_.check && !ok ? 1 : 0;
  }

 private:
  // ---------------------------------------------------------------- set-up
  bool set_up() {
    if (!o_.policy_file.empty()) {
      std::string error;
      policy_ = load_federation_policy(o_.policy_file, &error);
      if (!policy_) return fail("policy " + o_.policy_file + ": " + error);
    }
    uint32_t seed = o_.seed ? o_.seed : static_cast<uint32_t>(std::time(nullptr));
    gen_ = std::make_unique<TrafficGenerator>(o_.members, run_stamp(), seed);
    ledger_ = std::make_unique<Ledger>(o_.members, policy_);
    const std::string ca = o_.pki_dir + "/ca.pem";
    const std::string crl = o_.pki_dir + "/crl.pem";
    for (const auto& id : o_.members) {
      auto p = std::make_unique<Partner>();
      p->id = id;
      p->facts = member_facts(id);
      p->adapter = find_adapter(p->facts->adapter);
      if (!p->adapter) return fail("adapter " + p->facts->adapter + " is not built in");
      TlsFiles files{o_.pki_dir + "/" + id + ".pem", o_.pki_dir + "/" + id + ".key", ca, ""};
      std::string error;
      auto client_tls = tls::make_client_context(files, ca, &error);
      if (!client_tls) return fail(id + ": " + error);
      p->sender = std::make_unique<HttpsClient>(ioc_.get_executor(), client_tls, o_.gateway_host, o_.gateway_port, 10s);
      if (auto it = o_.listen.find(id); it != o_.listen.end()) {
        if (std::filesystem::exists(crl)) files.crl = crl;
        auto server_tls = tls::make_server_context(files, &error);
        if (!server_tls) return fail(id + ": " + error);
        p->endpoint = std::make_unique<PushEndpoint>(ioc_, id, server_tls, [this](const Reception& r) { return on_push(r); });
        if (!p->endpoint->start(it->second, &error)) return fail(error);
        p->receives = "push, mTLS endpoint https://" + it->second.host + ":" + std::to_string(it->second.port);
      } else {
        p->puller = std::make_unique<HttpsClient>(ioc_.get_executor(), client_tls, o_.gateway_host, o_.gateway_port, 10s);
        p->receives = "pull, GET /v1/inbox + POST /v1/inbox/ack";
      }
      partners_.push_back(std::move(p));
    }
    print_start();
    return true;
  }

  bool fail(const std::string& why) {
    err_ << "sixlink-simulator: " << why << std::endl;
    return false;
  }

  void print_start() {
    out_ << "sixlink-simulator: gateway https://" << o_.gateway_host << ":" << o_.gateway_port << ", " << o_.rate
         << " message(s)/s per partner";
    if (o_.count) out_ << ", " << *o_.count << " per partner";
    if (o_.duration_s) out_ << ", for " << *o_.duration_s << " s";
    out_ << (policy_ ? ", routing checked against " + o_.policy_file : "") << "\n";
    for (const auto& p : partners_)
      out_ << "  " << std::left << std::setw(8) << p->id << " " << p->facts->name << " " << p->facts->region_code
           << "  speaks " << std::setw(13) << p->facts->adapter << " receives by " << p->receives << "\n";
    out_ << std::flush;
  }

  // ---------------------------------------------------------------- sending
  static asio::awaitable<void> pause(Clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
  }

  asio::awaitable<void> send_loop(Partner& p, Clock::duration offset) {
    ++senders_active_;
    co_await pause(offset);
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o_.rate));
    auto next = Clock::now();
    while (phase_ == Phase::sending) {
      const bool fresh = !o_.count || p.handed_out < *o_.count;
      std::optional<Planned> planned = gen_->next_for(p.id, fresh);
      if (!planned) {
        co_await pause(100ms);
        next = Clock::now();
        continue;
      }
      ++p.handed_out;
      co_await send_one(p, std::move(*planned));
      next += interval;
      if (auto now = Clock::now(); next > now) co_await pause(next - now);
      else next = now;  // behind schedule (a slow answer): do not burst to catch up
    }
    --senders_active_;
  }

  asio::awaitable<void> send_one(Partner& p, Planned planned) {
    NativeDocument doc = p.adapter->encode(planned.envelope);
    ledger_->will_send(planned, doc.bytes.size());
    write_sample(p, planned, doc);
    std::string last_error;
    for (int attempt = 1; attempt <= kMaxAttempts && phase_ != Phase::done; ++attempt) {
      Answer a = co_await p.sender->request("POST", "/v1/messages", doc.content_type, doc.bytes);
      if (a.status == 0 || a.status == 429 || a.status == 503) {
        // Retried with the same id: should the first try have been accepted, the
        // gateway answers the resend with 200 and delivers nothing twice.
        last_error = a.status ? "HTTP " + std::to_string(a.status) : a.error;
        co_await pause(retry_delay(a, attempt));
        continue;
      }
      std::string shown;
      const bool as_expected = ledger_->answered(planned, a.status, a.body, &shown);
      if (!shown.empty()) out_ << "  refused: " << shown << std::endl;
      gen_->on_answer(planned, as_expected);
      report_new_problems();
      co_return;
    }
    if (phase_ == Phase::done) co_return;  // stopped while retrying: no verdict on this one
    ledger_->gave_up(planned, last_error);
    gen_->on_answer(planned, false);
    report_new_problems();
  }

  static Clock::duration retry_delay(const Answer& a, int attempt) {
    int seconds = 0;
    for (char c : a.retry_after) {
      if (c < '0' || c > '9') break;
      seconds = seconds * 10 + (c - '0');
      if (seconds > 5) break;
    }
    if (seconds > 0) return std::chrono::seconds(std::min(seconds, 5));
    return std::chrono::milliseconds(std::min(250 * (1 << std::min(attempt, 4)), 3000));
  }

  void write_sample(const Partner& p, const Planned& planned, const NativeDocument& doc) {
    if (o_.samples_dir.empty() || planned.refusal()) return;
    std::string name = p.id + "-" + planned.envelope.kind;
    if (!samples_written_.insert(name).second) return;
    std::error_code ec;
    std::filesystem::create_directories(o_.samples_dir, ec);
    const bool xml = doc.content_type.find("xml") != std::string::npos;
    std::ofstream(o_.samples_dir + "/" + name + (xml ? ".xml" : ".json"), std::ios::binary) << doc.bytes;
  }

  // ---------------------------------------------------------------- receiving
  int on_push(const Reception& r) {
    std::string problem;
    Verdict v = ledger_->received(r, &problem);
    report_new_problems();
    return v == Verdict::bad ? 400 : 200;
  }

  // Hands every document of an inbox page to the ledger. (A plain function: GCC 12
  // miscompiles brace-initialised strings inside coroutine bodies.)
  void check_inbox_page(const Partner& p, const InboxPage& page) {
    for (const auto& e : page.entries) {
      Reception r{p.id, e.id, e.source, e.content_type, e.bytes};
      if (!e.bytes_ok) r.bytes = "(the inbox entry's body is not valid base64)";  // fails decoding: reported
      std::string problem;
      ledger_->received(r, &problem);
    }
    report_new_problems();
  }

  asio::awaitable<void> pull_loop(Partner& p) {
    std::string cursor = "0";
    std::string last_failure;
    while (phase_ != Phase::done) {
      Answer a = co_await p.puller->request("GET", "/v1/inbox?after=" + cursor + "&limit=" + std::to_string(kInboxPage), "", "");
      InboxPage page = a.status == 200 ? parse_inbox_page(a.body) : InboxPage{};
      if (!page.ok) {
        std::string failure = a.status ? "HTTP " + std::to_string(a.status) : a.error;
        if (failure != last_failure) out_ << "  " << p.id << " inbox: " << failure << std::endl;
        last_failure = failure;
        co_await pause(1s);
        continue;
      }
      last_failure.clear();
      check_inbox_page(p, page);
      if (!page.entries.empty()) {
        Answer ack = co_await p.puller->request("POST", "/v1/inbox/ack", "application/json", ack_body(page.next));
        if (ack.status != 204) out_ << "  " << p.id << " inbox ack: HTTP " << ack.status << " " << ack.error << std::endl;
        cursor = page.next;
      }
      if (page.entries.size() < kInboxPage) co_await pause(300ms);
    }
  }

  // ---------------------------------------------------------------- control
  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (phase_ == Phase::sending) {
        out_ << "\nsixlink-simulator: signal received: stop sending, wait briefly for deliveries" << std::endl;
        start_draining(std::min(o_.drain_s, 2.0));
        wait_for_signal();
      } else {
        stop();  // a second signal: stop at once
      }
    });
  }

  void start_draining(double seconds) {
    phase_ = Phase::draining;
    drain_deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  void stop() {
    phase_ = Phase::done;
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (auto& p : partners_) {
      p->sender->cancel();
      if (p->puller) p->puller->cancel();
      if (p->endpoint) p->endpoint->stop();
    }
  }

  bool count_reached() const {
    if (!o_.count) return false;
    for (const auto& p : partners_)
      if (p->handed_out < *o_.count) return false;
    return gen_->flows_in_progress() == 0;
  }

  asio::awaitable<void> control_loop() {
    int ticks = 0;
    while (phase_ != Phase::done) {
      co_await pause(200ms);
      if (++ticks % 5 == 0) {
        print_line();
        write_summary();
      }
      auto now = Clock::now();
      if (phase_ == Phase::sending) {
        bool timed_out = o_.duration_s && now - started_ >= std::chrono::duration<double>(*o_.duration_s);
        if (timed_out || count_reached()) {
          out_ << "sixlink-simulator: sending done; waiting up to " << o_.drain_s << " s for the last deliveries"
               << std::endl;
          start_draining(o_.drain_s);
        }
      } else if ((senders_active_ == 0 && ledger_->all_delivered()) || now >= drain_deadline_) {
        print_line();
        stop();
      }
    }
  }

  // ---------------------------------------------------------------- output
  void print_line() {
    auto counts = ledger_->counts();
    out_ << "[" << clock_text() << "]";
    for (const auto& p : partners_) {
      const MemberCounts& c = counts[p->id];
      out_ << " " << p->id << " sent " << c.sent << " recv " << c.received + c.from_others << " |";
    }
    out_ << " refused as expected " << ledger_->refusals_shown() << " | problems " << ledger_->problems().size()
         << std::endl;
  }

  void report_new_problems() {
    auto problems = ledger_->problems();
    while (problems_printed_ < static_cast<int>(problems.size())) {
      if (problems_printed_ < kProblemsShown) out_ << "  PROBLEM: " << problems[problems_printed_] << "\n";
      else if (problems_printed_ == kProblemsShown) out_ << "  (further problems in the final summary file)\n";
      ++problems_printed_;
    }
    out_ << std::flush;
  }

  void write_summary() {
    if (o_.summary_file.empty()) return;
    std::string tmp = o_.summary_file + ".tmp";
    std::ofstream(tmp, std::ios::trunc) << ledger_->summary_json() << "\n";
    std::error_code ec;
    std::filesystem::rename(tmp, o_.summary_file, ec);
  }

  void print_final() {
    auto counts = ledger_->counts();
    auto problems = ledger_->problems();
    double secs = std::chrono::duration<double>(Clock::now() - started_).count();
    out_ << "\nsixlink-simulator summary after " << std::fixed << std::setprecision(1) << secs << " s\n";
    out_ << "  partner  adapter        sent  accepted  refused  unexpected  received  duplicates  bad\n";
    int received = 0;
    for (const auto& p : partners_) {
      const MemberCounts& c = counts[p->id];
      received += c.received;
      out_ << "  " << std::left << std::setw(8) << p->id << " " << std::setw(13) << p->facts->adapter << std::right
           << std::setw(6) << c.sent << std::setw(10) << c.accepted << std::setw(9) << c.refused << std::setw(12)
           << c.unexpected << std::setw(10) << c.received << std::setw(12) << c.duplicates << std::setw(5) << c.bad
           << "\n";
    }
    if (problems.empty()) {
      out_ << "checks passed: " << received << " deliveries decoded with the receiver's adapter and matched what was "
           << "sent" << (policy_ ? " (routing and redaction as the policy says)" : "") << "; "
           << ledger_->refusals_shown() << " deliberate refusals refused as expected\n";
    } else {
      out_ << problems.size() << " check(s) FAILED:\n";
      for (std::size_t i = 0; i < problems.size() && i < 50; ++i) out_ << "  - " << problems[i] << "\n";
    }
    out_ << std::flush;
  }

  Options o_;
  std::ostream& out_;
  std::ostream& err_;
  asio::io_context ioc_{1};
  asio::signal_set signals_;
  std::shared_ptr<const Policy> policy_;
  std::unique_ptr<TrafficGenerator> gen_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<std::unique_ptr<Partner>> partners_;  // after ioc_: destroyed before it
  Phase phase_ = Phase::sending;
  Clock::time_point started_{}, drain_deadline_{};
  int senders_active_ = 0;
  int problems_printed_ = 0;
  std::set<std::string> samples_written_;
};

}  // namespace

int run_simulation(const Options& options, std::ostream& out, std::ostream& err) {
  Run run(options, out, err);
  return run.execute();
}

}  // namespace sixlink::sim
