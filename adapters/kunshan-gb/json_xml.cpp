// The typed value mapping: see json_xml.h.
#include "adapters/kunshan-gb/json_xml.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "adapters/kunshan-gb/xml_reader.h"
#include "gateway/core/text.h"

namespace sixlink::kunshan_gb {
namespace json = boost::json;

namespace {

std::string double_text(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

Result<json::value> read_string(const pugi::xml_node& node, const std::string& path,
                                std::string_view encoding) {
  auto text = leaf_text(node, path, true);
  if (!text) return text.error();
  if (encoding.empty()) return json::value(text.value());
  if (encoding != "base64") return invalid_field(path, "encoding must be base64");
  auto bytes = base64_decode(text.value());
  if (!bytes) return invalid_field(path, "not valid base64");
  if (!is_valid_utf8(*bytes)) return invalid_field(path, "base64 text is not UTF-8");
  return json::value(*bytes);
}

Result<json::value> read_scalar(std::string_view type, const std::string& text,
                                const std::string& path) {
  if (type == "integer") {
    std::int64_t i = 0;
    std::uint64_t u = 0;
    if (parse_number(text, i)) return json::value(i);
    if (parse_number(text, u)) return json::value(u);
    return invalid_field(path, "not an integer");
  }
  if (type == "number") {
    double d = 0;
    if (!parse_number(text, d) || !std::isfinite(d))
      return invalid_field(path, "not a finite decimal number");
    return json::value(d);
  }
  if (type == "boolean") {
    if (text == "true") return json::value(true);
    if (text == "false") return json::value(false);
    return invalid_field(path, "a boolean is true or false");
  }
  if (text.empty()) return json::value(nullptr);
  return invalid_field(path, "a null holds no text");
}

Result<json::value> read_array(const pugi::xml_node& node, const std::string& path) {
  auto children = Children::of(node, {}, {"item"}, path);
  if (!children) return children.error();
  json::array out;
  for (const auto& item : children.value().all("item")) {
    std::string p = path + "[" + std::to_string(out.size()) + "]";
    if (auto err = only_attributes(item, {"type", "encoding"}, p)) return *err;
    auto v = read_value(item, p);
    if (!v) return v.error();
    out.push_back(std::move(v.value()));
  }
  return json::value(std::move(out));
}

}  // namespace

void write_value(XmlWriter& w, std::string_view tag, const std::string_view* name,
                 const json::value& value) {
  Attributes a;
  if (name) {
    if (xml_safe(*name))
      a.emplace_back("name", std::string(*name));
    else
      a.emplace_back("nameBase64", base64_encode(*name));
  }
  switch (value.kind()) {
    case json::kind::string: {
      std::string_view s = value.get_string();
      if (xml_safe(s)) return w.leaf(tag, s, a);
      a.emplace_back("encoding", "base64");
      return w.leaf(tag, base64_encode(s), a);
    }
    case json::kind::int64:
      a.emplace_back("type", "integer");
      return w.leaf(tag, std::to_string(value.get_int64()), a);
    case json::kind::uint64:
      a.emplace_back("type", "integer");
      return w.leaf(tag, std::to_string(value.get_uint64()), a);
    case json::kind::double_:
      // JSON has no NaN or infinity (canonical text writes them as null): so does this.
      if (!std::isfinite(value.get_double())) break;
      a.emplace_back("type", "number");
      return w.leaf(tag, double_text(value.get_double()), a);
    case json::kind::bool_:
      a.emplace_back("type", "boolean");
      return w.leaf(tag, value.get_bool() ? "true" : "false", a);
    case json::kind::null:
      break;
    case json::kind::object:
      a.emplace_back("type", "object");
      if (value.get_object().empty()) return w.leaf(tag, "", a);
      w.open(tag, a);
      write_fields(w, value.get_object());
      return w.close();
    case json::kind::array:
      a.emplace_back("type", "array");
      if (value.get_array().empty()) return w.leaf(tag, "", a);
      w.open(tag, a);
      for (const auto& item : value.get_array()) write_value(w, "item", nullptr, item);
      return w.close();
  }
  a.emplace_back("type", "null");
  w.leaf(tag, "", a);
}

void write_fields(XmlWriter& w, const json::object& object) {
  for (const auto& kv : object) {
    std::string_view key = kv.key();
    write_value(w, "field", &key, kv.value());
  }
}

Result<std::string> read_name(const pugi::xml_node& node, const std::string& path) {
  pugi::xml_attribute plain = node.attribute("name");
  pugi::xml_attribute encoded = node.attribute("nameBase64");
  if (plain && !encoded) return std::string(plain.value());
  if (!plain && encoded) {
    auto name = base64_decode(encoded.value());
    if (name && is_valid_utf8(*name)) return *name;
    return bad_xml(path, "nameBase64 is not base64 of UTF-8 text");
  }
  return bad_xml(path, std::string("<") + node.name() + "> needs one of name, nameBase64");
}

Result<json::value> read_value(const pugi::xml_node& node, const std::string& path) {
  std::string_view type = node.attribute("type").value();
  std::string_view encoding = node.attribute("encoding").value();
  if (node.attribute("encoding") && !type.empty() && type != "string")
    return bad_xml(path, "only a string has an encoding");
  if (type.empty() || type == "string") return read_string(node, path, encoding);
  if (type == "object") {
    auto o = read_fields(node, path);
    if (!o) return o.error();
    return json::value(std::move(o.value()));
  }
  if (type == "array") return read_array(node, path);
  if (type != "integer" && type != "number" && type != "boolean" && type != "null")
    return bad_xml(path, "unknown type '" + std::string(type) + "'");
  auto text = leaf_text(node, path, true);
  if (!text) return text.error();
  return read_scalar(type, text.value(), path);
}

Result<json::object> read_fields(const pugi::xml_node& parent, const std::string& path) {
  auto children = Children::of(parent, {}, {"field"}, path);
  if (!children) return children.error();
  json::object out;
  for (const auto& f : children.value().all("field")) {
    if (auto err = only_attributes(f, {"name", "nameBase64", "type", "encoding"}, path))
      return *err;
    auto name = read_name(f, path);
    if (!name) return name.error();
    std::string p = path + "." + name.value();
    if (out.contains(name.value())) return bad_xml(p, "member given twice");
    auto v = read_value(f, p);
    if (!v) return v.error();
    out[name.value()] = std::move(v.value());
  }
  return out;
}

}  // namespace sixlink::kunshan_gb
