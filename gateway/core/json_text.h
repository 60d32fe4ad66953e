// Canonical JSON text: object members in sorted key order at every depth, so equal
// values give equal bytes (the idempotency hash relies on it), and doubles in their
// shortest round-trip decimal form (std::to_chars; Boost.JSON 1.81 would write 31.4712
// as 3.14712E1). Strings and integers are written as Boost.JSON writes them.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace sixlink {

std::string canonical_json_text(const boost::json::value& v);
// The same, but the top-level members keep their order (a record with a documented
// member order, such as the envelope); objects beneath are sorted.
std::string canonical_json_text_keeping_top_order(const boost::json::object& o);

// The pieces, for writers of a record's text member by member (to_json_text(Envelope)):
// v's canonical text, and `s` as a JSON string, each appended to `out`.
void append_canonical_json(std::string& out, const boost::json::value& v);
void append_canonical_json(std::string& out, const boost::json::object& o);
void append_json_string(std::string& out, std::string_view s);

}  // namespace sixlink
