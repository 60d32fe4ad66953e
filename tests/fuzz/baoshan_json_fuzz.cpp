// libFuzzer target for the Baoshan JSON adapter (adapters/baoshan-json): the input is a
// Baoshan document; its first byte picks the Content-Type, the authenticated member and
// the Sixlink-Recipients header. A document that decodes and passes validate_envelope
// must survive encode -> decode unchanged (canonical text equal), and encoding the result
// again must give the same bytes; anything else is a bug and traps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/baoshan-json/baoshan_json_adapter.h"

namespace {

constexpr std::string_view kContentTypes[] = {
    "application/json", "application/json; charset=utf-8", "Application/JSON; charset=\"UTF-8\"",
    "application/json; charset=gbk"};  // the last one must be refused (415)
constexpr std::string_view kMembers[] = {"baoshan", ""};
constexpr std::string_view kHeaders[] = {"", "taicang, jiading"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned pick = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string_view content_type = kContentTypes[pick % 4];
  const std::string_view member = kMembers[(pick / 4) % 2];
  const std::string_view header = kHeaders[(pick / 8) % 2];

  static const sixlink::BaoshanJsonAdapter adapter;
  auto first = adapter.decode({content_type, body, header, member});
  if (content_type.ends_with("gbk") && (first.ok() || first.error().status != 415))
    __builtin_trap();
  if (!first.ok()) {
    const int status = first.error().status;
    if (status != 400 && status != 415) __builtin_trap();
    return 0;
  }
  if (sixlink::validate_envelope(first.value())) return 0;

  sixlink::NativeDocument doc = adapter.encode(first.value());
  auto second = adapter.decode({doc.content_type, doc.bytes, "", ""});
  if (!second.ok()) __builtin_trap();
  if (sixlink::to_json_text(second.value()) != sixlink::to_json_text(first.value()))
    __builtin_trap();
  if (adapter.encode(second.value()).bytes != doc.bytes) __builtin_trap();
  return 0;
}
