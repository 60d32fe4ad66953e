// Kind-specific rules for the envelope body (DESIGN §3): what an alert, a case or a
// patrol message must carry. Errors name the field as a path ("body.info[0].severity").
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "gateway/core/api_error.h"

namespace sixlink {

std::optional<ApiError> validate_body(std::string_view kind, const boost::json::object& body);

// Case states (DESIGN §3).
bool is_case_state(std::string_view state);

}  // namespace sixlink
