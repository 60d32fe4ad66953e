// libFuzzer target for the jiading-cap adapter: decodes the bytes as CAP and as XML (plain
// and with a GB18030 charset); whenever decoding succeeds and the envelope is valid, encodes
// it and decodes the result, and traps unless the second envelope equals the first.
// Seeds: tests/data/adapters/jiading-cap/ (golden documents), ../shared/data/cap/samples/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/jiading-cap/jiading_cap_adapter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sixlink::JiadingCapAdapter adapter;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const char* type :
       {"application/cap+xml", "application/xml", "application/xml; charset=GB18030"}) {
    auto first = adapter.decode({type, bytes, "taicang,kunshan", "jiading"});
    if (!first.ok() || sixlink::validate_envelope(first.value())) continue;
    sixlink::NativeDocument doc = adapter.encode(first.value());
    auto second = adapter.decode({doc.content_type, doc.bytes, "", "someone-else"});
    if (!second.ok()) __builtin_trap();
    if (sixlink::to_json_text(second.value()) != sixlink::to_json_text(first.value()))
      __builtin_trap();
    if (adapter.encode(second.value()).bytes != doc.bytes) __builtin_trap();  // encode is stable
  }
  return 0;
}
