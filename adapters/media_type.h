// Media type parsing shared by the adapters: "Application/JSON; charset=\"UTF-8\"" ->
// {type "application/json", charset "utf-8"} (both lower-cased).
#pragma once

#include <string>
#include <string_view>

namespace sixlink {

struct MediaType {
  std::string type;
  std::string charset;
};

MediaType parse_media_type(std::string_view header);

}  // namespace sixlink
