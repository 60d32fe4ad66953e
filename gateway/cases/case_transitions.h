// The case state machine (DESIGN §3; the table is in gateway/cases/README.md): which
// case.* message may move a case from which state, and who may send it. A pure
// function of the case's current row and the event, so the store's writer can run it
// inside the transaction that stores the message, against the row as it is right then.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/store.h"

namespace sixlink::cases {

// Case states (DESIGN §3, contract).
inline constexpr const char* kOpen = "open";
inline constexpr const char* kAccepted = "accepted";
inline constexpr const char* kInProgress = "in_progress";
inline constexpr const char* kResolved = "resolved";
inline constexpr const char* kClosed = "closed";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kTransferred = "transferred";
// The state named in a refusal for a case that was never opened.
inline constexpr const char* kNone = "none";

// closed and rejected: nothing moves a case out of them.
bool is_final_state(std::string_view state);

// What the writer knows of the case right now.
struct CaseSnapshot {
  std::string link, origin, lead, status;
  std::optional<int64_t> deadline_ms = {};
  std::string closure_criteria;
  bool actor_is_party = false;  // the event's actor is origin, a lead, or a recipient
};

struct Transition {
  bool legal = false;
  std::string to_state;   // legal: the state after the event
  std::string new_lead;   // legal: the lead after the event
  store::CaseRefusal refusal;  // illegal: why, naming the current state
};

// Decides `event` against `current` (nullopt: no such case yet).
Transition decide(const std::optional<CaseSnapshot>& current, const store::CaseEvent& event);

}  // namespace sixlink::cases
