#include "gateway/log.h"

#include <boost/json.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

#include "gateway/core/text.h"

namespace sixlink {

namespace {

std::atomic<LogLevel> g_level{LogLevel::info};

const char* name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

}  // namespace

void set_log_level(LogLevel level) { g_level = level; }

bool log_enabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

bool parse_log_level(std::string_view text, LogLevel* out) {
  for (auto l : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
    if (text == name(l)) return *out = l, true;
  return false;
}

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!log_enabled(level)) return;
  boost::json::object o;
  o["ts"] = timestamp();
  o["level"] = name(level);
  o["event"] = event;
  for (const auto& [k, v] : fields) o[k] = to_valid_utf8(v);  // values may quote input
  std::string line = boost::json::serialize(o);
  line += '\n';
  // One write per line: lines from several threads never interleave.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace sixlink
