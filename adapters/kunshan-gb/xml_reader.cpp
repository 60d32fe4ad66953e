// Strict element-set reading: see xml_reader.h.
#include "adapters/kunshan-gb/xml_reader.h"

#include <algorithm>

namespace sixlink::kunshan_gb {

namespace {

bool is_xml_char(unsigned long cp) {
  return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
         (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

// The code point of the character reference at `at` ("&#…;"), or nullopt when it is not
// a complete one (the parser then reports the document as malformed).
std::optional<unsigned long> reference_at(std::string_view doc, std::size_t at) {
  std::size_t i = at + 2;
  const bool hex = i < doc.size() && doc[i] == 'x';
  if (hex) ++i;
  unsigned long cp = 0;
  std::size_t digits = 0;
  for (; i < doc.size() && doc[i] != ';'; ++i, ++digits) {
    char c = doc[i];
    int d = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (d < 0) return std::nullopt;
    // Saturates past U+10FFFF, so leading zeros and huge values are judged correctly.
    cp = std::min(cp * (hex ? 16 : 10) + static_cast<unsigned long>(d), 0x110000ul);
  }
  if (i >= doc.size() || digits == 0) return std::nullopt;
  return cp;
}

}  // namespace

std::optional<std::string> forbidden_character(std::string_view doc) {
  for (std::size_t i = 0; i < doc.size(); ++i) {
    auto c = static_cast<unsigned char>(doc[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return "control character " + std::to_string(c) + " at byte " + std::to_string(i);
    if (c == 0xef && i + 2 < doc.size() && static_cast<unsigned char>(doc[i + 1]) == 0xbf &&
        (static_cast<unsigned char>(doc[i + 2]) & 0xfe) == 0xbe)
      return "non-character U+FFFE or U+FFFF at byte " + std::to_string(i);
    if (c == '&' && i + 1 < doc.size() && doc[i + 1] == '#') {
      auto cp = reference_at(doc, i);
      if (cp && !is_xml_char(*cp))
        return "character reference to code point " + std::to_string(*cp) + " at byte " +
               std::to_string(i);
    }
  }
  return std::nullopt;
}

ApiError bad_xml(const std::string& path, std::string message) {
  return ApiError{400, "invalid_xml", path + ": " + std::move(message), {}, {}, 0};
}

std::optional<ApiError> only_attributes(const pugi::xml_node& node,
                                        std::initializer_list<std::string_view> allowed,
                                        const std::string& path) {
  for (const auto& a : node.attributes())
    if (std::find(allowed.begin(), allowed.end(), std::string_view(a.name())) == allowed.end())
      return bad_xml(path, std::string("attribute '") + a.name() + "' is not part of the profile");
  return std::nullopt;
}

Result<std::string> leaf_text(const pugi::xml_node& node, const std::string& path,
                              bool attributes_checked) {
  if (!attributes_checked)
    if (auto err = only_attributes(node, {}, path)) return *err;
  std::string text;
  for (const auto& c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata)
      text += c.value();
    else if (c.type() == pugi::node_element)
      return bad_xml(path, std::string("holds text only, not <") + c.name() + ">");
  }
  return text;
}

Result<Children> Children::of(const pugi::xml_node& parent,
                              std::initializer_list<std::string_view> single,
                              std::initializer_list<std::string_view> repeated,
                              const std::string& path) {
  Children out;
  for (const auto& c : parent.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata)
      return bad_xml(path, "text is not allowed here, only elements");
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    bool is_single = std::find(single.begin(), single.end(), name) != single.end();
    bool is_repeated = std::find(repeated.begin(), repeated.end(), name) != repeated.end();
    if (!is_single && !is_repeated)
      return bad_xml(path, "<" + std::string(name) + "> is not part of the profile here");
    auto& list = out.by_name_[std::string(name)];
    if (is_single && !list.empty())
      return bad_xml(path, "<" + std::string(name) + "> may occur only once");
    list.push_back(c);
  }
  return out;
}

pugi::xml_node Children::one(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? pugi::xml_node() : it->second.front();
}

const std::vector<pugi::xml_node>& Children::all(std::string_view name) const {
  static const std::vector<pugi::xml_node> none;
  auto it = by_name_.find(name);
  return it == by_name_.end() ? none : it->second;
}

Result<std::vector<std::string>> read_list(const pugi::xml_node& parent, const char* item,
                                           const std::string& path) {
  if (auto err = only_attributes(parent, {}, path)) return *err;
  auto children = Children::of(parent, {}, {item}, path);
  if (!children) return children.error();
  std::vector<std::string> out;
  for (const auto& c : children.value().all(item)) {
    auto text = leaf_text(c, path + "." + item + "[" + std::to_string(out.size()) + "]");
    if (!text) return text.error();
    out.push_back(std::move(text.value()));
  }
  return out;
}

}  // namespace sixlink::kunshan_gb
