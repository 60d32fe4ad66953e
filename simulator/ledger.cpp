// The simulator's bookkeeping and checks. See ledger.h for what is checked.
#include "simulator/ledger.h"

#include <boost/json.hpp>

#include <algorithm>

#include "adapters/adapter.h"
#include "simulator/scenery.h"

namespace sixlink::sim {

namespace json = boost::json;

namespace {

std::string key(const std::string& member, const std::string& id) { return member + "/" + id; }

std::string label(const Planned& p) { return p.member + " " + p.envelope.kind + " " + p.envelope.id; }

std::string names(const std::set<std::string>& s) {
  std::string out;
  for (const auto& n : s) out += (out.empty() ? "" : ",") + n;
  return "{" + out + "}";
}

// `"code" (rule)` of a contract error body, or the first bytes of whatever came.
struct ErrorBody {
  std::string code, rule, message;
};
ErrorBody parse_error(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  ErrorBody out;
  const json::value* inner = (!ec && v.is_object()) ? v.get_object().if_contains("error") : nullptr;
  const json::object* err = inner ? inner->if_object() : nullptr;
  if (!err) {
    out.message = body.substr(0, 120);
    return out;
  }
  auto str = [err](const char* name) {
    const json::value* f = err->if_contains(name);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  return ErrorBody{str("code"), str("rule"), str("message")};
}

// Where two texts part, for a problem line that shows the difference.
std::string first_difference(const std::string& want, const std::string& got) {
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  std::size_t from = i > 40 ? i - 40 : 0;
  return "expected …" + want.substr(from, 100) + "… got …" + got.substr(from, 100) + "…";
}

}  // namespace

std::shared_ptr<const Policy> load_federation_policy(const std::string& file, std::string* error) {
  GatewayConfig config;
  config.id = "taicang";
  config.policies = file;
  for (const auto& f : federation()) {
    MemberConfig m;
    m.id = f.id;
    m.name = f.name;
    m.region_code = f.region_code;
    m.identity = f.id + ".sixlink.local";
    m.adapter = f.adapter;
    config.members.push_back(m);
  }
  PolicyLoadResult r = load_policy(config);
  if (!r.policy) {
    std::string text;
    for (const auto& e : r.errors) text += (text.empty() ? "" : "; ") + e.file + ":" + std::to_string(e.line) + ": " + e.key + ": " + e.message;
    *error = text.empty() ? "cannot load " + file : text;
  }
  return r.policy;
}

Ledger::Ledger(std::vector<std::string> simulated, std::shared_ptr<const Policy> policy)
    : simulated_(std::move(simulated)), policy_(std::move(policy)) {
  for (const auto& m : simulated_) counts_[m];
}

bool Ledger::simulated(const std::string& member) const {
  return std::find(simulated_.begin(), simulated_.end(), member) != simulated_.end();
}

void Ledger::problem(std::string text) { problems_.push_back(std::move(text)); }

void Ledger::will_send(const Planned& p, std::size_t body_bytes) {
  std::lock_guard lock(mutex_);
  Record& r = records_[key(p.member, p.envelope.id)];
  r.planned = p;
  r.bytes = body_bytes;
}

bool Ledger::answered(const Planned& p, int status, const std::string& body, std::string* shown) {
  std::lock_guard lock(mutex_);
  Record& r = records_[key(p.member, p.envelope.id)];
  MemberCounts& c = counts_[p.member];
  ++c.sent;
  shown->clear();
  if (p.refusal()) {
    ErrorBody e = parse_error(body);
    std::string got = std::to_string(status) + " " + e.code + (e.rule.empty() ? "" : " (" + e.rule + ")");
    if (status == p.expect.status && e.code == p.expect.code && (p.expect.rule.empty() || e.rule == p.expect.rule)) {
      r.state = Record::State::refused;
      ++c.refused;
      ++refusals_shown_;
      *shown = label(p) + " refused as expected: " + got + " — " + p.expect.why;
      return true;
    }
    r.state = Record::State::failed;
    ++c.unexpected;
    problem(label(p) + ": expected " + std::to_string(p.expect.status) + " " + p.expect.code + " " +
            p.expect.rule + ", got " + got + " " + e.message);
    return false;
  }
  if (status != 202 && status != 200) {
    ErrorBody e = parse_error(body);
    r.state = Record::State::failed;
    ++c.unexpected;
    problem(label(p) + ": expected 202, got " + std::to_string(status) + " " + e.code + " " + e.rule + " " + e.message);
    return false;
  }
  r.state = Record::State::accepted;
  ++c.accepted;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::value* deliveries = (!ec && v.is_object()) ? v.get_object().if_contains("deliveries") : nullptr;
  std::set<std::string> all_routed;
  if (deliveries && deliveries->is_array())
    for (const auto& d : deliveries->get_array())
      if (const json::value* to = d.is_object() ? d.get_object().if_contains("to") : nullptr; to && to->is_string())
        all_routed.emplace(to->get_string());
  for (const auto& m : all_routed)
    if (simulated(m)) r.routed.insert(m);
  if (std::string wrong = check_routing(r, all_routed); !wrong.empty()) {
    problem(label(p) + ": " + wrong);
    ++c.unexpected;
    return false;
  }
  return true;
}

std::string Ledger::check_routing(const Record& r, const std::set<std::string>& all_routed) const {
  const Envelope& e = r.planned.envelope;
  if (e.recipients)
    for (const auto& to : *e.recipients)
      if (!all_routed.contains(to)) return "explicit recipient " + to + " missing from the deliveries " + names(all_routed);
  if (!policy_) return "";
  PolicyDecision d = policy_->admit(e, r.bytes);
  if (d.denial) return "the shipped policy would refuse it (" + d.denial->code + " " + d.denial->rule + ")";
  std::set<std::string> predicted;
  for (const auto& v : d.recipients) predicted.insert(v.member);
  if (predicted != all_routed)
    return "the gateway routed it to " + names(all_routed) + ", the shipped policy says " + names(predicted);
  return "";
}

void Ledger::gave_up(const Planned& p, const std::string& why) {
  std::lock_guard lock(mutex_);
  records_[key(p.member, p.envelope.id)].state = Record::State::failed;
  ++counts_[p.member].sent;
  ++counts_[p.member].unexpected;
  problem(label(p) + ": no answer from the gateway (" + why + ")");
}

std::string Ledger::check_content(const Record& r, const std::string& receiver, const Envelope& got) const {
  const Envelope& sent = r.planned.envelope;
  Envelope want = sent;
  if (policy_) {
    RecipientView view = policy_->view_for(sent, receiver);
    if (view.redacted) want = *view.redacted;
  } else if (sent.classification == "restricted") {
    return "";  // without the policy, the receiver's redacted view is unknown
  }
  std::string a = to_json_text(want), b = to_json_text(got);
  return a == b ? "" : "differs from what " + sent.source + " sent (" + first_difference(a, b) + ")";
}

Verdict Ledger::received(const Reception& rx, std::string* problem_text) {
  std::lock_guard lock(mutex_);
  MemberCounts& c = counts_[rx.receiver];
  auto bad = [&](std::string why) {
    ++c.bad;
    *problem_text = rx.receiver + " received " + rx.source + "/" + rx.message_id + ": " + why;
    problem(*problem_text);
    return Verdict::bad;
  };
  const MemberFacts* f = member_facts(rx.receiver);
  const Adapter* adapter = f ? find_adapter(f->adapter) : nullptr;
  if (!adapter) return bad("no adapter for the receiver");
  Result<Envelope> decoded = adapter->decode({rx.content_type, rx.bytes, "", rx.source});
  if (!decoded) return bad("does not decode with " + f->adapter + ": " + decoded.error().code + " " +
                           decoded.error().field + " " + decoded.error().message);
  const Envelope& e = decoded.value();
  if (auto err = validate_envelope(e)) return bad("invalid after decoding: " + err->field + " " + err->message);
  if (e.id != rx.message_id || e.source != rx.source)
    return bad("the document names " + e.source + "/" + e.id + ", the delivery " + rx.source + "/" + rx.message_id);
  auto it = records_.find(key(rx.source, rx.message_id));
  if (it == records_.end()) {
    if (simulated(rx.source)) return bad("no simulated partner sent it");
    ++c.from_others;  // e.g. Taicang's own systems: nothing to compare with
    return Verdict::fresh;
  }
  Record& r = it->second;
  if (r.planned.refusal()) return bad("delivered although the gateway was to refuse it");
  if (r.got.contains(rx.receiver)) {
    ++c.duplicates;
    return Verdict::duplicate;
  }
  if (std::string diff = check_content(r, rx.receiver, e); !diff.empty()) return bad(diff);
  r.got.insert(rx.receiver);
  ++c.received;
  return Verdict::fresh;
}

bool Ledger::all_delivered() const {
  std::lock_guard lock(mutex_);
  for (const auto& [k, r] : records_)
    if (r.state == Record::State::accepted)
      for (const auto& to : r.routed)
        if (!r.got.contains(to)) return false;
  return true;
}

void Ledger::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  for (const auto& [k, r] : records_) {
    // A message whose answer never came (interrupted run) may or may not have been
    // accepted: nothing is expected of it.
    if (r.state == Record::State::accepted) {
      for (const auto& to : r.routed)
        if (!r.got.contains(to)) problem(label(r.planned) + ": never delivered to " + to);
      for (const auto& to : r.got)
        if (!r.routed.contains(to)) problem(label(r.planned) + ": delivered to " + to + ", which the gateway did not route it to");
    }
  }
}

std::vector<std::string> Ledger::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
}

std::map<std::string, MemberCounts> Ledger::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

int Ledger::refusals_shown() const {
  std::lock_guard lock(mutex_);
  return refusals_shown_;
}

std::string Ledger::summary_json() const {
  std::lock_guard lock(mutex_);
  json::object members;
  for (const auto& [m, c] : counts_)
    members[m] = json::object{{"sent", c.sent},         {"accepted", c.accepted}, {"refused", c.refused},
                              {"unexpected", c.unexpected}, {"received", c.received}, {"duplicates", c.duplicates},
                              {"bad", c.bad},           {"from_others", c.from_others}};
  json::array problems;
  for (const auto& p : problems_) problems.emplace_back(p);
  return json::serialize(json::object{{"ok", problems_.empty()}, {"members", std::move(members)},
                                      {"refusals_as_expected", refusals_shown_}, {"problems", std::move(problems)}});
}

}  // namespace sixlink::sim
