#include "gateway/core/api_error.h"

#include <boost/json.hpp>

namespace sixlink {

std::string ApiError::to_json() const {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  if (!field.empty()) inner["field"] = field;
  if (!rule.empty()) inner["rule"] = rule;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return boost::json::serialize(outer);
}

ApiError invalid_field(std::string field, std::string message) {
  return ApiError{400, "invalid_field", std::move(message), std::move(field), {}, 0};
}

}  // namespace sixlink
