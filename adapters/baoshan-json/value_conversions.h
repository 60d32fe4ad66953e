// The leaf conversions of the Baoshan dialect: one canonical JSON value <-> one Baoshan
// JSON value (RFC 3339 text <-> epoch milliseconds, CAP severity <-> level code 1-4,
// member id <-> unit code, code tables, "lat,lon" text in WGS-84 <-> GCJ-02). The field
// tables that use them are in dialect.cpp; the engine that walks objects is field_map.cpp.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sixlink::baoshan {

namespace json = boost::json;

// One leaf conversion. to_native answers nullopt when Baoshan cannot hold the canonical
// value (the engine then carries it in `ext`); to_canonical answers false with a reason
// ("must be an integer ...") when a Baoshan value is invalid.
class Leaf {
 public:
  virtual ~Leaf() = default;
  virtual std::optional<json::value> to_native(const json::value& canonical) const = 0;
  virtual bool to_canonical(const json::value& native, json::value& out,
                            std::string& why) const = 0;
};

// Plain copies with a type check.
const Leaf& text_leaf();     // string
const Leaf& number_leaf();   // any JSON number, kept as it is (integer or double)
const Leaf& strings_leaf();  // array of strings

// RFC 3339 date-time <-> epoch milliseconds. Baoshan reads its times as Beijing time, so
// a Baoshan time becomes "YYYY-MM-DDTHH:MM:SS[.mmm]+08:00".
const Leaf& epoch_ms_leaf();
// CAP severity <-> level code: 1 Extreme 特别重大, 2 Severe 重大, 3 Moderate 较大, 4 Minor 一般.
const Leaf& level_leaf();
// Member id <-> Baoshan unit code: the six-link districts by their GB/T 2260 code, any
// other member (a peer gateway) by its member id.
const Leaf& unit_leaf();
const Leaf& units_leaf();  // array of the above
// CAP polygon / circle lists: "lat,lon lat,lon ..." in WGS-84 <-> the same in GCJ-02.
const Leaf& polygons_leaf();
const Leaf& circles_leaf();

// A code table: canonical string <-> Baoshan code (an integer or a string).
class CodeLeaf final : public Leaf {
 public:
  CodeLeaf(std::string what, std::initializer_list<std::pair<std::string_view, json::value>> codes);
  std::optional<json::value> to_native(const json::value& canonical) const override;
  bool to_canonical(const json::value& native, json::value& out, std::string& why) const override;

 private:
  std::string what_;  // "a link code", for messages
  std::vector<std::pair<std::string, json::value>> codes_;
};

// ---------------------------------------------------------------- exposed for tests

std::optional<std::int64_t> rfc3339_to_epoch_ms(std::string_view text);
// Beijing time (+08:00), milliseconds only when not zero; nullopt outside years 1..9999.
std::optional<std::string> epoch_ms_to_beijing(std::int64_t ms);

// GCJ-02 values are written with 9 decimals (0.1 mm); WGS-84 values read back from Baoshan
// are rounded to 7 decimals (1.1 cm), which gives back any canonical value of at most 7
// decimals exactly.
double round_gcj(double degrees);
double round_wgs(double degrees);

// "lat,lon lat,lon ..." (WGS-84) -> the same points in GCJ-02, 9 decimals, one space apart;
// nullopt for text that is not such a list. `circle` expects "lat,lon radius" (radius kept).
std::optional<std::string> gcj_text_from_wgs(std::string_view wgs, bool circle);
// The inverse: GCJ-02 text -> WGS-84, 7 decimals without trailing zeros.
std::optional<std::string> wgs_text_from_gcj(std::string_view gcj, bool circle);

// Unit code of a member ("baoshan" -> "310113"); the member id itself for other members.
std::optional<std::string> unit_code_of(std::string_view member_id);

}  // namespace sixlink::baoshan
