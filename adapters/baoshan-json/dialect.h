// Baoshan's JSON dialect as field tables: the envelope header, and the payloads of alerts,
// cases and patrol messages. The mapping table in adapters/baoshan-json/README.md is this
// file in prose; change both together.
#pragma once

#include <string_view>

#include "adapters/baoshan-json/field_map.h"

namespace sixlink::baoshan {

// The envelope's members (body excepted: it travels in "payload", mapped by kind).
const Table& envelope_table();
// The payload table for a kind, or nullptr for kinds whose body travels verbatim
// (meeting.*, bulletin, safety.*: free-form bodies without times or coordinates the
// gateway knows of).
const Table* payload_table(std::string_view kind);

}  // namespace sixlink::baoshan
