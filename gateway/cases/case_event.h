// From a case.* envelope to the registry event the store's writer decides on
// (store::CaseEvent), with the checks that need no case state: the lead named is a
// configured member, and body.status agrees with the kind (case.open says "open",
// case.transfer "transferred", case.close "closed"). What needs the case's current row
// is the state machine's (case_transitions.h), run inside the store transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/envelope.h"
#include "gateway/store/store.h"

namespace sixlink::cases {

// joint_mediation and joint_governance: the links whose case.* messages are registered.
bool is_case_link(std::string_view link);

// Sets *event for a case.* message of a case link (leaves it empty otherwise); a 400
// naming the field when the message can never be a legal case event.
std::optional<ApiError> make_case_event(const Envelope& envelope, const GatewayConfig& config,
                                        const std::vector<std::string>& recipients,
                                        std::optional<store::CaseEvent>* event);

}  // namespace sixlink::cases
