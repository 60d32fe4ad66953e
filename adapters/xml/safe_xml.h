// Hardened XML for the XML adapters (jiading-cap, kunshan-gb): what may be parsed and
// how non-UTF-8 documents are transcoded at the adapter edge (DESIGN §6).
//
// Refused, with a 400 naming why, before anything is resolved or fetched: a DOCTYPE
// (and with it every DTD, internal entity and external reference), entity references
// other than XML's five and numeric ones, XInclude elements, processing instructions
// other than the XML declaration, an attribute named twice in one element (not well-formed;
// pugixml keeps both), documents over the size, depth or element limits.
// pugixml itself never resolves DTDs or fetches anything; these checks make the refusal
// explicit instead of silently passing an unexpanded "&xxe;" through as text.
#pragma once

#include <pugixml.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/envelope.h"

namespace sixlink::xml {

struct Limits {
  std::size_t max_bytes = 1 << 20;
  int max_depth = 32;
  std::size_t max_elements = 20000;
};

// Parses a UTF-8 document under the rules above.
Result<std::shared_ptr<pugi::xml_document>> parse(std::string_view utf8, const Limits& limits = {});

// The encoding named in the XML declaration, upper-cased ("UTF-8", "GBK"); "" if none.
std::string declared_encoding(std::string_view document);

// Transcodes with iconv. nullopt when `bytes` are not valid in `from` (a byte sequence
// that is not GBK is an error, never mojibake).
std::optional<std::string> transcode(std::string_view bytes, const std::string& from, const std::string& to);

// A document's bytes as UTF-8: transcoded from the declared encoding (or from
// `charset`, the media type's, when given), validated. 400 on any failure.
Result<std::string> to_utf8_document(std::string_view bytes, const std::string& charset);

// The text of `node`'s first child element named `name` ("" when absent).
std::string child_text(const pugi::xml_node& node, const char* name);

// Serialises `doc` (UTF-8, no BOM, two-space indent, with the XML declaration).
std::string to_string(const pugi::xml_document& doc);

}  // namespace sixlink::xml
