// Kunshan (昆山市, 320583), a Jiangsu provincial system: XML in GBK following the national
// early-warning exchange profile (GB/T 35965.1 style) for alerts, and Kunshan's <message>
// element set for every other kind. The mapping is documented in README.md of this folder.
//
// This file owns the edge: the media type, the GBK (GB2312, GB18030) transcoding and the
// hardened parse; codec.h owns the documents themselves.
#pragma once

#include <cstddef>

#include "adapters/adapter.h"
#include "adapters/xml/safe_xml.h"

namespace sixlink {

class KunshanGbAdapter final : public Adapter {
 public:
  static constexpr std::string_view kContentType = "application/xml; charset=GBK";
  // Limits of a document (README "Limits"): the GBK bytes, then the parse of their UTF-8
  // form (GBK text grows by at most half in UTF-8) with room for a body nested as deep as
  // canonical JSON allows (32) under <message><body>.
  static constexpr std::size_t kMaxDocumentBytes = 4u << 20;
  static constexpr xml::Limits kParseLimits{6u << 20, 40, 200000};

  std::string_view name() const override { return "kunshan-gb"; }
  Result<Envelope> decode(const DecodeInput& input) const override;
  NativeDocument encode(const Envelope& envelope) const override;
};

}  // namespace sixlink
