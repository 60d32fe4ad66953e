// Writes the kunshan-gb documents as UTF-8 XML text with exact control over escaping,
// so that the hardened reader (adapters/xml/safe_xml.h, pugixml's default options) gives
// back every string byte for byte:
//  - '&', '<', '>' (and '"' in attributes) as entities;
//  - CR always as "&#13;" (a reader folds a literal CR LF to LF); in attributes TAB and LF
//    too (a reader turns literal ones into spaces);
//  - a text made only of white space entirely as character references (a reader drops
//    white-space-only text).
// Strings the writer is given must be xml_safe(); the codec carries other strings in
// base64 (json_xml.h). Non-ASCII text stays UTF-8 here; gbk.h turns the whole document
// into GBK afterwards.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sixlink::kunshan_gb {

// Valid UTF-8 made only of characters XML 1.0 allows (no C0 controls but TAB, LF, CR;
// no U+FFFE, U+FFFF).
bool xml_safe(std::string_view s);

using Attributes = std::vector<std::pair<std::string_view, std::string>>;

class XmlWriter {
 public:
  XmlWriter();  // starts with <?xml version="1.0" encoding="GBK"?>
  void open(std::string_view name, const Attributes& attributes = {});
  void close();
  // <name ...>text</name>, or <name .../> for an empty text.
  void leaf(std::string_view name, std::string_view text, const Attributes& attributes = {});
  // The finished document (every opened element closed).
  std::string take();

 private:
  void start_tag(std::string_view name, const Attributes& attributes);
  void indent();
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace sixlink::kunshan_gb
