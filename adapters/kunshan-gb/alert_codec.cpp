// The <alert> document: the canonical alert body (CAP 1.2 as JSON) in the national
// early-warning exchange profile. README "Alerts" has the mapping table.
//
// The one rule that makes every alert round-trip: each member of a body object (alert,
// info, area) is written either as its profile element or, when the profile has no
// element for it or its value does not fit the element, as <extension name="…"> holding
// the exact JSON value (json_xml.h). Members decode derives from other elements
// (identifier, senderCode, category, event) get an extension only when the derivation
// would not give the member back; an extension overrides the derivation.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "adapters/kunshan-gb/codec.h"
#include "adapters/kunshan-gb/gb_profile.h"
#include "adapters/kunshan-gb/json_xml.h"

namespace sixlink::kunshan_gb {
namespace json = boost::json;

namespace {

constexpr std::string_view kRegionCodeScheme = "GB/T 2260";

const json::value* member_of(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::optional<std::string_view> text_member(const json::object& o, std::string_view key) {
  const json::value* v = member_of(o, key);
  if (!v || !v->is_string() || !xml_safe(v->get_string())) return std::nullopt;
  return std::string_view(v->get_string());
}

// A non-empty array of strings an element can hold.
bool is_text_array(const json::value* v) {
  if (!v || !v->is_array() || v->get_array().empty()) return false;
  for (const auto& e : v->get_array())
    if (!e.is_string() || !xml_safe(e.get_string())) return false;
  return true;
}

bool is_object_array(const json::value* v) {
  if (!v || !v->is_array() || v->get_array().empty()) return false;
  for (const auto& e : v->get_array())
    if (!e.is_object()) return false;
  return true;
}

// {"valueName": "…", "value": "…"} and nothing else.
bool is_geocode(const json::value& v) {
  if (!v.is_object() || v.get_object().size() != 2) return false;
  auto name = text_member(v.get_object(), "valueName");
  auto value = text_member(v.get_object(), "value");
  return name && value;
}

struct DerivedEvent {
  std::string category, event;
};

DerivedEvent derive_event(std::string_view code) {
  if (const EventType* t = event_by_code(code))
    return {std::string(t->category), std::string(t->event)};
  return {std::string(category_of_class(code)), std::string(code)};
}

void add_region(std::vector<std::string>& regions, std::string_view code) {
  if (std::find(regions.begin(), regions.end(), code) == regions.end()) regions.emplace_back(code);
}

// ---------------------------------------------------------------- encode

// Writes the members of one body object: profile elements first, then an <extension>
// for every member not written as an element.
class MemberWriter {
 public:
  MemberWriter(XmlWriter& w, const json::object& o) : w_(w), o_(o) {}

  bool text(std::string_view key, std::string_view tag) {
    auto s = text_member(o_, key);
    if (!s) return false;
    w_.leaf(tag, *s);
    handled(key);
    return true;
  }
  void texts(std::string_view key, std::string_view tag) {
    if (!is_text_array(member_of(o_, key))) return;
    for (const auto& e : o_.at(key).get_array()) w_.leaf(tag, e.get_string());
    handled(key);
  }
  void handled(std::string_view key) { handled_.emplace(key); }
  void extensions() {
    for (const auto& kv : o_) {
      std::string_view key = kv.key();
      if (!handled_.contains(key)) write_value(w_, "extension", &key, kv.value());
    }
  }

 private:
  XmlWriter& w_;
  const json::object& o_;
  std::set<std::string, std::less<>> handled_;
};

void write_area(XmlWriter& w, const json::object& area, std::vector<std::string>& regions) {
  MemberWriter m(w, area);
  w.open("area");
  m.text("areaDesc", "areaDesc");
  m.texts("polygon", "polygon");
  m.texts("circle", "circle");
  const json::value* geocodes = member_of(area, "geocode");
  if (is_object_array(geocodes) &&
      std::all_of(geocodes->get_array().begin(), geocodes->get_array().end(), is_geocode)) {
    for (const auto& g : geocodes->get_array()) {
      std::string_view name = g.get_object().at("valueName").get_string();
      std::string_view value = g.get_object().at("value").get_string();
      w.open("geocode");
      w.leaf("valueName", name);
      w.leaf("value", value);
      w.close();
      if (name == kRegionCodeScheme && is_valid_region_code(value)) add_region(regions, value);
    }
    m.handled("geocode");
  }
  m.extensions();
  w.close();
}

void write_info(XmlWriter& w, const json::object& info, std::vector<std::string>& regions) {
  MemberWriter m(w, info);
  const json::value* event = member_of(info, "event");
  std::string code(kOtherEventCode);
  if (event && event->is_string()) {
    if (const EventType* t = event_by_name(event->get_string()))
      code = t->code;
    else if (is_national_event_code(event->get_string()))
      code = event->get_string();
  }
  w.open("info");
  w.leaf("eventType", code);
  m.text("urgency", "urgency");
  if (auto s = text_member(info, "severity"); s && !level_of_severity(*s).empty()) {
    w.leaf("severity", level_of_severity(*s));
    m.handled("severity");
  }
  for (const char* key : {"certainty", "effective", "onset", "expires", "senderName", "headline",
                          "description", "instruction"})
    m.text(key, key);
  if (is_object_array(member_of(info, "area"))) {
    for (const auto& a : info.at("area").get_array()) write_area(w, a.get_object(), regions);
    m.handled("area");
  }
  DerivedEvent derived = derive_event(code);
  if (const json::value* c = member_of(info, "category");
      c && *c == json::value(json::array{json::value(derived.category)}))
    m.handled("category");
  if (event && event->is_string() && event->get_string() == derived.event) m.handled("event");
  m.extensions();
  w.close();
}

// The <envelope> section: only the envelope fields the alert elements do not already
// give back (README "Envelope fields of an alert").
void write_envelope_section(XmlWriter& w, const Envelope& e, std::optional<std::string_view> sent,
                            const std::string& sender_code,
                            const std::vector<std::string>& regions) {
  const bool source = member_of_region(sender_code.substr(0, 6)) != e.source;
  const bool created = !sent || *sent != e.created_at;
  const bool region_codes = regions != e.region_codes;
  if (!source && !created && !e.recipients && !e.case_id && !e.patrol_id && !region_codes) return;
  w.open("envelope");
  if (source) w.leaf("source", e.source);
  if (created) w.leaf("createdAt", e.created_at);
  if (e.recipients) write_list(w, "recipients", "member", *e.recipients);
  if (e.case_id) w.leaf("caseId", *e.case_id);
  if (e.patrol_id) w.leaf("patrolId", *e.patrol_id);
  if (region_codes) write_list(w, "regionCodes", "regionCode", e.region_codes);
  w.close();
}

// ---------------------------------------------------------------- decode

// Fills one body object from profile elements and extensions; an extension may replace a
// derived member but not one an element gave.
class MemberReader {
 public:
  MemberReader(json::object& o, std::string json_path, std::string xml_path)
      : o_(o), json_path_(std::move(json_path)), xml_path_(std::move(xml_path)) {}

  std::optional<ApiError> text(const Children& c, const char* tag, std::string_view key) {
    pugi::xml_node n = c.one(tag);
    if (!n) return std::nullopt;
    auto t = leaf_text(n, xml_path_ + "." + tag);
    if (!t) return t.error();
    set(key, json::value(t.value()));
    return std::nullopt;
  }
  std::optional<ApiError> texts(const Children& c, const char* tag, std::string_view key) {
    if (c.all(tag).empty()) return std::nullopt;
    json::array out;
    for (const auto& n : c.all(tag)) {
      auto t = leaf_text(n, xml_path_ + "." + tag + "[" + std::to_string(out.size()) + "]");
      if (!t) return t.error();
      out.emplace_back(t.value());
    }
    set(key, json::value(std::move(out)));
    return std::nullopt;
  }
  void set(std::string_view key, json::value v) {
    o_[key] = std::move(v);
    from_elements_.emplace(key);
  }
  std::optional<ApiError> extensions(const Children& c) {
    std::set<std::string, std::less<>> seen;
    for (const auto& n : c.all("extension")) {
      if (auto err = only_attributes(n, {"name", "nameBase64", "type", "encoding"},
                                     xml_path_ + ".extension"))
        return *err;
      auto name = read_name(n, xml_path_ + ".extension");
      if (!name) return name.error();
      if (from_elements_.contains(name.value()) || !seen.insert(name.value()).second)
        return bad_xml(xml_path_, "member '" + name.value() + "' is given twice");
      auto v = read_value(n, json_path_ + "." + name.value());
      if (!v) return v.error();
      o_[name.value()] = std::move(v.value());
    }
    return std::nullopt;
  }

 private:
  json::object& o_;
  std::string json_path_, xml_path_;
  std::set<std::string, std::less<>> from_elements_;
};

Result<json::object> read_geocode(const pugi::xml_node& node, const std::string& xpath) {
  if (auto err = only_attributes(node, {}, xpath)) return *err;
  auto c = Children::of(node, {"valueName", "value"}, {}, xpath);
  if (!c) return c.error();
  if (!c.value().one("valueName") || !c.value().one("value"))
    return bad_xml(xpath, "a geocode has a <valueName> and a <value>");
  auto name = leaf_text(c.value().one("valueName"), xpath + ".valueName");
  if (!name) return name.error();
  auto value = leaf_text(c.value().one("value"), xpath + ".value");
  if (!value) return value.error();
  return json::object{{"valueName", name.value()}, {"value", value.value()}};
}

Result<json::object> read_area(const pugi::xml_node& node, const std::string& jpath,
                               const std::string& xpath, std::vector<std::string>& regions) {
  json::object area;
  MemberReader m(area, jpath, xpath);
  if (auto err = only_attributes(node, {}, xpath)) return *err;
  auto c = Children::of(node, {"areaDesc"}, {"polygon", "circle", "geocode", "extension"}, xpath);
  if (!c) return c.error();
  for (auto err :
       {m.text(c.value(), "areaDesc", "areaDesc"), m.texts(c.value(), "polygon", "polygon"),
        m.texts(c.value(), "circle", "circle")})
    if (err) return *err;
  if (!c.value().all("geocode").empty()) {
    json::array geocodes;
    for (const auto& g : c.value().all("geocode")) {
      auto geocode = read_geocode(g, xpath + ".geocode[" + std::to_string(geocodes.size()) + "]");
      if (!geocode) return geocode.error();
      std::string_view name = geocode.value().at("valueName").get_string();
      std::string_view value = geocode.value().at("value").get_string();
      if (name == kRegionCodeScheme && is_valid_region_code(value)) add_region(regions, value);
      geocodes.emplace_back(std::move(geocode.value()));
    }
    m.set("geocode", json::value(std::move(geocodes)));
  }
  if (auto err = m.extensions(c.value())) return *err;
  return area;
}

Result<json::object> read_info(const pugi::xml_node& node, const std::string& jpath,
                               const std::string& xpath, std::vector<std::string>& regions) {
  json::object info;
  MemberReader m(info, jpath, xpath);
  if (auto err = only_attributes(node, {}, xpath)) return *err;
  auto c = Children::of(node,
                        {"eventType", "urgency", "severity", "certainty", "effective", "onset",
                         "expires", "senderName", "headline", "description", "instruction"},
                        {"area", "extension"}, xpath);
  if (!c) return c.error();
  if (pugi::xml_node n = c.value().one("eventType")) {
    auto code = leaf_text(n, xpath + ".eventType");
    if (!code) return code.error();
    if (!is_national_event_code(code.value()))
      return invalid_field(jpath + ".eventType",
                           "eventType must be a national event-type code such as 11B03");
    DerivedEvent derived = derive_event(code.value());
    info["category"] = json::array{json::value(derived.category)};
    info["event"] = derived.event;
  }
  if (pugi::xml_node n = c.value().one("severity")) {
    auto level = leaf_text(n, xpath + ".severity");
    if (!level) return level.error();
    std::string_view severity = severity_of_level(level.value());
    if (severity.empty())
      return invalid_field(jpath + ".severity",
                           "severity must be a warning level: Red, Orange, Yellow, Blue or Unknown "
                           "(红色, 橙色, 黄色, 蓝色, 未知)");
    m.set("severity", json::value(severity));
  }
  for (const char* key : {"urgency", "certainty", "effective", "onset", "expires", "senderName",
                          "headline", "description", "instruction"})
    if (auto err = m.text(c.value(), key, key)) return *err;
  if (!c.value().all("area").empty()) {
    json::array areas;
    for (const auto& a : c.value().all("area")) {
      std::string i = "[" + std::to_string(areas.size()) + "]";
      auto area = read_area(a, jpath + ".area" + i, xpath + ".area" + i, regions);
      if (!area) return area.error();
      areas.emplace_back(std::move(area.value()));
    }
    m.set("area", json::value(std::move(areas)));
  }
  if (auto err = m.extensions(c.value())) return *err;
  return info;
}

}  // namespace

std::string encode_alert(const Envelope& e) {
  const json::object& b = e.body;
  const json::value* given_code = member_of(b, "senderCode");
  const std::string sender_code =
      given_code && given_code->is_string() && is_sender_code(given_code->get_string())
          ? std::string(given_code->get_string())
          : default_sender_code(e.source);
  std::string_view region = region_of_member(e.source);
  if (region.empty()) region = std::string_view(sender_code).substr(0, 6);
  auto sent = text_member(b, "sent");
  auto stamp = beijing_stamp(sent ? *sent : e.created_at);
  const std::string identifier =
      identifier_for(e.id, region, stamp ? *stamp : std::string("00000000000000"));

  XmlWriter w;
  MemberWriter m(w, b);
  w.open("alert");
  w.leaf("identifier", identifier);
  if (const json::value* id = member_of(b, "identifier"); id && *id == json::value(identifier))
    m.handled("identifier");
  m.text("sender", "sender");
  w.leaf("senderCode", sender_code);
  // Decode gives body.senderCode back only when it differs from the member's default.
  const bool derived_code = sender_code != default_sender_code(e.source);
  if (derived_code ? given_code && *given_code == json::value(sender_code) : !given_code)
    m.handled("senderCode");
  m.text("sent", "sendTime");
  for (const char* key : {"status", "msgType", "scope"}) m.text(key, key);
  w.leaf("secClassification", classification_word(e.classification));
  m.texts("code", "code");
  m.text("note", "note");
  m.text("references", "references");
  std::vector<std::string> regions;
  if (is_object_array(member_of(b, "info"))) {
    for (const auto& info : b.at("info").get_array()) write_info(w, info.get_object(), regions);
    m.handled("info");
  }
  m.extensions();
  write_envelope_section(w, e, sent, sender_code, regions);
  w.close();
  return w.take();
}

Result<Envelope> decode_alert(const pugi::xml_node& root, const DecodeContext& context) {
  if (auto err = check_root_attributes(root)) return *err;
  auto c = Children::of(root,
                        {"identifier", "sender", "senderCode", "sendTime", "status", "msgType",
                         "scope", "secClassification", "note", "references", "envelope"},
                        {"code", "info", "extension"}, "alert");
  if (!c) return c.error();
  EnvelopeFields section;
  if (pugi::xml_node n = c.value().one("envelope")) {
    if (auto err = only_attributes(n, {}, "alert.envelope")) return *err;
    auto sc =
        Children::of(n, {"source", "createdAt", "recipients", "caseId", "patrolId", "regionCodes"},
                     {}, "alert.envelope");
    if (!sc) return sc.error();
    auto f = read_envelope_fields(sc.value(), "alert.envelope");
    if (!f) return f.error();
    section = std::move(f.value());
  }
  if (!c.value().one("identifier"))
    return invalid_field("id", "id is required: the <identifier> element is missing");
  auto identifier = leaf_text(c.value().one("identifier"), "alert.identifier");
  if (!identifier) return identifier.error();
  if (!is_gb_identifier(identifier.value()))
    return invalid_field("id", "identifier must be <sender code>_<yyyyMMddHHmmss>_<sequence>");
  if (!c.value().one("senderCode"))
    return invalid_field("body.senderCode", "the <senderCode> element is required");
  auto sender_code = leaf_text(c.value().one("senderCode"), "alert.senderCode");
  if (!sender_code) return sender_code.error();
  if (!is_sender_code(sender_code.value()))
    return invalid_field("body.senderCode", "senderCode is fourteen digits: region code and unit");

  Envelope e;
  e.id = id_of_identifier(identifier.value());
  e.link = "info_sharing";
  e.kind = "alert";
  std::string_view named = member_of_region(std::string_view(sender_code.value()).substr(0, 6));
  e.source =
      section.source ? *section.source : std::string(named.empty() ? context.member_id : named);
  json::object& b = e.body;
  b["identifier"] = identifier.value();
  if (sender_code.value() != default_sender_code(e.source)) b["senderCode"] = sender_code.value();
  MemberReader m(b, "body", "alert");
  for (auto err :
       {m.text(c.value(), "sender", "sender"), m.text(c.value(), "sendTime", "sent"),
        m.text(c.value(), "status", "status"), m.text(c.value(), "msgType", "msgType"),
        m.text(c.value(), "scope", "scope"), m.texts(c.value(), "code", "code"),
        m.text(c.value(), "note", "note"), m.text(c.value(), "references", "references")})
    if (err) return *err;
  if (pugi::xml_node n = c.value().one("secClassification")) {
    auto word = leaf_text(n, "alert.secClassification");
    if (!word) return word.error();
    auto classification = classification_of_word(word.value());
    if (!classification)
      return invalid_field("classification", "secClassification must be 公开, 内部 or 受限");
    e.classification = *classification;
  }
  std::vector<std::string> regions;
  if (!c.value().all("info").empty()) {
    json::array infos;
    for (const auto& n : c.value().all("info")) {
      std::string i = "[" + std::to_string(infos.size()) + "]";
      auto info = read_info(n, "body.info" + i, "alert.info" + i, regions);
      if (!info) return info.error();
      infos.emplace_back(std::move(info.value()));
    }
    m.set("info", json::value(std::move(infos)));
  }
  if (auto err = m.extensions(c.value())) return *err;

  if (section.created_at)
    e.created_at = *section.created_at;
  else if (const json::value* sent = member_of(b, "sent"); sent && c.value().one("sendTime"))
    e.created_at = std::string(sent->get_string());
  else
    return invalid_field("created_at", "created_at is required: no <sendTime> or <createdAt>");
  e.recipients = section.recipients ? std::move(section.recipients)
                                    : recipients_from_header(context.recipients_header);
  e.case_id = std::move(section.case_id);
  e.patrol_id = std::move(section.patrol_id);
  e.region_codes = section.region_codes ? std::move(*section.region_codes) : regions;
  return e;
}

}  // namespace sixlink::kunshan_gb
