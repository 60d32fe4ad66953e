// The contract error body (DESIGN §4): {"error":{"code","message","field"?,"rule"?}}
// with its HTTP status. Request handlers return these; they never throw.
#pragma once

#include <string>

namespace sixlink {

struct ApiError {
  int status = 400;
  std::string code;     // invalid_field, invalid_json, forbidden_source, policy_denied, ...
  std::string message;  // for a human; never echoes personal data
  std::string field;    // JSON path of the offending field, when one is to blame
  std::string rule;     // policy rule that denied, when a policy denied
  int retry_after_s = 0;  // > 0: sent as Retry-After (429, 503)

  std::string to_json() const;
};

ApiError invalid_field(std::string field, std::string message);

}  // namespace sixlink
