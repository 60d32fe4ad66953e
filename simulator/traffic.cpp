// The traffic generator. Bodies follow DESIGN §3 (CAP 1.2 alerts, case and patrol fields);
// the wording and places come from scenery.cpp. See traffic.h for the shape of a round.
#include "simulator/traffic.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "simulator/scenery.h"

namespace sixlink::sim {

namespace json = boost::json;

namespace {

constexpr const char* kHubRegion = "320585";

const MemberFacts& facts(const std::string& member) {
  const MemberFacts* f = member_facts(member);
  if (!f) throw std::invalid_argument("not a member of the federation: " + member);
  return *f;
}

// The south-line neighbour of a south-line partner ("" for Kunshan).
std::string neighbour(const std::string& member) {
  if (member == "baoshan") return "jiading";
  if (member == "jiading") return "baoshan";
  return "";
}

std::string region_of_address(const Place& place, const MemberFacts& owner) {
  return place.address.starts_with("太仓市") ? kHubRegion : owner.region_code;
}

std::string pad(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

std::string number_text(double v) {
  // Four decimals without trailing zeros, as CAP polygon and circle texts are written.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

json::object point(double lat, double lon) { return json::object{{"lat", lat}, {"lon", lon}}; }

json::object point_at(double lat, double lon, const std::string& at) {
  json::object p = point(lat, lon);
  p["at"] = at;
  return p;
}

void add_region(std::vector<std::string>& codes, const std::string& code) {
  if (!code.empty() && std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
}

Expectation denied_send(const std::string& member, std::string why) {
  return Expectation{403, "policy_denied", "members." + member + ".send", std::move(why)};
}

}  // namespace

TrafficGenerator::TrafficGenerator(std::vector<std::string> members, std::string run_stamp, uint32_t seed)
    : members_(std::move(members)), run_stamp_(std::move(run_stamp)), rng_(seed) {
  for (const auto& m : members_) facts(m);  // throws for an unknown member
}

std::string TrafficGenerator::beijing_time(int64_t seconds_from_now) {
  auto now = std::chrono::system_clock::now() + std::chrono::seconds(seconds_from_now);
  std::time_t t = std::chrono::system_clock::to_time_t(now) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

bool TrafficGenerator::simulated(const std::string& member) const {
  return std::find(members_.begin(), members_.end(), member) != members_.end();
}

std::string TrafficGenerator::next_id(const std::string& member) {
  return facts(member).id_prefix + "-" + run_stamp_ + "-" + pad(++counters_[member + "/id"], 6);
}

double TrafficGenerator::jitter(double value, double range) {
  std::uniform_real_distribution<double> d(-range, range);
  return std::round((value + d(rng_)) * 1e4) / 1e4;
}

// ------------------------------------------------------------------ handing out

std::optional<Planned> TrafficGenerator::next_for(const std::string& member, bool allow_fresh) {
  std::optional<Planned> out;
  if (auto& ready = released_[member]; !ready.empty()) {
    out = std::move(ready.front());
    ready.pop_front();
  } else if (allow_fresh) {
    auto& round = rounds_[member];
    if (round.empty()) {
      auto items = round_for(member);
      std::shuffle(items.begin(), items.end(), rng_);
      round.assign(items.begin(), items.end());
    }
    Item item = round.front();
    round.pop_front();
    return fresh(member, item);  // built now: its times are current
  } else {
    return std::nullopt;
  }
  // A flow step built when its flow started: its times become the time it is sent.
  Envelope& e = out->envelope;
  e.created_at = beijing_time();
  if (e.kind == "patrol.position")
    if (auto* pos = e.body.if_contains("position"); pos && pos->is_object()) pos->get_object()["at"] = e.created_at;
  if (auto it = flows_.find(out->flow); it != flows_.end()) it->second.waiting = true;
  return out;
}

void TrafficGenerator::on_answer(const Planned& planned, bool as_expected) {
  auto it = flows_.find(planned.flow);
  if (planned.flow == 0 || it == flows_.end()) return;
  Flow& flow = it->second;
  flow.waiting = false;
  if (!as_expected || ++flow.next >= flow.steps.size()) {
    flows_.erase(it);  // finished, or abandoned: a later step would be refused anyway
    return;
  }
  Step& step = flow.steps[flow.next];
  released_[step.sender].push_back(step.planned);
}

std::vector<TrafficGenerator::Item> TrafficGenerator::round_for(const std::string& member) {
  std::vector<Item> items = {Item::alert,     Item::bulletin, Item::minutes, Item::indicator,
                             Item::mediation, Item::patrol,   Item::refusal};
  // The shipped policy lets neither Kunshan send nor receive joint_governance.
  if (member != "kunshan") items.push_back(Item::governance);
  return items;
}

Planned TrafficGenerator::fresh(const std::string& member, Item item) {
  switch (item) {
    case Item::alert: return alert(member);
    case Item::bulletin: return bulletin(member);
    case Item::minutes: return minutes(member);
    case Item::indicator: return indicator(member);
    case Item::mediation: return start_case(member, "joint_mediation");
    case Item::governance: return start_case(member, "joint_governance");
    case Item::patrol: return start_patrol(member);
    case Item::refusal: return refusal(member);
  }
  return alert(member);
}

Planned TrafficGenerator::message(const std::string& member, const std::string& link, const std::string& kind) {
  Planned p;
  p.member = member;
  Envelope& e = p.envelope;
  e.id = next_id(member);
  e.source = member;
  e.link = link;
  e.kind = kind;
  e.created_at = beijing_time();
  e.classification = "internal";
  e.region_codes = {facts(member).region_code, kHubRegion};
  return p;
}

// ------------------------------------------------------------------ single messages

Planned TrafficGenerator::alert(const std::string& member) {
  const MemberFacts& f = facts(member);
  const AlertTemplate& t = f.alerts[counters_[member + "/alert"]++ % f.alerts.size()];
  const Place& place = f.places[counters_[member + "/place"]++ % f.places.size()];
  Planned p = message(member, "info_sharing", "alert");
  Envelope& e = p.envelope;
  e.classification = "public";
  if (const MemberFacts* n = member_facts(neighbour(member)); n && t.to_neighbour) add_region(e.region_codes, n->region_code);
  json::array geocodes;
  for (const auto& code : e.region_codes) geocodes.push_back(json::object{{"valueName", "GB/T 2260"}, {"value", code}});
  json::object area{{"areaDesc", t.area},
                    {"circle", json::array{number_text(place.lat) + "," + number_text(place.lon) + " 5"}},
                    {"geocode", std::move(geocodes)}};
  json::object info{{"language", "zh-CN"},
                    {"category", json::array{t.category}},
                    {"event", t.event},
                    {"urgency", t.urgency},
                    {"severity", t.severity},
                    {"certainty", t.certainty},
                    {"senderName", f.name},
                    {"headline", t.headline},
                    {"description", t.description},
                    {"instruction", t.instruction},
                    {"expires", beijing_time(6 * 3600)},
                    {"area", json::array{std::move(area)}}};
  // Simulated traffic is marked as an exercise (CAP status), never as an actual alert.
  e.body = json::object{{"identifier", e.id}, {"sender", f.alert_sender}, {"sent", e.created_at},
                        {"status", "Exercise"}, {"msgType", "Alert"},    {"scope", "Public"},
                        {"info", json::array{std::move(info)}}};
  return p;
}

Planned TrafficGenerator::bulletin(const std::string& member) {
  const MemberFacts& f = facts(member);
  const std::string& text = f.bulletins[counters_[member + "/bulletin"]++ % f.bulletins.size()];
  auto bar = text.find('|');
  Planned p = message(member, "info_sharing", "bulletin");
  p.envelope.classification = "public";
  if (auto* n = member_facts(neighbour(member))) add_region(p.envelope.region_codes, n->region_code);
  p.envelope.body = json::object{{"title", text.substr(0, bar)}, {"content", text.substr(bar + 1)},
                                 {"unit", f.governance_unit}, {"published_at", p.envelope.created_at}};
  return p;
}

Planned TrafficGenerator::minutes(const std::string& member) {
  const MemberFacts& f = facts(member);
  Planned p = message(member, "joint_meeting", "meeting.minutes");
  Envelope& e = p.envelope;
  e.region_codes.clear();
  json::array attendees;
  for (const auto& m : federation()) {
    add_region(e.region_codes, m.region_code);
    attendees.emplace_back(m.name + "联动指挥中心");
  }
  int n = ++counters_[member + "/minutes"];
  e.body = json::object{
      {"title", "沪苏交界地区六联工作联席会议纪要（" + f.name + "记录，第" + std::to_string(n) + "号）"},
      {"meeting_date", beijing_time(-3 * 24 * 3600).substr(0, 10)},
      {"venue", "太仓市浏河镇联动指挥中心"},
      {"attendees", std::move(attendees)},
      {"resolutions", json::array{"交界地区矛盾纠纷实行首接负责、联合调处", "沪太路、昆太路交界路段每周开展两次联合巡逻",
                                  "跨界环境问题建立联合验收机制"}},
      {"recorder", f.name + "联动指挥中心联络员"}};
  return p;
}

Planned TrafficGenerator::indicator(const std::string& member) {
  const MemberFacts& f = facts(member);
  const auto& list = safety_indicators();
  const std::string& entry = list[counters_[member + "/indicator"]++ % list.size()];
  auto bar = entry.find('|');
  Planned p = message(member, "joint_safety", "safety.indicator");
  std::string unit = entry.substr(bar + 1);
  json::value value;
  if (unit == "%") value = std::round(std::uniform_real_distribution<double>(90, 99.5)(rng_) * 10) / 10;
  else value = std::uniform_int_distribution<int64_t>(3, 120)(rng_);
  p.envelope.body = json::object{{"indicator", entry.substr(0, bar)}, {"unit", unit},
                                 {"period", beijing_time().substr(0, 7)}, {"value", value},
                                 {"region_code", f.region_code}, {"reported_by", f.governance_unit}};
  return p;
}

Planned TrafficGenerator::refusal(const std::string& member) {
  const MemberFacts& f = facts(member);
  int n = counters_[member + "/refusal"]++;
  if (member == "baoshan" && n % 3 == 1) {
    // A case for Kunshan on joint_governance: Kunshan may not receive that link.
    Planned p = message(member, "joint_governance", "case.open");
    p.envelope.recipients = std::vector<std::string>{"taicang", "kunshan"};
    p.envelope.case_id = member + ":refused-" + run_stamp_ + "-" + std::to_string(n);
    p.envelope.body = json::object{{"title", "跨界河道漂浮物清理"}, {"status", "open"}};
    p.expect = Expectation{403, "policy_denied", "members.kunshan.receive",
                           "Kunshan takes no part in joint governance with Shanghai districts"};
    return p;
  }
  if (member == "baoshan" && n % 3 == 2) {
    // Baoshan's document claims to come from Kunshan (fromUnit 320583).
    Planned p = message(member, "info_sharing", "bulletin");
    p.envelope.source = "kunshan";
    p.envelope.body = json::object{{"title", "冒用昆山名义的通报"}, {"content", "来源与证书不符，网关应拒收。"}};
    p.expect = Expectation{403, "forbidden_source", "", "a member may only send as itself (source must match its certificate)"};
    return p;
  }
  if (member == "kunshan" && n % 2 == 0) {
    Planned p = message(member, "joint_governance", "case.open");
    p.envelope.case_id = member + ":refused-" + run_stamp_ + "-" + std::to_string(n);
    p.envelope.body = json::object{{"title", "昆太交界渣土偷倒问题"}, {"status", "open"}};
    p.expect = denied_send(member, "Kunshan may not use joint_governance");
    return p;
  }
  if ((member == "jiading" && n % 2 == 0) || (member == "kunshan" && n % 2 == 1)) {
    Planned p = message(member, "joint_safety", "safety.campaign");
    p.envelope.body = json::object{{"title", f.name + "夏季治安巡防专项行动"}, {"start", beijing_time().substr(0, 10)}};
    p.expect = denied_send(member, "only Taicang launches joint safety campaigns");
    return p;
  }
  Planned p = message(member, "joint_meeting", "meeting.notice");
  p.envelope.body = json::object{{"title", f.name + "拟召集六联联席会议"}, {"time", beijing_time(7 * 24 * 3600)}};
  p.expect = denied_send(member, "only Taicang convenes joint meetings");
  return p;
}

// ------------------------------------------------------------------ flows

Planned TrafficGenerator::start_flow(std::vector<Step> steps) {
  int id = next_flow_++;
  for (auto& s : steps) s.planned.flow = id;
  Flow flow;
  flow.steps = std::move(steps);
  flow.waiting = true;
  Planned first = flow.steps.front().planned;
  flows_.emplace(id, std::move(flow));
  return first;
}

std::string TrafficGenerator::choose_lead(const std::string& opener, const std::string& link) {
  std::vector<std::string> others;
  for (const auto& m : members_)
    if (m != opener && (link != "joint_governance" || m != "kunshan")) others.push_back(m);
  if (others.empty() || std::uniform_int_distribution<int>(0, 1)(rng_) == 0) return opener;
  return others[std::uniform_int_distribution<std::size_t>(0, others.size() - 1)(rng_)];
}

Planned TrafficGenerator::start_case(const std::string& opener, const std::string& link) {
  const MemberFacts& f = facts(opener);
  const bool mediation = link == "joint_mediation";
  const auto& templates = mediation ? f.disputes : f.problems;
  int n = ++counters_[opener + "/case"];
  const CaseTemplate& t = templates[static_cast<std::size_t>(n - 1) % templates.size()];
  const Place& place = f.places[counters_[opener + "/place"]++ % f.places.size()];
  const std::string lead = choose_lead(opener, link);
  const MemberFacts& lf = facts(lead);

  Planned open = message(opener, link, "case.open");
  Envelope& e = open.envelope;
  e.case_id = opener + ":" + (mediation ? "MT-" : "GT-") + run_stamp_ + "-" + pad(n, 3);
  add_region(e.region_codes, lf.region_code);
  // Dispute parties are personal data: every second mediation case is restricted, so
  // partners without that clearance receive it with phones and the address masked.
  if (mediation && n % 2 == 0) e.classification = "restricted";
  if (lead != opener) e.recipients = std::vector<std::string>{"taicang", lead};
  json::array parties;
  if (mediation) {
    parties.push_back(json::object{{"name", "张某"}, {"role", "申请人"}, {"phone", "13800000000"}});
    parties.push_back(json::object{{"name", "李某"}, {"role", "被申请人"}, {"phone", "13900000000"}});
  } else {
    parties.push_back(json::object{{"name", "某建设工程有限公司"}, {"role", "责任主体"}});
  }
  e.body = json::object{
      {"title", t.title},
      {"category", t.category},
      {"description", t.description},
      {"location", json::object{{"region_code", region_of_address(place, f)}, {"address", place.address},
                                {"lat", jitter(place.lat, 0.002)}, {"lon", jitter(place.lon, 0.002)}}},
      {"parties", std::move(parties)},
      {"lead", json::object{{"jurisdiction", lead}, {"unit", mediation ? lf.mediation_unit : lf.governance_unit}}},
      {"deadline", beijing_time((mediation ? 7 : 14) * 24 * 3600)},
      {"closure_criteria", t.closure_criteria},
      {"status", "open"}};

  std::vector<Step> steps{{opener, open}};
  auto lead_step = [&](const std::string& kind, const std::string& status, const std::string& note) {
    Planned p = message(lead, link, kind);
    p.envelope.case_id = e.case_id;
    p.envelope.region_codes = e.region_codes;
    p.envelope.classification = e.classification;
    if (lead != opener) p.envelope.recipients = std::vector<std::string>{"taicang", opener};
    p.envelope.body = json::object{{"status", status}, {"note", note}};
    steps.push_back({lead, std::move(p)});
  };
  const std::string unit = mediation ? lf.mediation_unit : lf.governance_unit;
  lead_step("case.update", "accepted", unit + "已受理，指定专人对接。");
  lead_step("case.update", "in_progress", mediation ? "已约谈双方当事人，正在开展联合调解。"
                                                    : "已会同属地街镇现场核查，责任主体正在整改。");
  lead_step("case.update", "resolved", mediation ? "双方达成调解协议，待回访确认。"
                                                 : "整改完成，已申请两地联合验收。");
  lead_step("case.close", "closed", "经两地确认已达到结案标准，案件办结归档。");
  return start_flow(std::move(steps));
}

Planned TrafficGenerator::start_patrol(const std::string& member) {
  const MemberFacts& f = facts(member);
  int n = ++counters_[member + "/patrol"];
  const Place& from = f.places[counters_[member + "/place"]++ % f.places.size()];
  const Place& to = f.places[counters_[member + "/place"] % f.places.size()];
  const std::string patrol_id = member + ":patrol-" + run_stamp_ + "-" + pad(n, 3);
  auto step = [&](const std::string& kind) {
    Planned p = message(member, "joint_patrol", kind);
    p.envelope.patrol_id = patrol_id;
    p.envelope.body = json::object{{"unit", f.police_unit}, {"border_line", f.border_line}};
    return p;
  };
  std::vector<Step> steps;
  Planned plan = step("patrol.plan");
  json::array route;
  for (int i = 0; i < 4; ++i) {
    double k = i / 3.0;
    route.push_back(point_at(jitter(from.lat + k * (to.lat - from.lat), 0.001),
                             jitter(from.lon + k * (to.lon - from.lon), 0.001), beijing_time(i * 1800)));
  }
  plan.envelope.body["route"] = std::move(route);
  plan.envelope.body["shift"] = "夜间联合巡逻 20:00-24:00";
  plan.envelope.body["officers"] = 4;
  steps.push_back({member, std::move(plan)});
  for (int i = 1; i <= 2; ++i) {
    Planned pos = step("patrol.position");
    double k = i / 3.0;
    pos.envelope.body["position"] = point_at(jitter(from.lat + k * (to.lat - from.lat), 0.001),
                                             jitter(from.lon + k * (to.lon - from.lon), 0.001), beijing_time());
    steps.push_back({member, std::move(pos)});
  }
  Planned incident = step("patrol.incident");
  const std::string& text = f.incidents[static_cast<std::size_t>(n - 1) % f.incidents.size()];
  auto bar = text.find('|');
  incident.envelope.body["position"] = point(jitter(to.lat, 0.001), jitter(to.lon, 0.001));
  incident.envelope.body["incident"] =
      json::object{{"type", text.substr(0, bar)}, {"description", text.substr(bar + 1)}, {"severity", "Minor"}};
  steps.push_back({member, std::move(incident)});
  return start_flow(std::move(steps));
}

}  // namespace sixlink::sim
