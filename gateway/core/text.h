// Byte-level text helpers: UTF-8 validity and base64 (inbox pages carry non-UTF-8
// native documents, such as GBK XML, as base64).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sixlink {

bool is_valid_utf8(std::string_view bytes);
// `bytes` with every byte that starts no valid UTF-8 sequence replaced by U+FFFD: for text
// that may echo request input (an error message, a log line) and must stay valid JSON.
std::string to_valid_utf8(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sixlink
