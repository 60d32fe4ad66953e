#include "gateway/core/json_text.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <vector>
#include <cmath>

namespace sixlink {

namespace {

void append(std::string& out, const boost::json::value& v);

template <class Integer>
void append_integer(std::string& out, Integer n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void append_object(std::string& out, const boost::json::object& o, bool sorted) {
  std::vector<const boost::json::key_value_pair*> members;
  members.reserve(o.size());
  for (const auto& kv : o) members.push_back(&kv);
  if (sorted)
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  out += '{';
  bool first = true;
  for (const auto* kv : members) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, kv->key());
    out += ':';
    append(out, kv->value());
  }
  out += '}';
}

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no NaN or infinity; Boost.JSON never parses them
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<std::size_t>(end - buf));
  out += s;
  // Keep it a double when read back: "2" would come back as an integer.
  if (s.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      return append_integer(out, v.get_int64());
    case boost::json::kind::uint64:
      return append_integer(out, v.get_uint64());
    case boost::json::kind::double_:
      return append_double(out, v.get_double());
    case boost::json::kind::string:
      return append_json_string(out, v.get_string());
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object:
      return append_object(out, v.get_object(), true);
  }
}

}  // namespace

// As Boost.JSON's serializer escapes: '"', '\\', and the control characters below 0x20
// (\b \t \n \f \r by name, the others as \u00xx); everything else, UTF-8 included, as is.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\f':
        out += 'f';
        break;
      case '\r':
        out += 'r';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void append_canonical_json(std::string& out, const boost::json::value& v) { append(out, v); }
void append_canonical_json(std::string& out, const boost::json::object& o) {
  append_object(out, o, true);
}

std::string canonical_json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(256);
  append(out, v);
  return out;
}

std::string canonical_json_text_keeping_top_order(const boost::json::object& o) {
  std::string out;
  out.reserve(512);
  append_object(out, o, false);
  return out;
}

}  // namespace sixlink
