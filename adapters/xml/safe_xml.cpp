#include "adapters/xml/safe_xml.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <sstream>

#include "gateway/core/text.h"

namespace sixlink::xml {

namespace {

ApiError invalid_xml(std::string message) {
  return ApiError{400, "invalid_xml", std::move(message), {}, {}, 0};
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool is_xml_char(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// "x41" or "65" (the part after "&#"): a reference to a character XML allows.
bool is_xml_char_reference(std::string_view ref) {
  const bool hex = !ref.empty() && (ref[0] == 'x' || ref[0] == 'X');
  if (hex) ref.remove_prefix(1);
  if (ref.empty() || ref.size() > 8) return false;
  uint32_t v = 0;
  for (char c : ref) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                                   : -1;
    if (d < 0) return false;
    v = v * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  return is_xml_char(v);
}

// Raw C0 control characters other than TAB, LF and CR are not XML.
bool has_control_character(std::string_view doc) {
  return std::any_of(doc.begin(), doc.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 && c != 0x9 && c != 0xA && c != 0xD;
  });
}

// Entity references other than the five predefined ones and character references, in
// markup and text; CDATA sections and comments hold no references and are skipped.
// The answer names the entity, never the document's text around it.
std::optional<std::string> foreign_entity(std::string_view doc) {
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc.compare(i, 9, "<![CDATA[") == 0) {
      std::size_t end = doc.find("]]>", i + 9);
      if (end == std::string_view::npos) return std::nullopt;  // malformed: the parser says so
      i = end + 2;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      std::size_t end = doc.find("-->", i + 4);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 2;
      continue;
    }
    if (doc[i] != '&') continue;
    std::size_t semi = doc.find(';', i);
    if (semi == std::string_view::npos || semi - i > 32) return std::string("a bare '&'");
    std::string_view name = doc.substr(i + 1, semi - i - 1);
    if (name == "lt" || name == "gt" || name == "amp" || name == "quot" || name == "apos") continue;
    if (!name.empty() && name[0] == '#') {
      if (!is_xml_char_reference(name.substr(1))) return "character reference &" + std::string(name) + ";";
      continue;
    }
    bool is_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
    });
    return is_name ? "entity reference &" + std::string(name) + ";" : std::string("a bare '&'");
  }
  return std::nullopt;
}

// XML's well-formedness constraint that pugixml does not check: an attribute name
// appears at most once in an element (so no reader takes the other copy).
std::optional<std::string> repeated_attribute(const pugi::xml_node& element) {
  std::vector<std::string_view> names;
  for (auto a : element.attributes()) names.emplace_back(a.name());
  std::sort(names.begin(), names.end());
  auto twice = std::adjacent_find(names.begin(), names.end());
  if (twice == names.end()) return std::nullopt;
  return std::string(*twice);
}

std::optional<ApiError> check_tree(const pugi::xml_node& root, const Limits& limits) {
  std::size_t elements = 0;
  struct Frame {
    pugi::xml_node node;
    int depth;
  };
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    for (pugi::xml_node c = f.node.first_child(); c; c = c.next_sibling()) {
      switch (c.type()) {
        case pugi::node_doctype:
          return invalid_xml("a DOCTYPE is not accepted (no DTDs, entities or external references)");
        case pugi::node_pi:
          return invalid_xml("processing instructions are not accepted");
        case pugi::node_element: {
          std::string_view name = c.name();
          if (name == "xi:include" || name.ends_with(":include") || name == "include") {
            for (auto a : c.attributes())
              if (std::string_view(a.value()) == "http://www.w3.org/2001/XInclude")
                return invalid_xml("XInclude is not accepted");
            if (name == "xi:include") return invalid_xml("XInclude is not accepted");
          }
          if (auto name = repeated_attribute(c))
            return invalid_xml("attribute " + *name + " appears twice in <" + std::string(c.name()) + ">");
          if (++elements > limits.max_elements)
            return invalid_xml("more than " + std::to_string(limits.max_elements) + " elements");
          if (f.depth + 1 > limits.max_depth)
            return invalid_xml("nested deeper than " + std::to_string(limits.max_depth) + " levels");
          stack.push_back({c, f.depth + 1});
          break;
        }
        default:
          break;
      }
    }
  }
  return std::nullopt;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<std::shared_ptr<pugi::xml_document>> parse(std::string_view utf8, const Limits& limits) {
  if (utf8.size() > limits.max_bytes)
    return invalid_xml("document larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (!is_valid_utf8(utf8)) return invalid_xml("document is not valid UTF-8");
  if (has_control_character(utf8)) return invalid_xml("document contains control characters XML does not allow");
  if (auto e = foreign_entity(utf8)) return invalid_xml(*e + " is not accepted (only XML's five entities)");
  auto doc = std::make_shared<pugi::xml_document>();
  const unsigned flags = pugi::parse_default | pugi::parse_doctype | pugi::parse_pi | pugi::parse_declaration;
  pugi::xml_parse_result r = doc->load_buffer(utf8.data(), utf8.size(), flags, pugi::encoding_utf8);
  if (!r) return invalid_xml(std::string("malformed XML at byte ") + std::to_string(r.offset) + ": " + r.description());
  if (auto err = check_tree(*doc, limits)) return *err;
  if (!doc->document_element()) return invalid_xml("document has no root element");
  return doc;
}

std::string declared_encoding(std::string_view doc) {
  if (!doc.starts_with("<?xml")) return {};
  std::string_view decl = doc.substr(0, doc.find("?>"));
  std::size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  std::size_t q = decl.find_first_of("\"'", at);
  if (q == std::string_view::npos) return {};
  std::size_t end = decl.find(decl[q], q + 1);
  if (end == std::string_view::npos) return {};
  return upper(std::string(decl.substr(q + 1, end - q - 1)));
}

std::optional<std::string> transcode(std::string_view bytes, const std::string& from, const std::string& to) {
  iconv_t cd = iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  std::size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  if (rc != static_cast<std::size_t>(-1)) rc = iconv(cd, nullptr, nullptr, &o, &out_left);  // flush state
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || in_left != 0) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

Result<std::string> to_utf8_document(std::string_view bytes, const std::string& charset) {
  std::string encoding = charset.empty() ? declared_encoding(bytes) : upper(charset);
  if (encoding.empty() || encoding == "UTF-8" || encoding == "UTF8") {
    if (!is_valid_utf8(bytes)) return invalid_xml("document is not valid UTF-8");
    return std::string(bytes);
  }
  auto utf8 = transcode(bytes, encoding, "UTF-8");
  if (!utf8) return invalid_xml("document is not valid " + encoding);
  return *utf8;
}

std::string child_text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

std::string to_string(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace sixlink::xml
