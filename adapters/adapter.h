// The adapter seam (DESIGN §6): a pure, stateless codec between a member's native
// format and the canonical envelope. One implementation per folder under adapters/;
// a new partner format touches only its folder and one line of adapters/registry.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/api_error.h"
#include "gateway/core/envelope.h"

namespace sixlink {

struct NativeDocument {
  std::string content_type;  // e.g. "application/json", "application/xml; charset=GBK"
  std::string bytes;
};

struct DecodeInput {
  std::string_view content_type;       // the request's Content-Type header, as sent
  std::string_view body;               // raw bytes
  std::string_view recipients_header;  // Sixlink-Recipients, for formats that cannot name them
  std::string_view member_id;          // the authenticated sender: the envelope's source
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;
  // Native bytes to a canonical envelope. The result is validated by the caller
  // (validate_envelope); decode reports what only the native format can tell:
  // 415 for a media type it does not accept, 400 for malformed documents.
  virtual Result<Envelope> decode(const DecodeInput& input) const = 0;
  // A canonical envelope to the member's native form. Never fails for a valid envelope.
  virtual NativeDocument encode(const Envelope& envelope) const = 0;
  // The native form of an envelope the store holds as canonical JSON text (to_json_text's
  // output): parses it and encodes; nullopt when the text does not parse. The canonical
  // adapter returns the text as it is (the relay's hot path: no parse, no re-encode).
  virtual std::optional<NativeDocument> encode_stored(const std::string& canonical_json) const;
};

// "Sixlink-Recipients: jiading, kunshan" -> {"jiading", "kunshan"} (items trimmed, empty
// ones skipped); nullopt when it names nobody. For formats that cannot name recipients.
std::optional<std::vector<std::string>> recipients_from_header(std::string_view header);

// The adapter registered under `name`, or nullptr.
const Adapter* find_adapter(std::string_view name);
std::vector<std::string> adapter_names();

}  // namespace sixlink
