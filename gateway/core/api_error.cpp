#include "gateway/core/api_error.h"

#include <boost/json.hpp>

#include "gateway/core/text.h"

namespace sixlink {

std::string ApiError::to_json() const {
  boost::json::object inner;
  // The message and field may quote request input (a path, a parameter name), which may
  // not be UTF-8; the body must be valid JSON all the same.
  inner["code"] = code;
  inner["message"] = to_valid_utf8(message);
  if (!field.empty()) inner["field"] = to_valid_utf8(field);
  if (!rule.empty()) inner["rule"] = to_valid_utf8(rule);
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return boost::json::serialize(outer);
}

ApiError invalid_field(std::string field, std::string message) {
  return ApiError{400, "invalid_field", std::move(message), std::move(field), {}, 0};
}

}  // namespace sixlink
