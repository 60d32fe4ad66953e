#include "gateway/core/json_text.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <vector>
#include <cmath>

namespace sixlink {

namespace {

void append(std::string& out, const boost::json::value& v);

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
    out += boost::json::serialize(boost::json::string_view(kv->key()));
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
    case boost::json::kind::object:
      return append_object(out, v.get_object(), true);
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

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
