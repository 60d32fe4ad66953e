// Civil-date arithmetic after H. Hinnant's days_from_civil / civil_from_days (public
// domain algorithms), so no time zone database or locale is involved.
#include "gateway/cases/case_time.h"

#include <charconv>
#include <cstdio>

namespace sixlink::cases {
namespace {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Reads exactly `n` digits at text[at].
bool digits(std::string_view text, std::size_t at, std::size_t n, int* out) {
  if (at + n > text.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  std::from_chars(text.data() + at, text.data() + at + n, *out);
  return true;
}

bool valid_date(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<int64_t> date_at(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, &y) ||
      !digits(text, 5, 2, &m) || !digits(text, 8, 2, &d) || !valid_date(y, m, d))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

}  // namespace

std::optional<int64_t> parse_rfc3339_ms(std::string_view t) {
  auto day = date_at(t);
  int hh = 0, mm = 0, ss = 0;
  if (!day || t.size() < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' ||
      t[16] != ':' || !digits(t, 11, 2, &hh) || !digits(t, 14, 2, &mm) || !digits(t, 17, 2, &ss) ||
      hh > 23 || mm > 59 || ss > 60)
    return std::nullopt;
  std::size_t i = 19;
  int64_t frac_ms = 0;
  if (t[i] == '.') {
    int64_t scale = 100;
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, scale /= 10) frac_ms += (t[i] - '0') * scale;
  }
  int64_t offset_ms = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else {
    int oh = 0, om = 0;
    if (i + 6 != t.size() || (t[i] != '+' && t[i] != '-') || t[i + 3] != ':' ||
        !digits(t, i + 1, 2, &oh) || !digits(t, i + 4, 2, &om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_ms = (oh * 60 + om) * 60'000LL * (t[i] == '-' ? -1 : 1);
    i += 6;
  }
  if (i != t.size()) return std::nullopt;
  return *day * kDayMs + (hh * 3600 + mm * 60 + std::min(ss, 59)) * 1000LL + frac_ms - offset_ms;
}

int64_t beijing_day(int64_t ms) {
  int64_t local = ms + kBeijingOffsetMs;
  return local >= 0 ? local / kDayMs : -((-local + kDayMs - 1) / kDayMs);
}

int64_t day_start_ms(int64_t day) { return day * kDayMs - kBeijingOffsetMs; }

std::optional<int64_t> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return date_at(text);
}

std::string format_date(int64_t day) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_beijing(int64_t ms) {
  int64_t day = beijing_day(ms);
  int64_t in_day = (ms + kBeijingOffsetMs) - day * kDayMs;
  int64_t s = in_day / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld+08:00", format_date(day).c_str(),
                static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf;
}

}  // namespace sixlink::cases
