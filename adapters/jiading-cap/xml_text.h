// Text and names of XML nodes for the Jiading adapter: reading an element's text, telling
// whether a string survives pugixml's writer and parser unchanged, namespace prefixes, and
// JSON text that is safe inside an XML document. The CAP codec (cap_codec) and Jiading's own
// XML (message_codec) share these; the hardened parse itself is adapters/xml/safe_xml.h.
#pragma once

#include <boost/json/value.hpp>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "gateway/core/envelope.h"

namespace sixlink::jiading {

inline constexpr std::string_view kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";
inline constexpr std::string_view kMessageNamespace = "urn:sixlink:jiading:1";

ApiError invalid_xml(std::string message);

// "cap:alert" -> "alert", "alert" -> "alert".
std::string_view local_name(const pugi::xml_node& node);
// "cap:alert" -> "cap", "alert" -> "".
std::string_view name_prefix(const pugi::xml_node& node);
// The namespace `root` declares for its own prefix (xmlns or xmlns:<prefix>), "" if none.
std::string_view declared_namespace(const pugi::xml_node& root);
// Whether `node` is an element named `prefix:local` (or `local` when prefix is empty).
bool has_name(const pugi::xml_node& node, std::string_view prefix, std::string_view local);

// The character data of a leaf element (text and CDATA children, concatenated). 400
// invalid_field naming `field` when the element has element children.
Result<std::string> leaf_text(const pugi::xml_node& node, const std::string& field);
// Whether the element has character data that is not whitespace (mixed content check).
bool has_text(const pugi::xml_node& node);

// True when `s`, written as element text by pugixml and parsed back, is `s` again: only XML
// 1.0 characters, no carriage return (parsers turn it into a line feed), and not made of
// whitespace alone (pugixml drops whitespace-only text).
bool survives_as_text(std::string_view s);
// True when `s` survives as an attribute value: XML 1.0 characters and no tab, CR or LF
// (attribute-value normalisation turns them into spaces).
bool survives_as_attribute(std::string_view s);
// `s` without the characters XML 1.0 cannot hold (C0 controls other than tab, LF and CR,
// U+FFFE, U+FFFF, invalid UTF-8 bytes): what may be written where exactness is not needed.
std::string xml_safe(std::string_view s);

// Canonical JSON text of `v` with U+FFFE and U+FFFF escaped, so the text is always
// well-formed XML content (JSON already escapes the control characters).
std::string json_for_xml(const boost::json::value& v);

// ASCII whitespace trimmed at both ends (xs:integer and xs:decimal collapse whitespace).
std::string_view trim_xml_space(std::string_view s);

}  // namespace sixlink::jiading
