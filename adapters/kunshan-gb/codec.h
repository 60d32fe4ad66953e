// The two document types of the kunshan-gb profile and the envelope fields they share:
//  - <alert>: the national early-warning exchange profile (alert_codec.cpp);
//  - <message>: every other kind, envelope fields plus a typed JSON body (message_codec.cpp).
// Both work on UTF-8 text; kunshan_gb_adapter.cpp owns the media type and the GBK edge.
#pragma once

#include "adapters/adapter.h"

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/kunshan-gb/xml_reader.h"
#include "adapters/kunshan-gb/xml_writer.h"
#include "gateway/core/envelope.h"

namespace sixlink::kunshan_gb {

struct DecodeContext {
  std::string_view member_id;          // the authenticated sender, when the document names none
  std::string_view recipients_header;  // Sixlink-Recipients, when the document names none
};

std::string encode_alert(const Envelope& envelope);    // UTF-8 <alert> document
std::string encode_message(const Envelope& envelope);  // UTF-8 <message> document
Result<Envelope> decode_alert(const pugi::xml_node& root, const DecodeContext& context);
Result<Envelope> decode_message(const pugi::xml_node& root, const DecodeContext& context);

// ---------------------------------------------------------------- shared envelope fields

// The envelope elements present in a document (<message> children, or the <envelope>
// section of an <alert>), each as written; absent ones are nullopt.
struct EnvelopeFields {
  std::optional<std::string> id, source, link, kind, created_at, classification, case_id, patrol_id;
  std::optional<std::vector<std::string>> recipients, region_codes;
};

// The element names of the envelope fields: id, source, link, kind, createdAt,
// secClassification, caseId, patrolId, recipients (<member>…), regionCodes (<regionCode>…).
Result<EnvelopeFields> read_envelope_fields(const Children& children, const std::string& path);
void write_list(XmlWriter& w, std::string_view name, std::string_view item,
                const std::vector<std::string>& values);
// A root element may declare namespaces (xmlns, xmlns:*) and nothing else.
std::optional<ApiError> check_root_attributes(const pugi::xml_node& root);
using sixlink::recipients_from_header;  // adapters/adapter.h

}  // namespace sixlink::kunshan_gb
