#include "adapters/sixlink/sixlink_adapter.h"

#include "adapters/media_type.h"

namespace sixlink {

Result<Envelope> SixlinkAdapter::decode(const DecodeInput& in) const {
  MediaType mt = parse_media_type(in.content_type);
  if (mt.type != "application/json" || (!mt.charset.empty() && mt.charset != "utf-8"))
    return ApiError{415, "unsupported_media_type",
                    "the sixlink adapter accepts application/json (UTF-8) only", {}, {}, 0};
  return parse_envelope(in.body);
}

NativeDocument SixlinkAdapter::encode(const Envelope& envelope) const {
  return {"application/json", to_json_text(envelope)};
}

}  // namespace sixlink
