// Jiading message XML: the envelope fields, then the body as a generic JSON tree.
//
// A JSON value is an element; its kind is the `type` attribute (absent = string):
//   string   text; a string XML text cannot hold exactly (CR, control characters,
//            whitespace only) is written as a JSON string literal with encoding="json"
//   number   type="number", canonical JSON number text (a double always has . or e)
//   boolean  type="boolean", true | false        null   type="null", empty
//   array    type="array", one <item> per element  object type="object", one child per member
// An object member is an element named after its key when the key is a plain XML name
// ([A-Za-z_][A-Za-z0-9_.-]*, not starting with "xml"), otherwise <entry key="...">
// (key-encoding="json" when the key itself cannot be an attribute value as is).
#include "adapters/jiading-cap/message_codec.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "adapters/jiading-cap/xml_text.h"
#include "adapters/xml/safe_xml.h"
#include "gateway/core/strict_json.h"

namespace sixlink::jiading {
namespace json = boost::json;

namespace {

// ---------------------------------------------------------------- writing

bool is_plain_name(std::string_view key) {
  if (key.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!alpha(key[0]) && key[0] != '_') return false;
  for (char c : key)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-') return false;
  if (key.size() >= 3) {
    std::string head(key.substr(0, 3));
    std::transform(head.begin(), head.end(), head.begin(), [](char c) { return c | 0x20; });
    if (head == "xml") return false;
  }
  return true;
}

void write_string(pugi::xml_node n, std::string_view s) {
  if (survives_as_text(s)) {
    if (!s.empty()) n.text().set(std::string(s).c_str());
    return;
  }
  n.append_attribute("encoding") = "json";
  n.text().set(json_for_xml(json::value(json::string_view(s.data(), s.size()))).c_str());
}

void write_members(pugi::xml_node n, const json::object& o);

void write_value(pugi::xml_node n, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return write_string(n, v.get_string());
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      if (v.is_double() && !std::isfinite(v.get_double())) {  // JSON has no such number
        n.append_attribute("type") = "null";
        return;
      }
      n.append_attribute("type") = "number";
      n.text().set(json_for_xml(v).c_str());
      return;
    case json::kind::bool_:
      n.append_attribute("type") = "boolean";
      n.text().set(v.get_bool() ? "true" : "false");
      return;
    case json::kind::null:
      n.append_attribute("type") = "null";
      return;
    case json::kind::array:
      n.append_attribute("type") = "array";
      for (const auto& e : v.get_array()) write_value(n.append_child("item"), e);
      return;
    case json::kind::object:
      n.append_attribute("type") = "object";
      return write_members(n, v.get_object());
  }
}

void write_members(pugi::xml_node n, const json::object& o) {
  std::vector<const json::key_value_pair*> members;
  for (const auto& kv : o) members.push_back(&kv);
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  for (const auto* kv : members) {
    std::string_view key = kv->key();
    pugi::xml_node child;
    if (is_plain_name(key)) {
      child = n.append_child(std::string(key).c_str());
    } else {
      child = n.append_child("entry");
      if (survives_as_attribute(key)) {
        child.append_attribute("key") = std::string(key).c_str();
      } else {
        child.append_attribute("key") =
            json_for_xml(json::value(json::string_view(key.data(), key.size()))).c_str();
        child.append_attribute("key-encoding") = "json";
      }
    }
    write_value(child, kv->value());
  }
}

void add_string(pugi::xml_node parent, const char* name, std::string_view s) {
  write_string(parent.append_child(name), s);
}

void add_list(pugi::xml_node parent, const char* name, const char* item,
              const std::vector<std::string>& values) {
  pugi::xml_node list = parent.append_child(name);
  for (const auto& v : values) add_string(list, item, v);
}

// ---------------------------------------------------------------- reading

struct Reader {
  std::string_view prefix;  // the root's prefix; every element of the document shares it

  std::string element_name(const pugi::xml_node& n) const { return std::string(local_name(n)); }

  bool ours(const pugi::xml_node& n) const {
    return name_prefix(n) == prefix &&
           std::string_view(n.name()).find(':') ==
               (prefix.empty() ? std::string_view::npos : prefix.size());
  }

  Result<std::string> string(const pugi::xml_node& n, const std::string& field) const {
    auto text = leaf_text(n, field);
    if (!text) return text.error();
    if (std::string_view(n.attribute("encoding").value()) != "json") return text;
    const json::value v = parse_strict_json(text.value()).value;  // null unless it parsed
    if (!v.is_string())
      return invalid_field(field, "encoding=\"json\" needs a JSON string literal");
    return std::string(v.get_string());
  }

  Result<json::value> value(const pugi::xml_node& n, const std::string& field) const {
    std::string_view type = n.attribute("type").value();
    if (type.empty() || type == "string") {
      auto s = string(n, field);
      if (!s) return s.error();
      return json::value(s.value());
    }
    if (type == "object") {
      auto o = members(n, field);
      if (!o) return o.error();
      return json::value(std::move(o.value()));
    }
    if (type == "array") return array(n, field);
    auto text = leaf_text(n, field);
    if (!text) return text.error();
    if (type == "null") {
      if (has_text(n)) return invalid_field(field, "a null holds no text");
      return json::value(nullptr);
    }
    if (type == "boolean") {
      std::string_view t = trim_xml_space(text.value());
      if (t != "true" && t != "false") return invalid_field(field, "a boolean is true or false");
      return json::value(t == "true");
    }
    if (type == "number") {
      json::value v = parse_strict_json(text.value()).value;  // null unless it parsed
      if (!v.is_number() || (v.is_double() && !std::isfinite(v.get_double())))
        return invalid_field(field, "not a JSON number");
      return v;
    }
    return invalid_field(field, "unknown type \"" + std::string(type) +
                                    "\" (string, number, boolean, null, array, object)");
  }

  Result<json::value> array(const pugi::xml_node& n, const std::string& field) const {
    if (has_text(n)) return invalid_field(field, "an array holds <item> elements, not text");
    json::array out;
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      std::string at = field + "[" + std::to_string(out.size()) + "]";
      if (!ours(c) || local_name(c) != "item")
        return invalid_xml("<" + std::string(c.name()) + "> in an array (at " + field +
                           "); expected <item>");
      auto v = value(c, at);
      if (!v) return v.error();
      out.push_back(std::move(v.value()));
    }
    return json::value(std::move(out));
  }

  Result<std::string> key_of(const pugi::xml_node& c, const std::string& field) const {
    pugi::xml_attribute key = c.attribute("key");
    if (local_name(c) != "entry" || !key) return element_name(c);
    if (std::string_view(c.attribute("key-encoding").value()) != "json")
      return std::string(key.value());
    const json::value v = parse_strict_json(key.value()).value;  // null unless it parsed
    if (!v.is_string())
      return invalid_field(field, "key-encoding=\"json\" needs a JSON string literal");
    return std::string(v.get_string());
  }

  Result<json::object> members(const pugi::xml_node& n, const std::string& field) const {
    if (has_text(n)) return invalid_field(field, "an object holds member elements, not text");
    json::object out;
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (!ours(c))
        return invalid_xml("<" + std::string(c.name()) + "> is outside the message namespace");
      auto key = key_of(c, field);
      if (!key) return key.error();
      std::string at = field + "." + key.value();
      if (out.contains(key.value())) return invalid_field(at, "member appears more than once");
      auto v = value(c, at);
      if (!v) return v.error();
      out[key.value()] = std::move(v.value());
    }
    return out;
  }

  Result<std::vector<std::string>> list(const pugi::xml_node& n, const char* item,
                                        const std::string& field) const {
    if (has_text(n))
      return invalid_field(field, "a list holds <" + std::string(item) + "> elements");
    std::vector<std::string> out;
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      std::string at = field + "[" + std::to_string(out.size()) + "]";
      if (!ours(c) || local_name(c) != item)
        return invalid_xml("<" + std::string(c.name()) + "> in <" + field + ">; expected <" + item +
                           ">");
      auto s = string(c, at);
      if (!s) return s.error();
      out.push_back(std::move(s.value()));
    }
    return out;
  }
};

constexpr std::string_view kFields[] = {
    "id",      "source",    "link",         "kind", "created_at", "recipients", "classification",
    "case_id", "patrol_id", "region_codes", "body"};

}  // namespace

std::string write_message(const Envelope& e) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node m = doc.append_child("message");
  m.append_attribute("xmlns") = std::string(kMessageNamespace).c_str();
  add_string(m, "id", e.id);
  add_string(m, "source", e.source);
  add_string(m, "link", e.link);
  add_string(m, "kind", e.kind);
  add_string(m, "created_at", e.created_at);
  if (e.recipients) add_list(m, "recipients", "recipient", *e.recipients);
  add_string(m, "classification", e.classification);
  if (e.case_id) add_string(m, "case_id", *e.case_id);
  if (e.patrol_id) add_string(m, "patrol_id", *e.patrol_id);
  add_list(m, "region_codes", "region_code", e.region_codes);
  write_members(m.append_child("body"), e.body);
  return xml::to_string(doc);
}

Result<Envelope> read_message(const pugi::xml_node& root, const DecodeInput& in) {
  Reader r{name_prefix(root)};
  if (has_text(root)) return invalid_xml("<message> holds elements, not text");
  Envelope e;
  std::set<std::string> seen;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string name = r.element_name(c);
    if (!r.ours(c) || std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields))
      return invalid_xml("<" + std::string(c.name()) +
                         "> is not an element of a Jiading <message>");
    if (!seen.insert(name).second)
      return invalid_field(name, "<" + name + "> appears more than once");
    std::optional<ApiError> err;
    auto take = [&](std::string& out) {
      auto s = r.string(c, name);
      if (s)
        out = std::move(s.value());
      else
        err = s.error();
    };
    auto take_list = [&](const char* item, std::vector<std::string>& out) {
      auto l = r.list(c, item, name);
      if (l)
        out = std::move(l.value());
      else
        err = l.error();
    };
    if (name == "id")
      take(e.id);
    else if (name == "source")
      take(e.source);
    else if (name == "link")
      take(e.link);
    else if (name == "kind")
      take(e.kind);
    else if (name == "created_at")
      take(e.created_at);
    else if (name == "classification")
      take(e.classification);
    else if (name == "case_id")
      take(e.case_id.emplace());
    else if (name == "patrol_id")
      take(e.patrol_id.emplace());
    else if (name == "recipients")
      take_list("recipient", e.recipients.emplace());
    else if (name == "region_codes")
      take_list("region_code", e.region_codes);
    else if (auto body = r.members(c, "body"))
      e.body = std::move(body.value());
    else
      err = body.error();
    if (err) return *err;
  }
  for (const char* required : {"id", "link", "kind", "created_at", "body"})
    if (!seen.contains(required))
      return invalid_field(required,
                           std::string("a Jiading <message> requires <") + required + ">");
  if (!seen.contains("source")) e.source = std::string(in.member_id);
  if (!seen.contains("recipients")) e.recipients = recipients_from_header(in.recipients_header);
  return e;
}


}  // namespace sixlink::jiading
