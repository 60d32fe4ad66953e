// The canonical adapter: Taicang's own systems and peer gateways speak the envelope itself.
#pragma once

#include "adapters/adapter.h"

namespace sixlink {

class SixlinkAdapter final : public Adapter {
 public:
  std::string_view name() const override { return "sixlink"; }
  Result<Envelope> decode(const DecodeInput& input) const override;
  NativeDocument encode(const Envelope& envelope) const override;
  std::optional<NativeDocument> encode_stored(const std::string& canonical_json) const override {
    return NativeDocument{"application/json", canonical_json};
  }
};

}  // namespace sixlink
