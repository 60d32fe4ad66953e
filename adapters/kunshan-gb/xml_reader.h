// Strict reading of a parsed kunshan-gb document (parsed by adapters/xml/safe_xml.h):
// every element and attribute must be one the profile names, each single element at most
// once, text only where text belongs. Nothing a sender wrote is silently skipped, so
// nothing is lost on the way to the canonical envelope.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/envelope.h"

namespace sixlink::kunshan_gb {

// What pugixml would let through but XML 1.0 forbids, in a whole UTF-8 document: a C0
// control character other than TAB, LF, CR (raw, or as a character reference), U+FFFE,
// U+FFFF, and references to surrogates or past U+10FFFF. pugixml would decode "&#0;" to a
// string cut short and "&#xD800;" to invalid UTF-8; refusing them keeps every decoded
// string valid UTF-8 that the encoder can write back. A description of the first one found.
std::optional<std::string> forbidden_character(std::string_view utf8_document);

// 400 invalid_xml; the message starts with the element path ("alert.info[0].area[1]: ...").
ApiError bad_xml(const std::string& path, std::string message);

// Refuses any attribute of `node` not in `allowed`.
std::optional<ApiError> only_attributes(const pugi::xml_node& node,
                                        std::initializer_list<std::string_view> allowed,
                                        const std::string& path);

// The text of an element that holds text only (character data, CDATA), attribute-free
// unless `attributes_checked`.
Result<std::string> leaf_text(const pugi::xml_node& node, const std::string& path,
                              bool attributes_checked = false);

// The element children of a container element, by name. `single` names may occur at most
// once, `repeated` ones any number of times; other elements, text and attributes are refused.
class Children {
 public:
  static Result<Children> of(const pugi::xml_node& parent,
                             std::initializer_list<std::string_view> single,
                             std::initializer_list<std::string_view> repeated,
                             const std::string& path);
  pugi::xml_node one(std::string_view name) const;  // a null node when absent
  const std::vector<pugi::xml_node>& all(std::string_view name) const;

 private:
  std::map<std::string, std::vector<pugi::xml_node>, std::less<>> by_name_;
};

// <parent><item>a</item><item>b</item></parent> -> {"a", "b"}.
Result<std::vector<std::string>> read_list(const pugi::xml_node& parent, const char* item,
                                           const std::string& path);

}  // namespace sixlink::kunshan_gb
