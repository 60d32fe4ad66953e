// JSON text as partners expect to read it. Boost.JSON 1.81 writes doubles in exponent
// form (31.4712 -> 3.14712E1); this writer uses the shortest round-trip decimal form
// instead (std::to_chars), and is otherwise Boost.JSON's own serialisation.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace sixlink {

std::string to_json_text(const boost::json::value& v);

}  // namespace sixlink
