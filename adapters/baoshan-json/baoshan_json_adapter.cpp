// Baoshan JSON adapter: media type and document checks, the envelope header, the
// recipients/source fallbacks, and the payload by kind. Field conversions are in
// dialect.cpp (tables), field_map.cpp (engine) and value_conversions.cpp (leaves).
#include "adapters/baoshan-json/baoshan_json_adapter.h"

#include <boost/json.hpp>

#include "adapters/baoshan-json/dialect.h"
#include "adapters/media_type.h"
#include "gateway/core/json_text.h"
#include "gateway/core/strict_json.h"

namespace sixlink {

namespace json = boost::json;
using baoshan::Where;

namespace {

// A canonical envelope nests at most 32 deep (parse_envelope); its Baoshan form may add
// one level ("ext" inside a mapped object), so 33 admits every document encode writes.
constexpr std::size_t kMaxDepth = 33;

ApiError required(std::string_view canonical, std::string_view native) {
  return invalid_field(std::string(canonical), "Baoshan field " + std::string(native) +
                                                   " (canonical " + std::string(canonical) +
                                                   ") is required");
}


}  // namespace

Result<Envelope> BaoshanJsonAdapter::decode(const DecodeInput& in) const {
  MediaType mt = parse_media_type(in.content_type);
  if (mt.type != "application/json" || (!mt.charset.empty() && mt.charset != "utf-8"))
    return ApiError{415,
                    "unsupported_media_type",
                    "the baoshan-json adapter accepts application/json (UTF-8) only",
                    {},
                    {},
                    0};
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  StrictJson parsed = parse_strict_json(in.body, opts);
  if (!parsed.ok()) return invalid_json_error(parsed);
  const json::value& doc = parsed.value;
  if (!doc.is_object())
    return ApiError{400, "invalid_json", "a Baoshan document is a JSON object", {}, {}, 0};
  const json::object& native = doc.get_object();

  json::object out;
  if (auto err = baoshan::decode_object(native, baoshan::envelope_table(), Where{}, out))
    return *err;
  static constexpr std::pair<std::string_view, std::string_view> kRequired[] = {
      {"id", "msgId"}, {"link", "bizType"}, {"kind", "eventType"}, {"created_at", "sendTime"}};
  for (auto [canonical, field] : kRequired)
    if (!out.contains(canonical)) return required(canonical, field);
  if (!out.contains("source")) {  // a document without fromUnit comes from its sender
    if (in.member_id.empty()) return required("source", "fromUnit");
    out["source"] = in.member_id;
  }
  if (!out.contains("recipients")) {
    json::array header;
    for (auto& r : recipients_from_header(in.recipients_header).value_or(std::vector<std::string>{})) header.emplace_back(r);
    if (!header.empty()) out["recipients"] = std::move(header);
  }

  const json::value* payload = native.if_contains("payload");
  if (!payload) return required("body", "payload");
  if (!payload->is_object())
    return invalid_field("body", "Baoshan field payload (canonical body) must be an object");
  const json::value& kind = out.at("kind");
  const baoshan::Table* table =
      baoshan::payload_table(kind.is_string() ? std::string_view(kind.get_string()) : "");
  if (table) {
    json::object body;
    if (auto err =
            baoshan::decode_object(payload->get_object(), *table, Where{"body", "payload"}, body))
      return *err;
    out["body"] = std::move(body);
  } else {
    out["body"] = *payload;
  }
  // The envelope's own checks (types of members that came from ext included).
  return parse_envelope(canonical_json_text(out));
}

NativeDocument BaoshanJsonAdapter::encode(const Envelope& e) const {
  // The header members in envelope order; body apart, null correlations left out (Baoshan
  // omits caseNo and patrolNo then). object::erase would reorder, hence the copy.
  json::object canonical;
  for (const auto& kv : to_json(e))
    if (kv.key() != "body" && !kv.value().is_null()) canonical[kv.key()] = kv.value();
  json::object ext;
  json::object doc = baoshan::encode_object(canonical, baoshan::envelope_table(), ext);
  const baoshan::Table* table = baoshan::payload_table(e.kind);
  doc["payload"] =
      table ? json::value(baoshan::encode_object(e.body, *table)) : json::value(e.body);
  if (!ext.empty()) doc["ext"] = std::move(ext);
  return {"application/json; charset=utf-8", canonical_json_text_keeping_top_order(doc)};
}

}  // namespace sixlink
