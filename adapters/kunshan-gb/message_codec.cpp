// The <message> document (every kind but alert) and the envelope elements it shares with
// the <envelope> section of an <alert>. README "Generic messages" documents the format.
#include <boost/json.hpp>

#include "adapters/kunshan-gb/codec.h"
#include "adapters/kunshan-gb/gb_profile.h"
#include "adapters/kunshan-gb/json_xml.h"

namespace sixlink::kunshan_gb {

namespace {

// Reads the text of `children.one(tag)` into `out` when the element is there.
std::optional<ApiError> read_text(const Children& children, const char* tag,
                                  const std::string& path, std::optional<std::string>& out) {
  pugi::xml_node n = children.one(tag);
  if (!n) return std::nullopt;
  auto text = leaf_text(n, path + "." + tag);
  if (!text) return text.error();
  out = std::move(text.value());
  return std::nullopt;
}

std::optional<ApiError> read_list_of(const Children& children, const char* tag, const char* item,
                                     const std::string& path,
                                     std::optional<std::vector<std::string>>& out) {
  pugi::xml_node n = children.one(tag);
  if (!n) return std::nullopt;
  auto list = read_list(n, item, path + "." + tag);
  if (!list) return list.error();
  out = std::move(list.value());
  return std::nullopt;
}

ApiError required(const char* field, const char* element) {
  return invalid_field(
      field, std::string(field) + " is required: the <" + element + "> element is missing");
}

}  // namespace

Result<EnvelopeFields> read_envelope_fields(const Children& c, const std::string& path) {
  EnvelopeFields f;
  std::optional<std::string> word;
  for (auto err :
       {read_text(c, "id", path, f.id), read_text(c, "source", path, f.source),
        read_text(c, "link", path, f.link), read_text(c, "kind", path, f.kind),
        read_text(c, "createdAt", path, f.created_at),
        read_text(c, "secClassification", path, word), read_text(c, "caseId", path, f.case_id),
        read_text(c, "patrolId", path, f.patrol_id),
        read_list_of(c, "recipients", "member", path, f.recipients),
        read_list_of(c, "regionCodes", "regionCode", path, f.region_codes)})
    if (err) return *err;
  if (word) {
    f.classification = classification_of_word(*word);
    if (!f.classification)
      return invalid_field("classification", "secClassification must be 公开, 内部 or 受限");
  }
  return f;
}

void write_list(XmlWriter& w, std::string_view name, std::string_view item,
                const std::vector<std::string>& values) {
  if (values.empty()) return w.leaf(name, "");
  w.open(name);
  for (const auto& v : values) w.leaf(item, v);
  w.close();
}

std::optional<ApiError> check_root_attributes(const pugi::xml_node& root) {
  for (const auto& a : root.attributes()) {
    std::string_view name = a.name();
    if (name != "xmlns" && !name.starts_with("xmlns:"))
      return bad_xml(root.name(),
                     "attribute '" + std::string(name) + "' is not part of the profile");
  }
  return std::nullopt;
}


std::string encode_message(const Envelope& e) {
  XmlWriter w;
  w.open("message");
  w.leaf("id", e.id);
  w.leaf("source", e.source);
  w.leaf("link", e.link);
  w.leaf("kind", e.kind);
  w.leaf("createdAt", e.created_at);
  if (e.recipients) write_list(w, "recipients", "member", *e.recipients);
  w.leaf("secClassification", classification_word(e.classification));
  if (e.case_id) w.leaf("caseId", *e.case_id);
  if (e.patrol_id) w.leaf("patrolId", *e.patrol_id);
  if (!e.region_codes.empty()) write_list(w, "regionCodes", "regionCode", e.region_codes);
  if (e.body.empty()) {
    w.leaf("body", "");
  } else {
    w.open("body");
    write_fields(w, e.body);
    w.close();
  }
  return w.take();
}

Result<Envelope> decode_message(const pugi::xml_node& root, const DecodeContext& context) {
  if (auto err = check_root_attributes(root)) return *err;
  auto children = Children::of(root,
                               {"id", "source", "link", "kind", "createdAt", "recipients",
                                "secClassification", "caseId", "patrolId", "regionCodes", "body"},
                               {}, "message");
  if (!children) return children.error();
  auto fields = read_envelope_fields(children.value(), "message");
  if (!fields) return fields.error();
  EnvelopeFields& f = fields.value();
  if (!f.id) return required("id", "id");
  if (!f.link) return required("link", "link");
  if (!f.kind) return required("kind", "kind");
  if (!f.created_at) return required("created_at", "createdAt");
  pugi::xml_node body = children.value().one("body");
  if (!body) return required("body", "body");
  if (auto err = only_attributes(body, {}, "message.body")) return *err;
  auto object = read_fields(body, "body");
  if (!object) return object.error();

  Envelope e;
  e.id = std::move(*f.id);
  e.source = f.source ? std::move(*f.source) : std::string(context.member_id);
  e.link = std::move(*f.link);
  e.kind = std::move(*f.kind);
  e.created_at = std::move(*f.created_at);
  e.recipients =
      f.recipients ? std::move(f.recipients) : recipients_from_header(context.recipients_header);
  if (f.classification) e.classification = std::move(*f.classification);
  e.case_id = std::move(f.case_id);
  e.patrol_id = std::move(f.patrol_id);
  if (f.region_codes) e.region_codes = std::move(*f.region_codes);
  e.body = std::move(object.value());
  return e;
}

}  // namespace sixlink::kunshan_gb
