// The CAP 1.2 schema as tables (one per complex type, in the schema's element order), and
// one reader and one writer driven by them: the order on output is the table's, so encoded
// documents follow cap12.xsd's sequences.
#include "adapters/jiading-cap/cap_codec.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>

#include "adapters/jiading-cap/xml_text.h"

namespace sixlink::jiading {
namespace json = boost::json;

namespace {

enum class Shape {
  text,
  time,
  language,
  uri,
  integer,
  decimal,
  enumerated,
  pair,
  info,
  resource,
  area
};

struct Element {
  std::string_view name;
  Shape shape;
  bool required = false;
  bool repeated = false;
  std::span<const std::string_view> values = {};  // the enumeration, for Shape::enumerated
};

constexpr std::string_view kStatus[] = {"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::string_view kMsgType[] = {"Alert", "Update", "Cancel", "Ack", "Error"};
constexpr std::string_view kScope[] = {"Public", "Restricted", "Private"};
constexpr std::string_view kCategory[] = {"Geo",       "Met",   "Safety", "Security",
                                          "Rescue",    "Fire",  "Health", "Env",
                                          "Transport", "Infra", "CBRNE",  "Other"};
constexpr std::string_view kResponseType[] = {"Shelter", "Evacuate", "Prepare",  "Execute", "Avoid",
                                              "Monitor", "Assess",   "AllClear", "None"};
constexpr std::string_view kUrgency[] = {"Immediate", "Expected", "Future", "Past", "Unknown"};
constexpr std::string_view kSeverity[] = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"};
constexpr std::string_view kCertainty[] = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};

using S = Shape;
const Element kAlert[] = {
    {"identifier", S::text, true},
    {"sender", S::text, true},
    {"sent", S::time, true},
    {"status", S::enumerated, true, false, kStatus},
    {"msgType", S::enumerated, true, false, kMsgType},
    {"source", S::text},
    {"scope", S::enumerated, true, false, kScope},
    {"restriction", S::text},
    {"addresses", S::text},
    {"code", S::text, false, true},
    {"note", S::text},
    {"references", S::text},
    {"incidents", S::text},
    {"info", S::info, false, true},
};
const Element kInfo[] = {
    {"language", S::language},
    {"category", S::enumerated, true, true, kCategory},
    {"event", S::text, true},
    {"responseType", S::enumerated, false, true, kResponseType},
    {"urgency", S::enumerated, true, false, kUrgency},
    {"severity", S::enumerated, true, false, kSeverity},
    {"certainty", S::enumerated, true, false, kCertainty},
    {"audience", S::text},
    {"eventCode", S::pair, false, true},
    {"effective", S::time},
    {"onset", S::time},
    {"expires", S::time},
    {"senderName", S::text},
    {"headline", S::text},
    {"description", S::text},
    {"instruction", S::text},
    {"web", S::uri},
    {"contact", S::text},
    {"parameter", S::pair, false, true},
    {"resource", S::resource, false, true},
    {"area", S::area, false, true},
};
const Element kResource[] = {
    {"resourceDesc", S::text, true},
    {"mimeType", S::text, true},
    {"size", S::integer},
    {"uri", S::uri},
    {"derefUri", S::text},
    {"digest", S::text},
};
const Element kArea[] = {
    {"areaDesc", S::text, true},      {"polygon", S::text, false, true},
    {"circle", S::text, false, true}, {"geocode", S::pair, false, true},
    {"altitude", S::decimal},         {"ceiling", S::decimal},
};
const Element kPair[] = {{"valueName", S::text, true}, {"value", S::text, true}};

std::span<const Element> children_of(Shape shape) {
  switch (shape) {
    case S::info:
      return kInfo;
    case S::resource:
      return kResource;
    case S::area:
      return kArea;
    case S::pair:
      return kPair;
    default:
      return {};
  }
}

bool is_compound(Shape s) { return !children_of(s).empty(); }

bool in_enum(const Element& el, std::string_view v) {
  return std::find(el.values.begin(), el.values.end(), v) != el.values.end();
}

// ---------------------------------------------------------------- numbers

std::optional<json::value> parse_integer(std::string_view t) {
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty() || t.front() == '+') return std::nullopt;
  std::int64_t i;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
  if (ec == std::errc() && p == t.data() + t.size()) return json::value(i);
  std::uint64_t u;
  auto [pu, ecu] = std::from_chars(t.data(), t.data() + t.size(), u);
  if (ecu == std::errc() && pu == t.data() + t.size()) return json::value(u);
  return std::nullopt;
}

// xs:decimal: [+-]?(digits(.digits?)?|.digits). Whole numbers stay integers (as JSON would
// read them), anything with a point becomes a double, so a value keeps its kind both ways.
std::optional<json::value> parse_decimal(std::string_view t) {
  std::string_view body = t;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) body.remove_prefix(1);
  std::size_t digits = 0, points = 0;
  for (char c : body) {
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '.')
      ++points;
    else
      return std::nullopt;
  }
  if (digits == 0 || points > 1) return std::nullopt;
  if (points == 0)
    if (auto i = parse_integer(t)) return i;
  std::string_view num = (!t.empty() && t.front() == '+') ? t.substr(1) : t;
  double d;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), d, std::chars_format::fixed);
  if (ec != std::errc() || p != num.data() + num.size() || !std::isfinite(d)) return std::nullopt;
  return json::value(d);
}

std::optional<std::string> decimal_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (!v.is_double() || !std::isfinite(v.get_double())) return std::nullopt;
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
  if (ec != std::errc()) return std::nullopt;
  std::string s(buf, end);
  if (s.find('.') == std::string::npos) s += ".0";  // read back as a double, not an integer
  return s;
}

// ---------------------------------------------------------------- reading

Result<json::object> read_children(const pugi::xml_node& node, std::string_view prefix,
                                   std::span<const Element> schema, const std::string& path);

Result<json::value> read_value(const pugi::xml_node& node, std::string_view prefix,
                               const Element& el, const std::string& field) {
  if (is_compound(el.shape)) {
    auto o = read_children(node, prefix, children_of(el.shape), field);
    if (!o) return o.error();
    return json::value(std::move(o.value()));
  }
  auto text = leaf_text(node, field);
  if (!text) return text.error();
  const std::string& t = text.value();
  switch (el.shape) {
    case S::enumerated:
      if (!in_enum(el, t)) {
        std::string list;
        for (auto v : el.values) list += (list.empty() ? "" : ", ") + std::string(v);
        return invalid_field(field,
                             "not a CAP 1.2 <" + std::string(el.name) + "> value (" + list + ")");
      }
      return json::value(t);
    case S::integer:
      if (auto v = parse_integer(trim_xml_space(t))) return *v;
      return invalid_field(field, "<" + std::string(el.name) + "> must be an integer");
    case S::decimal:
      if (auto v = parse_decimal(trim_xml_space(t))) return *v;
      return invalid_field(field, "<" + std::string(el.name) + "> must be a decimal number");
    default:
      return json::value(t);
  }
}

Result<json::object> read_children(const pugi::xml_node& node, std::string_view prefix,
                                   std::span<const Element> schema, const std::string& path) {
  if (has_text(node))
    return invalid_xml("<" + std::string(local_name(node)) + "> holds elements, not text (at " +
                       path + ")");
  json::object out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    auto el = std::find_if(schema.begin(), schema.end(),
                           [&](const Element& e) { return has_name(c, prefix, e.name); });
    if (el == schema.end())
      return invalid_xml("<" + std::string(c.name()) + "> is not a CAP 1.2 element of <" +
                         std::string(local_name(node)) + "> (at " + path + ")");
    std::string field = path + "." + std::string(el->name);
    if (el->repeated) {
      json::value& slot = out[el->name];
      if (!slot.is_array()) slot = json::array();
      field += "[" + std::to_string(slot.get_array().size()) + "]";
      auto v = read_value(c, prefix, *el, field);
      if (!v) return v.error();
      out[el->name].get_array().push_back(std::move(v.value()));
    } else {
      if (out.contains(el->name))
        return invalid_field(field, "<" + std::string(el->name) + "> appears more than once");
      auto v = read_value(c, prefix, *el, field);
      if (!v) return v.error();
      out[el->name] = std::move(v.value());
    }
  }
  for (const Element& el : schema)
    if (el.required && !out.contains(el.name))
      return invalid_field(path + "." + std::string(el.name),
                           "CAP 1.2 requires <" + std::string(el.name) + "> in <" +
                               std::string(local_name(node)) + ">");
  return out;
}

// ---------------------------------------------------------------- writing

void write_children(pugi::xml_node parent, const json::object& o, std::span<const Element> schema,
                    const std::vector<std::string>* extra_codes);

pugi::xml_node add_text(pugi::xml_node parent, std::string_view name, std::string_view text) {
  pugi::xml_node n = parent.append_child(std::string(name).c_str());
  std::string safe = xml_safe(text);
  if (!safe.empty()) n.text().set(safe.c_str());
  return n;
}

// xs:language: [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*
bool is_language(std::string_view s) {
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    std::size_t end = s.find('-', start);
    std::string_view part = s.substr(start, end == std::string_view::npos ? s.npos : end - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part)
      if (!(std::isalpha(static_cast<unsigned char>(c)) ||
            (!first && std::isdigit(static_cast<unsigned char>(c)))))
        return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// Writes one value of element `el`; false when the schema cannot take it (left out).
bool write_value(pugi::xml_node parent, const Element& el, const json::value& v) {
  switch (el.shape) {
    case S::text:
      if (!v.is_string()) return false;
      if (el.name == "code" && v.get_string().starts_with("sixlink:")) return false;  // reserved
      add_text(parent, el.name, v.get_string());
      return true;
    case S::time: {
      if (!v.is_string()) return false;
      auto t = cap_time(v.get_string());
      if (!t && !el.required) return false;
      add_text(parent, el.name, t ? *t : std::string(v.get_string()));
      return true;
    }
    case S::language:
      if (!v.is_string() || !is_language(v.get_string())) return false;
      add_text(parent, el.name, v.get_string());
      return true;
    case S::uri:
      if (!v.is_string()) return false;
      add_text(parent, el.name, v.get_string());
      return true;
    case S::enumerated:
      if (!v.is_string() || !in_enum(el, v.get_string())) return false;
      add_text(parent, el.name, v.get_string());
      return true;
    case S::integer:
      if (!v.is_int64() && !v.is_uint64()) return false;
      add_text(parent, el.name, *decimal_text(v));
      return true;
    case S::decimal: {
      auto t = decimal_text(v);
      if (!t) return false;
      add_text(parent, el.name, *t);
      return true;
    }
    default:
      break;
  }
  if (!v.is_object()) return false;
  const json::object& o = v.get_object();
  // Elements the schema requires inside these have no sensible empty value: leave it out.
  for (const Element& c : children_of(el.shape))
    if (c.required && el.shape != S::info && el.shape != S::area &&
        !(o.contains(c.name) && o.at(c.name).is_string()))
      return false;
  write_children(parent.append_child(std::string(el.name).c_str()), o, children_of(el.shape),
                 nullptr);
  return true;
}

void write_children(pugi::xml_node parent, const json::object& o, std::span<const Element> schema,
                    const std::vector<std::string>* extra_codes) {
  for (const Element& el : schema) {
    auto it = o.find(el.name);
    if (it != o.end()) {
      if (el.repeated && it->value().is_array()) {
        for (const auto& v : it->value().get_array()) write_value(parent, el, v);
      } else if (!el.repeated && !write_value(parent, el, it->value()) && el.required &&
                 el.shape == S::text) {
        add_text(parent, el.name, "");  // keep the document schema-valid
      }
    } else if (el.required && el.shape == S::text) {
      add_text(parent, el.name, "");
    }
    if (el.name == "code" && extra_codes)
      for (const auto& c : *extra_codes) add_text(parent, "code", c);
  }
}

}  // namespace

Result<json::object> read_cap_alert(const pugi::xml_node& alert) {
  return read_children(alert, name_prefix(alert), kAlert, "body");
}

void write_cap_alert(pugi::xml_node alert, const json::object& body,
                     const std::vector<std::string>& extra_codes) {
  write_children(alert, body, kAlert, &extra_codes);
}

std::optional<std::string> cap_time(std::string_view t) {
  if (!is_valid_rfc3339(t)) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  int hour = num(11, 2), minute = num(14, 2), second = std::min(num(17, 2), 59);
  std::size_t pos = 19;
  if (t[pos] == '.')
    while (++pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
    }
  int sign = 1, off_h = 0, off_m = 0;
  if (t[pos] == '+' || t[pos] == '-') {
    sign = t[pos] == '-' ? -1 : 1;
    off_h = num(pos + 1, 2);
    off_m = num(pos + 4, 2);
  }
  char buf[128];
  if (off_h > 14 || (off_h == 14 && off_m > 0)) {  // xs:dateTime offsets stop at ±14:00
    using namespace std::chrono;
    sys_seconds tp = sys_days{year_month_day{std::chrono::year{year}, std::chrono::month(month),
                                             std::chrono::day(day)}} +
                     hours{hour} + minutes{minute} + seconds{second};
    tp -= (hours{off_h} + minutes{off_m}) * sign;
    auto dp = floor<days>(tp);
    year_month_day u{dp};
    hh_mm_ss hms{tp - dp};
    year = static_cast<int>(u.year());
    if (year < 1) return std::nullopt;
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+00:00", year,
                  static_cast<unsigned>(u.month()), static_cast<unsigned>(u.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return std::string(buf);
  }
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month, day, hour,
                minute, second, sign < 0 ? '-' : '+', off_h, off_m);
  return std::string(buf);
}

}  // namespace sixlink::jiading
