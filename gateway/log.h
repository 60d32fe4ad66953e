// Structured logs: one JSON object per line on stderr ({"ts","level","event",...fields}).
// Fields are chosen by the caller from configuration and fixed vocabularies; request
// bodies and key material are never logged.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sixlink {

enum class LogLevel { debug, info, warn, error };

void set_log_level(LogLevel level);
// Whether a line at `level` would be written: callers skip building fields when not.
bool log_enabled(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel* out);

using LogField = std::pair<std::string_view, std::string>;
void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace sixlink
