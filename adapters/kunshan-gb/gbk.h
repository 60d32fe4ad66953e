// The GBK edge of the kunshan-gb codec: which charset labels it takes and how a UTF-8
// document becomes GBK without losing a character GBK cannot hold.
#pragma once

#include <string>
#include <string_view>

namespace sixlink::kunshan_gb {

// The iconv codec for a charset label of the GBK family (case-insensitive): "GBK" for
// GBK and GB2312 (GBK is its superset, and systems often label GBK text GB2312),
// "GB18030" for GB18030; "" for any other label.
std::string gbk_family_codec(std::string_view label);

// A UTF-8 XML document as GBK bytes. A character GBK cannot hold (or would not give back
// unchanged) is written as a character reference "&#xHHHH;", which every XML reader turns
// back into that character. Non-ASCII characters may only occur in text and attribute
// values (XmlWriter's output), where a character reference means the character itself.
std::string utf8_xml_to_gbk(std::string_view utf8);

}  // namespace sixlink::kunshan_gb
