#include "gateway/api/http_types.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "gateway/log.h"

namespace sixlink {

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(const ApiError& error) {
  HttpResponse r = json_response(error.status, error.to_json());
  if (error.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retry_after_s));
  return r;
}

namespace {

// Percent-decoding; '+' means a space only in a query (form encoding), not in a path.
std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

const std::string* Target::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

const std::string* Target::repeated_param() const {
  std::vector<const std::string*> names;
  for (const auto& [k, v] : query) names.push_back(&k);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  auto twice = std::adjacent_find(names.begin(), names.end(), [](auto* a, auto* b) { return *a == *b; });
  return twice == names.end() ? nullptr : *twice;
}

Target parse_target(std::string_view target) {
  Target t;
  std::size_t q = target.find('?');
  t.path = percent_decode(target.substr(0, q), false);
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    std::size_t eq = pair.find('=');
    t.query.emplace_back(percent_decode(pair.substr(0, eq), true),
                         eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return t;
}

void log_access(std::string_view listener, const std::string& member, const std::string& method,
                const std::string& path, const HttpResponse& r, std::size_t bytes_in,
                std::chrono::steady_clock::time_point started) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  log_event(LogLevel::info, "access",
            {{"listener", std::string(listener)}, {"member", member}, {"method", method}, {"path", path},
             {"status", std::to_string(r.status)}, {"bytes_in", std::to_string(bytes_in)},
             {"bytes_out", std::to_string(r.body.size())}, {"duration_us", std::to_string(us.count())},
             {"message", r.message_id}});
}

}  // namespace sixlink
