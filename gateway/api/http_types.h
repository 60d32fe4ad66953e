// Transport-neutral request and response types: the listeners (Beast) translate to
// and from these, so request handlers compile without Asio or Beast headers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/api_error.h"

namespace sixlink {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string content_type;
  std::string recipients_header;  // Sixlink-Recipients
  std::string body;
  std::chrono::steady_clock::time_point received_at;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;          // end the connection after this answer
  std::string message_id = {};  // "source/id" of the message it concerns, for the access log
};

// Completes a request. Called exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;

HttpResponse json_response(int status, std::string body);
HttpResponse error_response(const ApiError& error);

// Splits "/v1/inbox?after=5&limit=10" into the path and a query-parameter lookup.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded
  const std::string* param(std::string_view name) const;
  // The first name given more than once, if any: such a query is refused, since param()
  // would quietly take the first value.
  const std::string* repeated_param() const;
};
Target parse_target(std::string_view target);

// The access log (DESIGN §5 logs): one JSON line per request, written when the answer is
// ready. Never the body: only sizes, the status and the message id the answer concerns.
void log_access(std::string_view listener, const std::string& member, const std::string& method,
                const std::string& path, const HttpResponse& r, std::size_t bytes_in,
                std::chrono::steady_clock::time_point started);

}  // namespace sixlink
