// Times of the case registry and its report: RFC 3339 text <-> epoch milliseconds, and
// calendar days in Beijing time (UTC+8), the day the joint meetings count in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sixlink::cases {

inline constexpr int64_t kDayMs = 86'400'000;
inline constexpr int64_t kBeijingOffsetMs = 8 * 3'600'000;

// "2026-04-12T09:30:00+08:00" (fraction and Z allowed) -> epoch ms; nullopt if malformed.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);
// Epoch ms -> "2026-04-12T09:30:00+08:00" (Beijing time, whole seconds).
std::string format_beijing(int64_t ms);

// The Beijing calendar day of an instant, as days since 1970-01-01.
int64_t beijing_day(int64_t ms);
// "2026-04-12" -> day number; nullopt if not a valid date.
std::optional<int64_t> parse_date(std::string_view text);
// Day number -> "2026-04-12".
std::string format_date(int64_t day);
// The first millisecond of a Beijing day.
int64_t day_start_ms(int64_t day);

}  // namespace sixlink::cases
