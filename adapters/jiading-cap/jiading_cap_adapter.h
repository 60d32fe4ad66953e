// Jiading (嘉定区, member `jiading`): alerts as OASIS CAP 1.2 XML, every other kind as
// Jiading's own message XML. Mapping tables, carriers and examples: README.md here.
#pragma once

#include "adapters/adapter.h"

namespace sixlink {

class JiadingCapAdapter final : public Adapter {
 public:
  std::string_view name() const override { return "jiading-cap"; }
  // application/cap+xml (a CAP 1.2 <alert>) or application/xml (a CAP <alert> or a Jiading
  // <message>), in UTF-8 or any encoding the XML declaration or the charset names.
  Result<Envelope> decode(const DecodeInput& input) const override;
  // kind alert: application/cap+xml, valid against cap12.xsd; other kinds: application/xml.
  NativeDocument encode(const Envelope& envelope) const override;
};

}  // namespace sixlink
