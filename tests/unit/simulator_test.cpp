// The partner simulator's pieces without a network (simulator/): every message the traffic
// generator produces is valid, admitted by the shipped policy as the generator expects (or
// refused by the rule it expects), and survives its partner's adapter both ways; case flows
// come in a legal order; the ledger's checks catch what they are meant to catch; the
// command line is parsed strictly. The simulator over the network is exercised by the
// demo.oneshot CTest (scripts/demo with SIXLINK_DEMO_ONESHOT=1).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/adapter.h"
#include "gateway/core/envelope.h"
#include "simulator/ledger.h"
#include "simulator/options.h"
#include "simulator/scenery.h"
#include "simulator/traffic.h"

namespace sixlink::sim {
namespace {

namespace json = boost::json;

const std::vector<std::string> kPartners = {"baoshan", "jiading", "kunshan"};

std::string policy_file() { return std::string(SIXLINK_SOURCE_DIR) + "/policies/six-link.yaml"; }

std::shared_ptr<const Policy> shipped_policy() {
  std::string error;
  auto policy = load_federation_policy(policy_file(), &error);
  EXPECT_TRUE(policy) << error;
  return policy;
}

// Plays the generator as the simulation does, every answer as expected, until each partner
// has taken `per_member` fresh items and every flow has run to its end.
std::vector<Planned> play(TrafficGenerator& gen, int per_member) {
  std::vector<Planned> out;
  std::map<std::string, int> taken;
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& m : kPartners) {
      auto p = gen.next_for(m, taken[m] < per_member);
      if (!p) continue;
      ++taken[m];
      progress = true;
      gen.on_answer(*p, true);
      out.push_back(std::move(*p));
    }
  }
  EXPECT_EQ(gen.flows_in_progress(), 0u);
  return out;
}

const json::object* object_at(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_object() : nullptr;
}

bool has_chinese(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0xE4 && c <= 0xE9) return true;  // lead bytes of the CJK unified ideographs
  return false;
}

TEST(SimulatorTraffic, EveryMessageIsValidAdmittedAsExpectedAndSurvivesItsAdapter) {
  auto policy = shipped_policy();
  ASSERT_TRUE(policy);
  TrafficGenerator gen(kPartners, "20260412093000", 7);
  auto messages = play(gen, 40);
  ASSERT_GT(messages.size(), 100u);
  int refusals = 0;
  for (const auto& p : messages) {
    const Envelope& e = p.envelope;
    SCOPED_TRACE(p.member + " " + e.kind + " " + e.id);
    auto invalid = validate_envelope(e);
    ASSERT_FALSE(invalid) << invalid->field << ": " << invalid->message;
    const Adapter* adapter = find_adapter(member_facts(p.member)->adapter);
    ASSERT_TRUE(adapter);
    NativeDocument doc = adapter->encode(e);
    Result<Envelope> back = adapter->decode({doc.content_type, doc.bytes, "", p.member});
    ASSERT_TRUE(back) << back.error().code << " " << back.error().field << " " << back.error().message;
    EXPECT_EQ(to_json_text(back.value()), to_json_text(e));

    PolicyDecision d = policy->admit(e, doc.bytes.size());
    if (!p.refusal()) {
      EXPECT_EQ(e.source, p.member);
      ASSERT_FALSE(d.denial) << d.denial->code << " " << d.denial->rule;
      EXPECT_FALSE(d.recipients.empty());
      continue;
    }
    ++refusals;
    EXPECT_EQ(p.expect.status, 403);
    EXPECT_FALSE(p.expect.why.empty());
    if (p.expect.code == "forbidden_source") {
      EXPECT_NE(e.source, p.member);  // the gateway refuses it before the policy
      EXPECT_EQ(back.value().source, e.source);
    } else {
      ASSERT_TRUE(d.denial);
      EXPECT_EQ(d.denial->code, p.expect.code);
      EXPECT_EQ(d.denial->rule, p.expect.rule);
    }
  }
  EXPECT_GE(refusals, 6);
}

TEST(SimulatorTraffic, CoversAllSixLinksWithRealCodesPlacesAndChineseText) {
  TrafficGenerator gen(kPartners, "20260412093000", 11);
  auto messages = play(gen, 40);
  std::map<std::string, std::set<std::string>> kinds;  // member -> link/kind sent (admitted ones)
  std::set<std::string> links;
  for (const auto& p : messages) {
    const Envelope& e = p.envelope;
    for (const auto& code : e.region_codes)
      EXPECT_TRUE(code == "320585" || code == "310113" || code == "310114" || code == "320583") << code;
    EXPECT_NE(std::find(e.region_codes.begin(), e.region_codes.end(), member_facts(p.member)->region_code),
              e.region_codes.end());
    if (p.refusal()) continue;
    kinds[p.member].insert(e.link + "/" + e.kind);
    links.insert(e.link);
    if (e.kind.starts_with("patrol.")) {
      EXPECT_EQ(e.body.at("border_line").as_string(), p.member == "kunshan" ? "west_line" : "south_line");
      const json::object* pos = object_at(e.body, "position");
      if (!pos) continue;
      double lat = pos->at("lat").to_number<double>(), lon = pos->at("lon").to_number<double>();
      EXPECT_GT(lat, 31.35);
      EXPECT_LT(lat, 31.55);
      if (p.member == "kunshan") {
        EXPECT_LT(lon, 121.12);  // the west line
      } else {
        EXPECT_GT(lon, 121.14);  // the south line
      }
    }
    if (e.kind == "alert") {
      EXPECT_TRUE(has_chinese(std::string(e.body.at("info").as_array()[0].as_object().at("headline").as_string())));
    }
    if (e.kind == "case.open") {
      EXPECT_TRUE(has_chinese(std::string(e.body.at("title").as_string())));
      EXPECT_TRUE(has_chinese(std::string(object_at(e.body, "location")->at("address").as_string())));
    }
  }
  EXPECT_EQ(links.size(), 6u);
  std::vector<std::string> everyone = {
      "info_sharing/alert",         "info_sharing/bulletin",       "joint_meeting/meeting.minutes",
      "joint_safety/safety.indicator", "joint_mediation/case.open", "joint_mediation/case.update",
      "joint_mediation/case.close", "joint_patrol/patrol.plan",   "joint_patrol/patrol.position",
      "joint_patrol/patrol.incident"};
  for (const auto& m : kPartners)
    for (const auto& k : everyone) EXPECT_TRUE(kinds[m].contains(k)) << m << " never sent " << k;
  EXPECT_TRUE(kinds["baoshan"].contains("joint_governance/case.open") || kinds["jiading"].contains("joint_governance/case.open"));
  EXPECT_FALSE(kinds["kunshan"].contains("joint_governance/case.open"));
}

TEST(SimulatorTraffic, CaseFlowsAreOpenedThenAcceptedWorkedResolvedAndClosedByTheLead) {
  TrafficGenerator gen(kPartners, "20260412093000", 3);
  auto messages = play(gen, 40);
  struct Seen {
    std::string opener, lead;
    std::vector<std::string> steps;  // "kind:status" in order
    std::set<std::string> senders_after_open;
  };
  std::map<std::string, Seen> cases;
  int cross_partner = 0;
  for (const auto& p : messages) {
    const Envelope& e = p.envelope;
    if (!e.kind.starts_with("case.") || p.refusal()) continue;
    ASSERT_TRUE(e.case_id);
    Seen& s = cases[*e.case_id];
    if (e.kind == "case.open") {
      EXPECT_TRUE(s.steps.empty()) << *e.case_id << " opened twice";
      s.opener = p.member;
      s.lead = std::string(object_at(e.body, "lead")->at("jurisdiction").as_string());
      EXPECT_TRUE(e.case_id->starts_with(p.member + ":"));
      if (s.lead != s.opener) {
        ++cross_partner;
        ASSERT_TRUE(e.recipients);
        EXPECT_NE(std::find(e.recipients->begin(), e.recipients->end(), s.lead), e.recipients->end());
      }
    } else {
      ASSERT_FALSE(s.steps.empty()) << *e.case_id << ": " << e.kind << " before case.open";
      EXPECT_EQ(p.member, s.lead) << "only the lead moves the case on";
    }
    s.steps.push_back(e.kind + ":" + std::string(e.body.at("status").as_string()));
  }
  ASSERT_GE(cases.size(), 6u);
  EXPECT_GE(cross_partner, 1);
  const std::vector<std::string> legal = {"case.open:open", "case.update:accepted", "case.update:in_progress",
                                          "case.update:resolved", "case.close:closed"};
  for (const auto& [id, s] : cases) EXPECT_EQ(s.steps, legal) << id;
}

TEST(SimulatorTraffic, AFlowStepWaitsForTheAnswerAndAnUnexpectedAnswerEndsTheFlow) {
  TrafficGenerator gen({"baoshan"}, "20260412093000", 5);
  std::optional<Planned> open;
  for (int i = 0; i < 20 && !open; ++i) {
    auto p = gen.next_for("baoshan", true);
    ASSERT_TRUE(p);
    if (p->envelope.kind == "case.open" && !p->refusal()) open = p;
    else gen.on_answer(*p, true);
  }
  ASSERT_TRUE(open);
  EXPECT_EQ(gen.flows_in_progress(), 1u);
  EXPECT_FALSE(gen.next_for("baoshan", false)) << "no step before the open is answered";
  gen.on_answer(*open, true);
  auto update = gen.next_for("baoshan", false);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->envelope.kind, "case.update");
  EXPECT_EQ(update->envelope.case_id, open->envelope.case_id);
  gen.on_answer(*update, false);  // refused: the rest of the flow would be refused too
  EXPECT_EQ(gen.flows_in_progress(), 0u);
  EXPECT_FALSE(gen.next_for("baoshan", false));
}

// ------------------------------------------------------------------ the ledger

class SimulatorLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy = shipped_policy();
    ASSERT_TRUE(policy);
    ledger = std::make_unique<Ledger>(kPartners, policy);
  }

  // A message from `member` of `kind`, as the generator makes it.
  Planned take(const std::string& member, const std::string& kind, bool refusal = false) {
    for (int i = 0; i < 200; ++i) {
      auto p = gen.next_for(member, true);
      if (!p) break;
      gen.on_answer(*p, true);
      if (p->envelope.kind == kind && p->refusal() == refusal && p->member == member) return *p;
    }
    ADD_FAILURE() << "no " << kind << " from " << member;
    return {};
  }

  // The gateway's 202 body routing `p` as the shipped policy does.
  std::string accepted_body(const Planned& p, std::size_t bytes) {
    json::array deliveries;
    for (const auto& r : policy->admit(p.envelope, bytes).recipients)
      deliveries.push_back(json::object{{"to", r.member}, {"state", "pending"}});
    return json::serialize(json::object{{"id", p.envelope.id}, {"deliveries", std::move(deliveries)}});
  }

  // What `receiver` gets from the gateway: the policy's view of `p`, in its own format.
  Reception delivery(const Planned& p, const std::string& receiver, bool redacted_view = true) {
    Envelope e = p.envelope;
    if (redacted_view)
      if (auto v = policy->view_for(e, receiver); v.redacted) e = *v.redacted;
    NativeDocument doc = find_adapter(member_facts(receiver)->adapter)->encode(e);
    return Reception{receiver, e.id, e.source, doc.content_type, doc.bytes};
  }

  std::size_t accept(const Planned& p) {
    std::size_t bytes = find_adapter(member_facts(p.member)->adapter)->encode(p.envelope).bytes.size();
    ledger->will_send(p, bytes);
    std::string shown;
    EXPECT_TRUE(ledger->answered(p, 202, accepted_body(p, bytes), &shown));
    EXPECT_TRUE(shown.empty());
    return bytes;
  }

  std::shared_ptr<const Policy> policy;
  std::unique_ptr<Ledger> ledger;
  TrafficGenerator gen{kPartners, "20260412093000", 9};
};

TEST_F(SimulatorLedgerTest, AGoodDeliveryCountsOnceAndEveryRoutedPartnerMustReceiveIt) {
  Planned minutes = take("kunshan", "meeting.minutes");  // routed to everyone
  accept(minutes);
  EXPECT_FALSE(ledger->all_delivered());
  std::string problem;
  EXPECT_EQ(ledger->received(delivery(minutes, "baoshan"), &problem), Verdict::fresh) << problem;
  EXPECT_EQ(ledger->received(delivery(minutes, "baoshan"), &problem), Verdict::duplicate);
  EXPECT_FALSE(ledger->all_delivered()) << "jiading has not received it";
  EXPECT_EQ(ledger->received(delivery(minutes, "jiading"), &problem), Verdict::fresh) << problem;
  EXPECT_TRUE(ledger->all_delivered());
  ledger->finish();
  EXPECT_TRUE(ledger->problems().empty()) << ledger->problems().front();
  EXPECT_EQ(ledger->counts()["baoshan"].received, 1);
  EXPECT_EQ(ledger->counts()["baoshan"].duplicates, 1);
}

TEST_F(SimulatorLedgerTest, AMissingDeliveryIsAProblemAtTheEnd) {
  Planned minutes = take("baoshan", "meeting.minutes");
  accept(minutes);
  std::string problem;
  EXPECT_EQ(ledger->received(delivery(minutes, "kunshan"), &problem), Verdict::fresh) << problem;
  ledger->finish();
  auto problems = ledger->problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("never delivered to jiading"), std::string::npos) << problems[0];
}

TEST_F(SimulatorLedgerTest, RedactionIsExpectedAndAnUnredactedCopyIsCaught) {
  // A restricted dispute with another partner as the lead: that partner receives it masked.
  Planned open;
  for (int i = 0; i < 30 && (open.envelope.classification != "restricted" || !open.envelope.recipients); ++i)
    open = take("jiading", "case.open");
  ASSERT_EQ(open.envelope.classification, "restricted");
  accept(open);
  auto views = policy->admit(open.envelope, 1000).recipients;
  std::string partner;
  for (const auto& v : views)
    if (v.member != "taicang") partner = v.member;
  ASSERT_FALSE(partner.empty());
  std::string problem;
  EXPECT_EQ(ledger->received(delivery(open, partner, false), &problem), Verdict::bad);
  EXPECT_NE(problem.find("differs from what jiading sent"), std::string::npos) << problem;
  EXPECT_EQ(ledger->received(delivery(open, partner, true), &problem), Verdict::fresh) << problem;
}

TEST_F(SimulatorLedgerTest, ForeignOrMislabelledOrUndecodableDeliveriesAreBad) {
  Planned bulletin = take("jiading", "bulletin");
  accept(bulletin);
  std::string problem;
  Reception wrong_id = delivery(bulletin, "baoshan");
  wrong_id.message_id = "JD-other";
  EXPECT_EQ(ledger->received(wrong_id, &problem), Verdict::bad);
  Reception garbage = delivery(bulletin, "kunshan");
  garbage.bytes = "<not-gbk";
  EXPECT_EQ(ledger->received(garbage, &problem), Verdict::bad);
  EXPECT_NE(problem.find("does not decode with kunshan-gb"), std::string::npos) << problem;
  Planned never_sent = take("baoshan", "bulletin");
  EXPECT_EQ(ledger->received(delivery(never_sent, "jiading"), &problem), Verdict::bad);
  EXPECT_NE(problem.find("no simulated partner sent it"), std::string::npos) << problem;
  EXPECT_EQ(ledger->counts()["kunshan"].bad, 1);
}

TEST_F(SimulatorLedgerTest, RoutingOtherThanThePolicysAndWrongRefusalsAreProblems) {
  Planned minutes = take("baoshan", "meeting.minutes");
  ledger->will_send(minutes, 500);
  std::string shown;
  EXPECT_FALSE(ledger->answered(minutes, 202, R"({"id":"x","deliveries":[{"to":"taicang","state":"pending"}]})", &shown));
  Planned refused = take("kunshan", "safety.campaign", true);
  ledger->will_send(refused, 300);
  EXPECT_TRUE(ledger->answered(refused, 403,
                               R"({"error":{"code":"policy_denied","message":"no","rule":"members.kunshan.send"}})", &shown));
  EXPECT_NE(shown.find("refused as expected: 403 policy_denied (members.kunshan.send)"), std::string::npos) << shown;
  Planned accepted_instead = take("jiading", "meeting.notice", true);
  ledger->will_send(accepted_instead, 300);
  EXPECT_FALSE(ledger->answered(accepted_instead, 202, R"({"deliveries":[]})", &shown));
  EXPECT_EQ(ledger->problems().size(), 2u);
  EXPECT_EQ(ledger->refusals_shown(), 1);
}

// ------------------------------------------------------------------ the command line

TEST(SimulatorOptions, ParsesTheDemoCommandLine) {
  auto r = parse_options({"--gateway", "https://127.0.0.1:18443", "--pki", "/tmp/pki", "--members",
                          "baoshan,jiading,kunshan", "--listen", "baoshan=127.0.0.1:19001,jiading=127.0.0.1:19002",
                          "--rate", "5/s", "--count", "20", "--check", "--policy", "p.yaml"});
  ASSERT_TRUE(r.options) << r.error;
  const Options& o = *r.options;
  EXPECT_EQ(o.gateway_host, "127.0.0.1");
  EXPECT_EQ(o.gateway_port, 18443);
  EXPECT_EQ(o.listen.at("jiading").port, 19002);
  EXPECT_FALSE(o.listen.contains("kunshan"));
  EXPECT_DOUBLE_EQ(o.rate, 5);
  EXPECT_EQ(o.count, 20);
  EXPECT_TRUE(o.check);
}

TEST(SimulatorOptions, RefusesWhatItCannotPlay) {
  auto error_of = [](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--gateway", "https://127.0.0.1:8443", "--pki", "/tmp/pki"};
    args.insert(args.end(), extra.begin(), extra.end());
    return parse_options(args).error;
  };
  EXPECT_EQ(error_of({}), "");
  EXPECT_NE(error_of({"--members", "taicang"}).find("not 'taicang'"), std::string::npos);
  EXPECT_NE(error_of({"--members", "baoshan", "--listen", "jiading=127.0.0.1:1"}).find("not among --members"),
            std::string::npos);
  EXPECT_NE(error_of({"--count", "5", "--duration", "3"}).find("exclude"), std::string::npos);
  EXPECT_NE(error_of({"--rate", "0/s"}).find("--rate"), std::string::npos);
  EXPECT_NE(error_of({"--listen", "baoshan=localhost:1"}).find("--listen"), std::string::npos);
  EXPECT_NE(parse_options({"--gateway", "http://x:1", "--pki", "d"}).error.find("--gateway"), std::string::npos);
  EXPECT_NE(parse_options({"--gateway", "https://x:1"}).error.find("--pki"), std::string::npos);
}

}  // namespace
}  // namespace sixlink::sim
