// Jiading's own XML for the kinds CAP has no place for (meeting.*, bulletin, case.*, patrol.*,
// safety.*): <message xmlns="urn:sixlink:jiading:1"> with the envelope fields as elements and
// the body in a generic JSON <-> XML mapping that keeps strings, numbers, booleans, nulls,
// arrays and objects exactly (README.md, "Jiading message XML").
#pragma once

#include <pugixml.hpp>
#include <string>

#include "adapters/adapter.h"

namespace sixlink::jiading {

// The whole document (UTF-8, XML declaration, two-space indent).
std::string write_message(const Envelope& envelope);

// Reads a <message> root. `source` defaults to the authenticated member and `recipients`
// to the Sixlink-Recipients header when the document leaves them out. 400 invalid_xml for
// an element the format does not define; 400 invalid_field naming the field otherwise.
Result<Envelope> read_message(const pugi::xml_node& root, const DecodeInput& input);

using sixlink::recipients_from_header;  // adapters/adapter.h

}  // namespace sixlink::jiading
