// The one JSON parse for text a partner sent: boost::json::parse, except that an object
// naming a member twice is refused. Boost.JSON 1.81 keeps the last copy of a repeated
// member while other readers keep the first, so {"source":"a","source":"b"} would mean
// one sender to the gateway and another to whoever reads the same text after it.
// What a site answers for a refused document stays the site's (invalid_json_error is the
// common answer); config files and text the gateway wrote itself may use json::parse.
#pragma once

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/api_error.h"

namespace sixlink {

// The outcome of parse_strict_json: a value, or why there is none.
struct StrictJson {
  boost::json::value value;      // null unless ok()
  boost::system::error_code ec;  // set when refused: Boost.JSON's reason, or invalid_argument
  std::optional<std::string> repeated_member;  // set when a member is named twice: its name
  std::string repeated_path;  // ... and where, e.g. body.info[0].event ("" when not)

  bool ok() const { return !ec && !repeated_member; }
  // Why the text was refused, for a contract error message ("" when ok()).
  std::string reason() const;
};

// Parses `text` as boost::json::parse(text, ec, {}, options) does, with the same results
// for every document it accepts, but refuses any object, at any depth, that names a member
// twice (keys compared after unescaping: "\u0041" and "A" are the same name).
StrictJson parse_strict_json(std::string_view text, const boost::json::parse_options& options = {});

// 400 invalid_json: "<what> is not valid UTF-8 JSON: <reason>", the field naming the
// repeated member's path when that is the reason.
ApiError invalid_json_error(const StrictJson& parsed, std::string_view what = "body");

}  // namespace sixlink
