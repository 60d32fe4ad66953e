// What the simulated partners sent, what the gateway answered and what each partner
// received, and the checks between them:
//   - every ordinary message is accepted (202, or 200 for a resend), and its deliveries are
//     those the shipped policy routes it to (when the policy file is given);
//   - every deliberate refusal is refused with the expected status, code and rule;
//   - every delivery decodes with the receiver's own adapter, is valid, names the message
//     id and source of a message a simulated partner actually sent and the gateway
//     accepted, and equals the receiver's view of it (the policy's redaction applied);
//   - at the end, every delivery the gateway announced to a simulated partner (explicit
//     recipients included) has arrived, exactly once after de-duplication.
//
// Owns: bookkeeping and verdicts. Leaves to the simulation: the network.
// Thread-safe (one mutex), although the simulation calls it from one thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "simulator/traffic.h"

namespace sixlink::sim {

// One native document as a simulated partner received it (push or inbox).
struct Reception {
  std::string receiver;      // the simulated partner
  std::string message_id;    // Sixlink-Message-Id, or the inbox entry's id
  std::string source;        // Sixlink-Source, or the inbox entry's source
  std::string content_type;  // as delivered
  std::string bytes;         // the native document
};

enum class Verdict { fresh, duplicate, bad };

struct MemberCounts {
  int sent = 0;           // messages answered (or given up on)
  int accepted = 0;       // 202/200
  int refused = 0;        // deliberate refusals refused as expected
  int unexpected = 0;     // answers that were not what was expected, or none at all
  int received = 0;       // distinct deliveries received and checked
  int duplicates = 0;     // deliveries received again (at-least-once), de-duplicated
  int bad = 0;            // deliveries that failed a check
  int from_others = 0;    // good deliveries from members the simulator does not play
};

// The shipped policy loaded for the four members of the federation (scenery.h), as the
// gateway loads it; nullptr with *error set when the file has errors.
std::shared_ptr<const Policy> load_federation_policy(const std::string& file, std::string* error);

class Ledger {
 public:
  // `policy` may be null: routing and redaction are then not predicted, and deliveries of
  // restricted messages are not compared with what was sent.
  Ledger(std::vector<std::string> simulated, std::shared_ptr<const Policy> policy);

  // Before the first attempt to send `p`; `body_bytes` is the size of its native document.
  void will_send(const Planned& p, std::size_t body_bytes);
  // The gateway's answer to `p` (not a 429/503 that is retried). True when as expected;
  // *shown is a line for the terminal about a refusal (empty for an ordinary acceptance).
  bool answered(const Planned& p, int status, const std::string& body, std::string* shown);
  // No answer came for `p` despite retries.
  void gave_up(const Planned& p, const std::string& why);
  // Checks one delivery; *problem says what is wrong when the verdict is bad.
  Verdict received(const Reception& r, std::string* problem);

  // Every delivery announced to a simulated partner has arrived.
  bool all_delivered() const;
  // Deliveries still missing, and deliveries to partners the gateway did not route to,
  // become problems. Call once, when the run is over.
  void finish();

  std::vector<std::string> problems() const;
  std::map<std::string, MemberCounts> counts() const;
  int refusals_shown() const;
  // {"ok":…, "members":{…counts…}, "refusals_as_expected":N, "problems":[…]}
  std::string summary_json() const;

 private:
  struct Record {
    Planned planned;
    std::size_t bytes = 0;
    enum class State { sending, accepted, refused, failed } state = State::sending;
    std::set<std::string> routed;  // simulated partners among the gateway's deliveries
    std::set<std::string> got;     // simulated partners that received it
  };
  void problem(std::string text);
  bool simulated(const std::string& member) const;
  std::string check_routing(const Record& r, const std::set<std::string>& all_routed) const;
  std::string check_content(const Record& r, const std::string& receiver, const Envelope& got) const;

  std::vector<std::string> simulated_;
  std::shared_ptr<const Policy> policy_;
  mutable std::mutex mutex_;
  std::map<std::string, Record> records_;  // "<sending member>/<id>"
  std::map<std::string, MemberCounts> counts_;
  std::vector<std::string> problems_;
  int refusals_shown_ = 0;
  bool finished_ = false;
};

}  // namespace sixlink::sim
