// libFuzzer target for the kunshan-gb adapter: the input bytes are decoded as a Kunshan
// document under a few content types (and, when they are UTF-8, after transcoding to GBK,
// so the fuzzer reaches the XML parser with GBK text it can write in UTF-8). Whenever a
// decode succeeds and the envelope is valid, it is encoded and decoded again; the round
// trip must give the same envelope (canonical JSON text), or the target traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/kunshan-gb/kunshan_gb_adapter.h"
#include "adapters/xml/safe_xml.h"

namespace {

void round_trip(const sixlink::KunshanGbAdapter& adapter, std::string_view bytes,
                std::string_view content_type, std::string_view recipients) {
  auto first = adapter.decode({content_type, bytes, recipients, "kunshan"});
  if (!first.ok() || sixlink::validate_envelope(first.value())) return;
  sixlink::NativeDocument doc = adapter.encode(first.value());
  if (doc.content_type != sixlink::KunshanGbAdapter::kContentType) __builtin_trap();
  auto second = adapter.decode({doc.content_type, doc.bytes, "", "kunshan"});
  if (!second.ok()) __builtin_trap();
  if (sixlink::to_json_text(second.value()) != sixlink::to_json_text(first.value()))
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sixlink::KunshanGbAdapter adapter;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  round_trip(adapter, bytes, "application/xml; charset=GBK", "");
  round_trip(adapter, bytes, "application/xml; charset=GB18030", "taicang,baoshan");
  round_trip(adapter, bytes, "application/xml", "");
  if (auto gbk = sixlink::xml::transcode(bytes, "UTF-8", "GBK"))
    round_trip(adapter, *gbk, "text/xml; charset=gb2312", "");
  return 0;
}
