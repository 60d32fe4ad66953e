// The jiading-cap adapter: media types, transcoding and the hardened parse, the choice
// between CAP and Jiading's message XML, and what CAP cannot hold. The envelope fields travel
// in one <code>sixlink:envelope:{json}</code>; body content the CAP schema cannot take (a
// member CAP does not define, a time in a form CAP refuses, ...) travels in one
// <code>sixlink:body:{json}</code> holding the top-level body members to restore. The
// element-by-element CAP mapping is cap_codec's; the message XML is message_codec's.
#include "adapters/jiading-cap/jiading_cap_adapter.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include "adapters/jiading-cap/cap_codec.h"
#include "adapters/jiading-cap/message_codec.h"
#include "adapters/jiading-cap/xml_text.h"
#include "adapters/media_type.h"
#include "adapters/xml/safe_xml.h"
#include "gateway/core/digest.h"
#include "gateway/core/json_text.h"
#include "gateway/core/strict_json.h"

namespace sixlink {
namespace json = boost::json;

namespace {

using jiading::invalid_xml;

constexpr std::string_view kEnvelopeCode = "sixlink:envelope:";
constexpr std::string_view kBodyCode = "sixlink:body:";

// Inbound limits: safe_xml's defaults, one level deeper so a message whose body is as deep
// as parse_envelope allows (32) still fits (<message><body> add one level over the JSON).
xml::Limits inbound_limits() {
  xml::Limits limits;
  limits.max_depth = 33;
  return limits;
}

// ---------------------------------------------------------------- carriers

struct Carriers {
  std::optional<json::object> envelope;  // sixlink:envelope:
  std::optional<json::object> body;      // sixlink:body:
};

ApiError carrier_error(std::string_view which, std::string message) {
  return invalid_field("body.code",
                       "<code>" + std::string(which) + "…</code>: " + std::move(message));
}

// Takes the sixlink carriers out of body.code (dropping "code" when nothing else is left).
Result<Carriers> take_carriers(json::object& body) {
  Carriers c;
  auto it = body.find("code");
  if (it == body.end()) return c;
  json::array kept;
  for (const auto& v : it->value().get_array()) {
    std::string_view s = v.get_string();
    std::string_view which = s.starts_with(kEnvelopeCode) ? kEnvelopeCode
                             : s.starts_with(kBodyCode)   ? kBodyCode
                                                          : std::string_view{};
    if (which.empty()) {
      kept.push_back(v);
      continue;
    }
    auto& slot = which == kEnvelopeCode ? c.envelope : c.body;
    if (slot) return carrier_error(which, "appears more than once");
    json::parse_options deep;  // a carried body member may be as deep as an envelope allows
    deep.max_depth = 64;
    StrictJson parsed = parse_strict_json(s.substr(which.size()), deep);
    if (parsed.repeated_member) return carrier_error(which, parsed.reason());
    if (!parsed.ok() || !parsed.value.is_object()) return carrier_error(which, "not a JSON object");
    slot = std::move(parsed.value.get_object());
  }
  if (kept.empty())
    body.erase("code");
  else
    it->value() = std::move(kept);
  return c;
}

// Restores the members recorded by encode: {"members":{...},"absent":[...]}.
std::optional<ApiError> apply_body_carrier(const json::object& carrier, json::object& body) {
  for (const auto& kv : carrier)
    if (kv.key() != "members" && kv.key() != "absent")
      return carrier_error(kBodyCode, "unknown member \"" + std::string(kv.key()) + "\"");
  if (auto it = carrier.find("absent"); it != carrier.end()) {
    if (!it->value().is_array()) return carrier_error(kBodyCode, "absent must be an array");
    for (const auto& k : it->value().get_array()) {
      if (!k.is_string()) return carrier_error(kBodyCode, "absent lists member names");
      body.erase(k.get_string());
    }
  }
  if (auto it = carrier.find("members"); it != carrier.end()) {
    if (!it->value().is_object()) return carrier_error(kBodyCode, "members must be an object");
    for (const auto& kv : it->value().get_object()) body[kv.key()] = kv.value();
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- plain CAP -> envelope

std::optional<ApiError> derive_region_codes(const json::object& body,
                                            std::vector<std::string>& out) {
  auto infos = body.find("info");
  if (infos == body.end() || !infos->value().is_array()) return std::nullopt;
  const auto& info = infos->value().get_array();
  for (std::size_t i = 0; i < info.size(); ++i) {
    const auto* areas = info[i].is_object() ? info[i].get_object().if_contains("area") : nullptr;
    if (!areas || !areas->is_array()) continue;
    for (std::size_t a = 0; a < areas->get_array().size(); ++a) {
      const auto& area = areas->get_array()[a];
      const auto* geocodes = area.is_object() ? area.get_object().if_contains("geocode") : nullptr;
      if (!geocodes || !geocodes->is_array()) continue;
      for (std::size_t g = 0; g < geocodes->get_array().size(); ++g) {
        const auto& gc = geocodes->get_array()[g];
        if (!gc.is_object()) continue;
        const auto* name = gc.get_object().if_contains("valueName");
        const auto* value = gc.get_object().if_contains("value");
        if (!name || !name->is_string() || name->get_string() != "GB/T 2260") continue;
        std::string field = "body.info[" + std::to_string(i) + "].area[" + std::to_string(a) +
                            "].geocode[" + std::to_string(g) + "].value";
        if (!value || !value->is_string() || !is_valid_region_code(value->get_string()))
          return invalid_field(field, "a GB/T 2260 region code is six digits");
        std::string code(value->get_string());
        if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(std::move(code));
      }
    }
  }
  return std::nullopt;
}

std::optional<ApiError> derive_string(const json::object& body, const char* name,
                                      std::string& out) {
  const auto* v = body.if_contains(name);
  if (!v || !v->is_string())
    return invalid_field(std::string("body.") + name, std::string(name) + " must be a string");
  out = std::string(v->get_string());
  return std::nullopt;
}

// The envelope of a plain CAP document (no sixlink:envelope carrier), field by field;
// `carried` names the fields the carrier already gave, which are not derived.
std::optional<ApiError> derive_fields(const json::object& body, const DecodeInput& in,
                                      const json::object& carried, Envelope& e) {
  auto missing = [&](const char* f) { return !carried.contains(f); };
  if (missing("id")) {
    std::string identifier;
    if (auto err = derive_string(body, "identifier", identifier)) return err;
    e.id = is_valid_message_id(identifier) ? identifier
                                           : "cap-" + sha256_hex(identifier).substr(0, 32);
  }
  if (missing("source")) e.source = std::string(in.member_id);
  if (missing("link")) e.link = "info_sharing";
  if (missing("kind")) e.kind = "alert";
  if (missing("created_at")) {
    if (auto err = derive_string(body, "sent", e.created_at)) return err;
    if (!is_valid_rfc3339(e.created_at))
      return invalid_field("body.sent",
                           "<sent> must be a date-time with a numeric offset "
                           "(2026-11-26T09:30:00+08:00)");
  }
  if (missing("recipients")) e.recipients = jiading::recipients_from_header(in.recipients_header);
  if (missing("classification")) {
    std::string scope;
    if (auto err = derive_string(body, "scope", scope)) return err;
    e.classification = scope == "Public" ? "public" : "restricted";  // Restricted, Private
  }
  if (missing("region_codes"))
    if (auto err = derive_region_codes(body, e.region_codes)) return err;
  return std::nullopt;
}

// Fields the sixlink:envelope carrier names (any subset); the rest are derived.
std::optional<ApiError> read_envelope_carrier(const json::object& c, Envelope& e) {
  auto bad = [](std::string_view member, std::string message) {
    return carrier_error(kEnvelopeCode, std::string(member) + " " + std::move(message));
  };
  for (const auto& kv : c) {
    std::string_view k = kv.key();
    const json::value& v = kv.value();
    std::string* text = k == "id"               ? &e.id
                        : k == "source"         ? &e.source
                        : k == "link"           ? &e.link
                        : k == "kind"           ? &e.kind
                        : k == "created_at"     ? &e.created_at
                        : k == "classification" ? &e.classification
                                                : nullptr;
    if (text) {
      if (!v.is_string()) return bad(k, "must be a string");
      *text = std::string(v.get_string());
    } else if (k == "case_id" || k == "patrol_id") {
      auto& slot = k == "case_id" ? e.case_id : e.patrol_id;
      if (!v.is_null() && !v.is_string()) return bad(k, "must be a string or null");
      if (v.is_string()) slot = std::string(v.get_string());
    } else if (k == "recipients" || k == "region_codes") {
      if (k == "recipients" && v.is_null()) continue;
      if (!v.is_array()) return bad(k, "must be an array of strings");
      std::vector<std::string> list;
      for (const auto& s : v.get_array()) {
        if (!s.is_string()) return bad(k, "must be an array of strings");
        list.emplace_back(s.get_string());
      }
      if (k == "recipients")
        e.recipients = std::move(list);
      else
        e.region_codes = std::move(list);
    } else {
      return bad(k, "is not an envelope field");
    }
  }
  return std::nullopt;
}

Result<Envelope> decode_cap(const pugi::xml_node& alert, const DecodeInput& in) {
  auto body = jiading::read_cap_alert(alert);
  if (!body) return body.error();
  auto carriers = take_carriers(body.value());
  if (!carriers) return carriers.error();
  if (carriers.value().body)
    if (auto err = apply_body_carrier(*carriers.value().body, body.value())) return *err;
  Envelope e;
  static const json::object kNone;
  const json::object& carried = carriers.value().envelope ? *carriers.value().envelope : kNone;
  if (auto err = read_envelope_carrier(carried, e)) return *err;
  if (auto err = derive_fields(body.value(), in, carried, e)) return *err;
  e.body = std::move(body.value());
  return e;
}

// ---------------------------------------------------------------- envelope -> CAP

std::string cap_document(const json::object& body, const std::vector<std::string>& codes) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node alert = doc.append_child("alert");
  alert.append_attribute("xmlns") = std::string(jiading::kCapNamespace).c_str();
  jiading::write_cap_alert(alert, body, codes);
  return xml::to_string(doc);
}

// The top-level body members that reading `document` back would not give exactly.
json::object body_residue(const json::object& body, const std::string& document) {
  xml::Limits unlimited{std::numeric_limits<std::size_t>::max(), 1 << 20,
                        std::numeric_limits<std::size_t>::max()};
  std::optional<json::object> read;
  if (auto doc = xml::parse(document, unlimited); doc.ok())
    if (auto b = jiading::read_cap_alert(doc.value()->document_element()); b.ok())
      if (take_carriers(b.value()).ok()) read = std::move(b.value());
  json::object members, residue;
  json::array absent;
  for (const auto& kv : body) {
    const json::value* back = read ? read->if_contains(kv.key()) : nullptr;
    if (!back || canonical_json_text(*back) != canonical_json_text(kv.value()))
      members[kv.key()] = kv.value();
  }
  if (read)
    for (const auto& kv : *read)
      if (!body.contains(kv.key())) absent.emplace_back(kv.key());
  if (!members.empty()) residue["members"] = std::move(members);
  if (!absent.empty()) residue["absent"] = std::move(absent);
  return residue;
}

std::string encode_cap(const Envelope& e) {
  json::object fields = to_json(e);
  fields.erase("body");
  // Explicit null: the document says "routed by policy", a Sixlink-Recipients header aside.
  if (!e.recipients) fields["recipients"] = nullptr;
  std::vector<std::string> codes{std::string(kEnvelopeCode) + jiading::json_for_xml(fields)};
  std::string document = cap_document(e.body, codes);
  json::object residue = body_residue(e.body, document);
  if (residue.empty()) return document;
  codes.push_back(std::string(kBodyCode) + jiading::json_for_xml(residue));
  return cap_document(e.body, codes);
}

}  // namespace

Result<Envelope> JiadingCapAdapter::decode(const DecodeInput& in) const {
  MediaType mt = parse_media_type(in.content_type);
  const bool cap_type = mt.type == "application/cap+xml";
  if (!cap_type && mt.type != "application/xml")
    return ApiError{415,
                    "unsupported_media_type",
                    "jiading-cap accepts application/cap+xml (CAP 1.2 alerts) and application/xml",
                    {},
                    {},
                    0};
  auto utf8 = xml::to_utf8_document(in.body, mt.charset);
  if (!utf8) return utf8.error();
  auto doc = xml::parse(utf8.value(), inbound_limits());
  if (!doc) return doc.error();
  pugi::xml_node root = doc.value()->document_element();
  std::string_view ns = jiading::declared_namespace(root);
  std::string_view local = jiading::local_name(root);
  if (local == "alert" && ns == jiading::kCapNamespace) return decode_cap(root, in);
  if (local == "message" && ns == jiading::kMessageNamespace) {
    if (cap_type)
      return invalid_xml(
          "application/cap+xml carries a CAP 1.2 <alert>; send a Jiading <message> "
          "as application/xml");
    return jiading::read_message(root, in);
  }
  return invalid_xml("the root element must be a CAP 1.2 <alert> (xmlns=\"" +
                     std::string(jiading::kCapNamespace) + "\") or a Jiading <message> (xmlns=\"" +
                     std::string(jiading::kMessageNamespace) + "\"), not <" +
                     std::string(root.name()) + "> in namespace \"" + std::string(ns) + "\"");
}

NativeDocument JiadingCapAdapter::encode(const Envelope& e) const {
  if (e.kind == "alert") return {"application/cap+xml", encode_cap(e)};
  return {"application/xml", jiading::write_message(e)};
}

}  // namespace sixlink
