// The words of the case report in Chinese (default) and English: links, states, figures,
// border lines, headings. One table per language; an unknown key prints as itself.
#pragma once

#include <string>
#include <string_view>

namespace sixlink::reports {

// "zh" or "en"; anything else is treated as "zh".
std::string label(std::string_view lang, std::string_view key);

}  // namespace sixlink::reports
