// Baoshan (宝山区, member `baoshan`): its city-operations platform speaks a JSON dialect of
// its own: pinyin/English field names, epoch-millisecond times, level codes 1-4, unit
// codes for members and GCJ-02 coordinates. Mapping table: adapters/baoshan-json/README.md.
#pragma once

#include "adapters/adapter.h"

namespace sixlink {

class BaoshanJsonAdapter final : public Adapter {
 public:
  std::string_view name() const override { return "baoshan-json"; }
  Result<Envelope> decode(const DecodeInput& input) const override;
  NativeDocument encode(const Envelope& envelope) const override;
};

}  // namespace sixlink
