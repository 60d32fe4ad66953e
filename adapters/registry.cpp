// The adapter registry: one line per adapter. Adapters are stateless, so one instance
// of each serves every thread.
#include <memory>

#include "adapters/adapter.h"
#include "adapters/baoshan-json/baoshan_json_adapter.h"
#include "adapters/jiading-cap/jiading_cap_adapter.h"
#include "adapters/kunshan-gb/kunshan_gb_adapter.h"
#include "adapters/sixlink/sixlink_adapter.h"

namespace sixlink {

namespace {

const std::vector<std::unique_ptr<Adapter>>& registry() {
  static const auto adapters = [] {
    std::vector<std::unique_ptr<Adapter>> v;
    v.push_back(std::make_unique<SixlinkAdapter>());
    v.push_back(std::make_unique<BaoshanJsonAdapter>());
    v.push_back(std::make_unique<JiadingCapAdapter>());
    v.push_back(std::make_unique<KunshanGbAdapter>());
    return v;
  }();
  return adapters;
}

}  // namespace

std::optional<NativeDocument> Adapter::encode_stored(const std::string& canonical_json) const {
  Result<Envelope> e = parse_envelope(canonical_json);
  if (!e) return std::nullopt;
  return encode(e.value());
}

const Adapter* find_adapter(std::string_view name) {
  for (const auto& a : registry())
    if (a->name() == name) return a.get();
  return nullptr;
}

std::vector<std::string> adapter_names() {
  std::vector<std::string> names;
  for (const auto& a : registry()) names.emplace_back(a->name());
  return names;
}

}  // namespace sixlink
