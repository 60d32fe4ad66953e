// GBK charset labels and UTF-8 -> GBK with character references for what GBK lacks.
#include "adapters/kunshan-gb/gbk.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "adapters/xml/safe_xml.h"

namespace sixlink::kunshan_gb {

namespace {

// The GBK bytes of one UTF-8 character, if GBK holds it and gives it back unchanged.
std::optional<std::string> gbk_of_char(std::string_view utf8_char) {
  auto gbk = xml::transcode(utf8_char, "UTF-8", "GBK");
  if (!gbk) return std::nullopt;
  auto back = xml::transcode(*gbk, "GBK", "UTF-8");
  if (!back || *back != utf8_char) return std::nullopt;
  return gbk;
}

std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  return 4;
}

char32_t code_point(std::string_view c) {
  if (c.size() == 1) return static_cast<unsigned char>(c[0]);
  static constexpr unsigned char kLeadMask[] = {0, 0, 0x1f, 0x0f, 0x07};
  char32_t cp = static_cast<unsigned char>(c[0]) & kLeadMask[c.size()];
  for (std::size_t i = 1; i < c.size(); ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(c[i]) & 0x3f);
  return cp;
}

}  // namespace

std::string gbk_family_codec(std::string_view label) {
  std::string upper(label);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "GBK" || upper == "GB2312") return "GBK";
  if (upper == "GB18030") return "GB18030";
  return {};
}

std::string utf8_xml_to_gbk(std::string_view utf8) {
  // Fast path: the whole document converts and converts back unchanged.
  if (auto gbk = xml::transcode(utf8, "UTF-8", "GBK")) {
    auto back = xml::transcode(*gbk, "GBK", "UTF-8");
    if (back && *back == utf8) return *gbk;
  }
  // Character by character; each distinct character is tried once.
  std::unordered_map<char32_t, std::optional<std::string>> seen;
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t n = std::min(utf8_length(static_cast<unsigned char>(utf8[i])), utf8.size() - i);
    std::string_view c = utf8.substr(i, n);
    i += n;
    if (n == 1) {
      out += c;
      continue;
    }
    char32_t cp = code_point(c);
    auto it = seen.find(cp);
    if (it == seen.end()) it = seen.emplace(cp, gbk_of_char(c)).first;
    if (it->second) {
      out += *it->second;
    } else {
      char ref[16];
      std::snprintf(ref, sizeof ref, "&#x%X;", static_cast<unsigned>(cp));
      out += ref;
    }
  }
  return out;
}

}  // namespace sixlink::kunshan_gb
