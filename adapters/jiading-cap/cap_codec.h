// CAP 1.2 <alert> XML <-> the canonical alert body (adapters/README.md): every element of
// the OASIS schema, element by element, in both directions. Envelope fields and the
// extension carriers (sixlink:... codes) are the adapter's business, not this file's.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/envelope.h"

namespace sixlink::jiading {

// Reads the children of a CAP 1.2 <alert> element (elements named with `alert`'s prefix).
// Repeatable elements become arrays, <size> an integer, <altitude>/<ceiling> numbers, every
// other element a string (an empty element is ""). Element order is not enforced on input.
// 400 invalid_xml for an element CAP 1.2 does not define there; 400 invalid_field (path such
// as body.info[0].area[1].altitude) for a missing required element, one that appears twice,
// a value outside a CAP enumeration or a number that is not one.
Result<boost::json::object> read_cap_alert(const pugi::xml_node& alert);

// Writes `body` as the children of `alert` in the schema's order, writing only values the
// schema accepts (so the document validates against cap12.xsd): a value of another type or
// outside an enumeration is left out, times are written in CAP's form (numeric offset, whole
// seconds), codes starting "sixlink:" are left out. `extra_codes` follow the body's codes.
// What was left out or altered is found by reading the document back (the adapter carries it).
void write_cap_alert(pugi::xml_node alert, const boost::json::object& body,
                     const std::vector<std::string>& extra_codes);

// An RFC 3339 time in the form CAP 1.2 requires (YYYY-MM-DDThh:mm:ss+hh:mm, offset within
// ±14:00): "Z" becomes "+00:00", fractions are cut, a leap second becomes :59, an offset
// beyond 14 hours is converted to UTC. nullopt for text that is not RFC 3339.
std::optional<std::string> cap_time(std::string_view rfc3339);

}  // namespace sixlink::jiading
