// Escaping rules: see xml_writer.h.
#include "adapters/kunshan-gb/xml_writer.h"

#include <cstdint>

#include "gateway/core/text.h"

namespace sixlink::kunshan_gb {

namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void append_char_ref(std::string& out, char c) {
  out += "&#";
  out += std::to_string(static_cast<int>(static_cast<unsigned char>(c)));
  out += ';';
}

// One character of element text, or of a double-quoted attribute value, as XML. In an
// attribute, TAB and LF are references too (attribute-value normalisation would eat them).
void append_escaped(std::string& out, char c, bool attribute) {
  switch (c) {
    case '&': out += "&amp;"; return;
    case '<': out += "&lt;"; return;
    case '>': out += "&gt;"; return;
    case '\r': return append_char_ref(out, c);
    case '"':
      if (attribute) {
        out += "&quot;";
        return;
      }
      break;
    case '\t':
    case '\n':
      if (attribute) return append_char_ref(out, c);
      break;
    default:
      break;
  }
  out += c;
}

void append_text(std::string& out, std::string_view s) {
  bool all_space = true;
  for (char c : s) all_space = all_space && is_xml_space(c);
  for (char c : s) all_space ? append_char_ref(out, c) : append_escaped(out, c, false);
}

void append_attribute(std::string& out, std::string_view s) {
  for (char c : s) append_escaped(out, c, true);
}

}  // namespace

bool xml_safe(std::string_view s) {
  if (!is_valid_utf8(s)) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
    if (c == 0xef && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xbf &&
        (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xbe)
      return false;
  }
  return true;
}

XmlWriter::XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"GBK\"?>\n"; }

void XmlWriter::indent() { out_.append(2 * open_.size(), ' '); }

void XmlWriter::start_tag(std::string_view name, const Attributes& attributes) {
  indent();
  out_ += '<';
  out_ += name;
  for (const auto& [key, value] : attributes) {
    out_ += ' ';
    out_ += key;
    out_ += "=\"";
    append_attribute(out_, value);
    out_ += '"';
  }
}

void XmlWriter::open(std::string_view name, const Attributes& attributes) {
  start_tag(name, attributes);
  out_ += ">\n";
  open_.emplace_back(name);
}

void XmlWriter::close() {
  std::string name = std::move(open_.back());
  open_.pop_back();
  indent();
  out_ += "</" + name + ">\n";
}

void XmlWriter::leaf(std::string_view name, std::string_view text, const Attributes& attributes) {
  start_tag(name, attributes);
  if (text.empty()) {
    out_ += "/>\n";
    return;
  }
  out_ += '>';
  append_text(out_, text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

std::string XmlWriter::take() {
  while (!open_.empty()) close();
  return std::move(out_);
}

}  // namespace sixlink::kunshan_gb
