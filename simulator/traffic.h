// The simulator's traffic generator: what each simulated partner sends next, as a canonical
// envelope (the simulator encodes it with the partner's own adapter before sending).
//
// Every partner draws from a shuffled round of everything it sends: an alert, a bulletin,
// meeting minutes, a safety indicator, a mediation case, a governance case (not Kunshan:
// the shipped policy gives it no joint_governance), a patrol along its border line, and one
// deliberately refused message (a kind only Taicang may send, a link it may not use, a
// recipient that may not receive, a forged source). Cases and patrols are flows: a case is
// opened by one partner with a lead (itself or another simulated partner), then the lead
// accepts it, works on it, resolves and closes it; a patrol is planned, reports positions
// and an incident. A flow's next step is released only once the gateway accepted the
// previous one, so the case registry sees every case in a legal order.
//
// Owns: choosing and building messages. Leaves to the simulation: sending, pacing, answers.
// Not thread-safe (the simulation runs on one thread).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gateway/core/envelope.h"

namespace sixlink::sim {

// What the gateway should answer.
struct Expectation {
  int status = 202;   // 202 for ordinary traffic (200 for a resend is as good)
  std::string code;   // error code of a deliberate refusal: policy_denied, forbidden_source
  std::string rule;   // the rule the refusal names, when the gateway names one
  std::string why;    // one line for a newcomer: why this is refused
};

struct Planned {
  std::string member;  // the simulated partner that sends it (its certificate)
  Envelope envelope;   // canonical; its source differs from member only for a forged source
  Expectation expect;
  int flow = 0;        // > 0: a step of that case or patrol flow
  bool refusal() const { return expect.status != 202; }
};

class TrafficGenerator {
 public:
  // `members`: the simulated partners (baoshan, jiading, kunshan or a subset).
  // `run_stamp`: makes message and case ids unique per run ("20260412093000").
  TrafficGenerator(std::vector<std::string> members, std::string run_stamp, uint32_t seed);

  // The next message `member` sends: a released flow step first, else (when allow_fresh)
  // the next item of its round. nullopt: nothing to send now.
  std::optional<Planned> next_for(const std::string& member, bool allow_fresh);
  // The gateway's answer to `planned` was as expected (or not): its flow moves on (or stops).
  void on_answer(const Planned& planned, bool as_expected);
  // Flows started and not yet finished or abandoned.
  std::size_t flows_in_progress() const { return flows_.size(); }

  // The current Beijing time as RFC 3339 ("2026-04-12T09:30:00+08:00"), shifted by `seconds`.
  static std::string beijing_time(int64_t seconds_from_now = 0);

 private:
  enum class Item { alert, bulletin, minutes, indicator, mediation, governance, patrol, refusal };
  struct Step {
    std::string sender;
    Planned planned;
  };
  struct Flow {
    std::vector<Step> steps;
    std::size_t next = 0;  // the step waiting for release or an answer
    bool waiting = false;  // the step `next` was handed out, no answer yet
  };

  std::vector<Item> round_for(const std::string& member);
  Planned fresh(const std::string& member, Item item);
  Planned message(const std::string& member, const std::string& link, const std::string& kind);
  Planned alert(const std::string& member);
  Planned bulletin(const std::string& member);
  Planned minutes(const std::string& member);
  Planned indicator(const std::string& member);
  Planned refusal(const std::string& member);
  Planned start_case(const std::string& member, const std::string& link);
  Planned start_patrol(const std::string& member);
  Planned start_flow(std::vector<Step> steps);
  std::string choose_lead(const std::string& opener, const std::string& link);
  std::string next_id(const std::string& member);
  double jitter(double value, double range);
  bool simulated(const std::string& member) const;

  std::vector<std::string> members_;
  std::string run_stamp_;
  std::mt19937 rng_;
  std::map<std::string, std::deque<Item>> rounds_;
  std::map<std::string, std::deque<Planned>> released_;  // flow steps ready, per sender
  std::map<int, Flow> flows_;
  std::map<std::string, int> counters_;  // per member: message ids, cases, patrols, refusals
  int next_flow_ = 1;
};

}  // namespace sixlink::sim
