#include "gateway/core/json_text.h"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace sixlink {

namespace {

void append(std::string& out, const boost::json::value& v);

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
    case boost::json::kind::double_:
      return append_double(out, v.get_double());
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
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(kv.key()));
        out += ':';
        append(out, kv.value());
      }
      out += '}';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(256);
  append(out, v);
  return out;
}

}  // namespace sixlink
