// Leaf conversions of the Baoshan dialect (see value_conversions.h): times, level codes,
// unit codes, code tables and coordinate text. Each answers "cannot hold" or "invalid"
// instead of throwing; the engine decides what that means (ext on encode, 400 on decode).
#include "adapters/baoshan-json/value_conversions.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "adapters/baoshan-json/gcj02.h"
#include "gateway/core/envelope.h"

namespace sixlink::baoshan {

namespace {

// ---------------------------------------------------------------- calendar

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::int64_t kBeijingMs = 8 * 3'600'000;

int digits_at(std::string_view t, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (t[i] - '0');
  return v;
}

// ---------------------------------------------------------------- numbers and text

double round_to(double v, int decimals) {
  if (!std::isfinite(v)) return v;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (r.ec != std::errc()) return v;
  double out = v;
  std::from_chars(buf, r.ptr, out);
  return out;
}

std::string fixed(double v, int decimals, bool trim) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string s(buf, r.ptr);
  if (trim && s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// A plain decimal as CAP writes coordinates: -?digits(.digits)?, nothing else.
std::optional<double> parse_decimal(std::string_view s) {
  std::size_t i = s.starts_with('-') ? 1 : 0;
  const std::size_t int_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == int_start) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac_start) return std::nullopt;
  }
  if (i != s.size() || s.size() > 40) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// "lat,lon" in range -> the point.
std::optional<gcj02::LatLon> parse_point(std::string_view s) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto lat = parse_decimal(s.substr(0, comma));
  auto lon = parse_decimal(s.substr(comma + 1));
  if (!lat || !lon || std::fabs(*lat) > 90 || std::fabs(*lon) > 180) return std::nullopt;
  return gcj02::LatLon{*lat, *lon};
}

// Converts each "lat,lon" token of a polygon (or the first token of a circle) with
// `convert`, writing `decimals` decimals; the radius of a circle is kept as it is.
template <class Convert>
std::optional<std::string> convert_points(std::string_view text, bool circle, Convert convert,
                                          int decimals, bool trim) {
  auto tokens = split_spaces(text);
  if (tokens.empty() || (circle && tokens.size() != 2)) return std::nullopt;
  if (circle && !parse_decimal(tokens[1])) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    if (circle && i == 1) {
      out += tokens[1];
      continue;
    }
    auto p = parse_point(tokens[i]);
    if (!p) return std::nullopt;
    gcj02::LatLon q = convert(*p);
    out += fixed(q.lat, decimals, trim) + "," + fixed(q.lon, decimals, trim);
  }
  return out;
}

// ---------------------------------------------------------------- leaves

bool fail(std::string& why, std::string reason) {
  why = std::move(reason);
  return false;
}

class TextLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_string()) return std::nullopt;
    return c;
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (!n.is_string()) return fail(why, "must be a string");
    out = n;
    return true;
  }
};

class NumberLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_number()) return std::nullopt;
    return c;
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (!n.is_number()) return fail(why, "must be a number");
    out = n;
    return true;
  }
};

class StringsLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_array()) return std::nullopt;
    for (const auto& e : c.get_array())
      if (!e.is_string()) return std::nullopt;
    return c;
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (!to_native(n)) return fail(why, "must be an array of strings");
    out = n;
    return true;
  }
};

class EpochMsLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_string()) return std::nullopt;
    auto ms = rfc3339_to_epoch_ms(c.get_string());
    if (!ms) return std::nullopt;
    return json::value(*ms);
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (n.is_uint64()) return fail(why, "epoch milliseconds out of range (years 1..9999)");
    if (!n.is_int64()) return fail(why, "must be an integer (epoch milliseconds, UTC)");
    auto text = epoch_ms_to_beijing(n.get_int64());
    if (!text) return fail(why, "epoch milliseconds out of range (years 1..9999)");
    out = json::string(*text);
    return true;
  }
};

class UnitLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_string()) return std::nullopt;
    auto code = unit_code_of(c.get_string());
    if (!code) return std::nullopt;
    return json::value(json::string(*code));
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (!n.is_string()) return fail(why, "must be a string (unit code or member id)");
    std::string_view s = n.get_string();
    if (is_valid_region_code(s)) {
      for (const auto& [member, code] : units())
        if (s == code) {
          out = json::string(member);
          return true;
        }
      return fail(why, "is an unknown unit code " + std::string(s) + " (not a six-link member)");
    }
    if (!is_member_id(s)) return fail(why, "is neither a unit code nor a member id");
    out = n;
    return true;
  }
  static const std::array<std::pair<std::string_view, std::string_view>, 4>& units() {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kUnits = {
        {{"taicang", "320585"},
         {"baoshan", "310113"},
         {"jiading", "310114"},
         {"kunshan", "320583"}}};
    return kUnits;
  }
};

class UnitsLeaf final : public Leaf {
 public:
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_array()) return std::nullopt;
    json::array out;
    for (const auto& e : c.get_array()) {
      auto n = unit_leaf().to_native(e);
      if (!n) return std::nullopt;
      out.push_back(std::move(*n));
    }
    return json::value(std::move(out));
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    if (!n.is_array()) return fail(why, "must be an array of unit codes or member ids");
    json::array members;
    for (std::size_t i = 0; i < n.get_array().size(); ++i) {
      json::value m;
      if (!unit_leaf().to_canonical(n.get_array()[i], m, why))
        return fail(why, "element " + std::to_string(i) + " " + why);
      members.push_back(std::move(m));
    }
    out = std::move(members);
    return true;
  }
};

class PointsLeaf final : public Leaf {
 public:
  explicit PointsLeaf(bool circle) : circle_(circle) {}
  std::optional<json::value> to_native(const json::value& c) const override {
    if (!c.is_array()) return std::nullopt;
    json::array out;
    for (const auto& e : c.get_array()) {
      if (!e.is_string()) return std::nullopt;
      auto gcj = gcj_text_from_wgs(e.get_string(), circle_);
      if (!gcj) return std::nullopt;
      out.emplace_back(*gcj);
    }
    return json::value(std::move(out));
  }
  bool to_canonical(const json::value& n, json::value& out, std::string& why) const override {
    const char* shape = circle_ ? "\"lat,lon radius\"" : "\"lat,lon lat,lon ...\"";
    if (!n.is_array()) return fail(why, std::string("must be an array of ") + shape + " strings");
    json::array wgs;
    for (std::size_t i = 0; i < n.get_array().size(); ++i) {
      const auto& e = n.get_array()[i];
      auto text = e.is_string() ? wgs_text_from_gcj(e.get_string(), circle_) : std::nullopt;
      if (!text)
        return fail(why,
                    "element " + std::to_string(i) + " must be " + shape + " (GCJ-02 degrees)");
      wgs.emplace_back(*text);
    }
    out = std::move(wgs);
    return true;
  }

 private:
  bool circle_;
};

}  // namespace

// ---------------------------------------------------------------- code tables

CodeLeaf::CodeLeaf(std::string what,
                   std::initializer_list<std::pair<std::string_view, json::value>> codes)
    : what_(std::move(what)) {
  for (const auto& [c, n] : codes) codes_.emplace_back(std::string(c), n);
}

std::optional<json::value> CodeLeaf::to_native(const json::value& c) const {
  if (!c.is_string()) return std::nullopt;
  for (const auto& [canonical, native] : codes_)
    if (c.get_string() == canonical) return native;
  return std::nullopt;
}

bool CodeLeaf::to_canonical(const json::value& n, json::value& out, std::string& why) const {
  for (const auto& [canonical, native] : codes_) {
    // Integers match integers only (2.0 is not the code 2), strings match strings.
    const bool same = native.is_int64() ? n.is_int64() && n.get_int64() == native.get_int64()
                                        : n.is_string() && n.get_string() == native.get_string();
    if (same) {
      out = json::string(canonical);
      return true;
    }
  }
  std::string list;
  for (const auto& [canonical, native] : codes_)
    list += (list.empty() ? "" : ", ") + json::serialize(native) + " " + canonical;
  why = "is not " + what_ + " (" + list + ")";
  return false;
}

const Leaf& text_leaf() {
  static const TextLeaf leaf;
  return leaf;
}
const Leaf& number_leaf() {
  static const NumberLeaf leaf;
  return leaf;
}
const Leaf& strings_leaf() {
  static const StringsLeaf leaf;
  return leaf;
}
const Leaf& epoch_ms_leaf() {
  static const EpochMsLeaf leaf;
  return leaf;
}
const Leaf& level_leaf() {
  static const CodeLeaf leaf("a level code",
                             {{"Extreme", 1}, {"Severe", 2}, {"Moderate", 3}, {"Minor", 4}});
  return leaf;
}
const Leaf& unit_leaf() {
  static const UnitLeaf leaf;
  return leaf;
}
const Leaf& units_leaf() {
  static const UnitsLeaf leaf;
  return leaf;
}
const Leaf& polygons_leaf() {
  static const PointsLeaf leaf(false);
  return leaf;
}
const Leaf& circles_leaf() {
  static const PointsLeaf leaf(true);
  return leaf;
}

// ---------------------------------------------------------------- exposed helpers

std::optional<std::int64_t> rfc3339_to_epoch_ms(std::string_view t) {
  if (!is_valid_rfc3339(t)) return std::nullopt;
  const std::int64_t days =
      days_from_civil(digits_at(t, 0, 4), digits_at(t, 5, 2), digits_at(t, 8, 2));
  // A leap second (:60) counts as the first second of the next minute.
  std::int64_t ms = days * kMsPerDay +
                    (digits_at(t, 11, 2) * 3600 + digits_at(t, 14, 2) * 60 + digits_at(t, 17, 2)) *
                        std::int64_t{1000};
  std::size_t pos = 19;
  if (t[pos] == '.') {
    int frac = 0, n = 0;
    for (++pos; pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos])); ++pos)
      if (n < 3) frac = frac * 10 + (t[pos] - '0'), ++n;  // digits past milliseconds: truncated
    while (n < 3) frac *= 10, ++n;
    ms += frac;
  }
  if (t[pos] == '+' || t[pos] == '-') {
    const std::int64_t offset = (digits_at(t, pos + 1, 2) * 60 + digits_at(t, pos + 4, 2)) * 60'000;
    ms += t[pos] == '+' ? -offset : offset;
  }
  return ms;
}

std::optional<std::string> epoch_ms_to_beijing(std::int64_t ms) {
  static const std::int64_t kMin = days_from_civil(1, 1, 1) * kMsPerDay - kBeijingMs;
  static const std::int64_t kMax = days_from_civil(10000, 1, 1) * kMsPerDay - kBeijingMs - 1;
  if (ms < kMin || ms > kMax) return std::nullopt;
  const std::int64_t local = ms + kBeijingMs;
  std::int64_t days = local / kMsPerDay, rest = local % kMsPerDay;
  if (rest < 0) rest += kMsPerDay, --days;
  std::int64_t y;
  int m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  const int sec = static_cast<int>(rest / 1000), milli = static_cast<int>(rest % 1000);
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(y), m, d,
                        sec / 3600, sec / 60 % 60, sec % 60);
  std::string out(buf, static_cast<std::size_t>(n));
  if (milli != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", milli);
    out += buf;
  }
  return out + "+08:00";
}

double round_gcj(double degrees) { return round_to(degrees, 9); }
double round_wgs(double degrees) { return round_to(degrees, 7); }

std::optional<std::string> gcj_text_from_wgs(std::string_view wgs, bool circle) {
  return convert_points(wgs, circle, gcj02::from_wgs84, 9, false);
}

std::optional<std::string> wgs_text_from_gcj(std::string_view gcj, bool circle) {
  return convert_points(gcj, circle, gcj02::to_wgs84, 7, true);
}

std::optional<std::string> unit_code_of(std::string_view member_id) {
  for (const auto& [member, code] : UnitLeaf::units())
    if (member_id == member) return std::string(code);
  if (is_member_id(member_id)) return std::string(member_id);
  return std::nullopt;
}

}  // namespace sixlink::baoshan
