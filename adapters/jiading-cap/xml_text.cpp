#include "adapters/jiading-cap/xml_text.h"

#include <cstdint>

#include "gateway/core/json_text.h"

namespace sixlink::jiading {

namespace {

// The code point starting at s[i] and its length in bytes; length 0 for a byte that does
// not start a valid (shortest-form, non-surrogate) UTF-8 sequence.
struct CodePoint {
  std::uint32_t value = 0;
  std::size_t length = 0;
};

CodePoint next_code_point(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return {b, 1};
  std::size_t n;
  std::uint32_t cp;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    cp = b & 0x07;
  } else {
    return {};
  }
  if (i + n > s.size()) return {};
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n};
}

bool is_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool only_xml_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    CodePoint c = next_code_point(s, i);
    if (c.length == 0 || !is_xml_char(c.value)) return false;
    i += c.length;
  }
  return true;
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

ApiError invalid_xml(std::string message) {
  return ApiError{400, "invalid_xml", std::move(message), {}, {}, 0};
}

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view name_prefix(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
}

std::string_view declared_namespace(const pugi::xml_node& root) {
  std::string attr = "xmlns";
  if (std::string_view prefix = name_prefix(root); !prefix.empty())
    attr += ":" + std::string(prefix);
  return root.attribute(attr.c_str()).value();
}

bool has_name(const pugi::xml_node& node, std::string_view prefix, std::string_view local) {
  if (node.type() != pugi::node_element) return false;
  return name_prefix(node) == prefix && local_name(node) == local &&
         (!prefix.empty() || std::string_view(node.name()).find(':') == std::string_view::npos);
}

Result<std::string> leaf_text(const pugi::xml_node& node, const std::string& field) {
  std::string text;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata)
      text += c.value();
    else if (c.type() == pugi::node_element)
      return invalid_field(field,
                           "<" + std::string(local_name(node)) + "> holds text, not elements");
  }
  return text;
}

bool has_text(const pugi::xml_node& node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_pcdata && c.type() != pugi::node_cdata) continue;
    for (const char* p = c.value(); *p; ++p)
      if (!is_xml_space(*p)) return true;
  }
  return false;
}

bool survives_as_text(std::string_view s) {
  if (s.find('\r') != std::string_view::npos || !only_xml_chars(s)) return false;
  for (char c : s)
    if (!is_xml_space(c)) return true;
  return s.empty();
}

bool survives_as_attribute(std::string_view s) {
  return s.find_first_of("\t\r\n") == std::string_view::npos && only_xml_chars(s);
}

std::string xml_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    CodePoint c = next_code_point(s, i);
    if (c.length == 0) {
      ++i;
      continue;
    }
    if (is_xml_char(c.value)) out.append(s.substr(i, c.length));
    i += c.length;
  }
  return out;
}

std::string json_for_xml(const boost::json::value& v) {
  std::string text = canonical_json_text(v);
  // U+FFFE and U+FFFF are EF BF BE / EF BF BF; they can only occur inside JSON strings.
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i + 2 < text.size() && text.compare(i, 2, "\xEF\xBF") == 0 &&
        (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      out += text[i + 2] == '\xBE' ? "\\ufffe" : "\\uffff";
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string_view trim_xml_space(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace sixlink::jiading
