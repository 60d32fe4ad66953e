// The canonical envelope (DESIGN §3, contract): the one form every adapter maps to and
// from, the six link ids and their kinds, and field-by-field validation.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/core/api_error.h"

namespace sixlink {

// A value or the contract error that explains why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(ApiError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Envelope {
  std::string id;
  std::string source;
  std::string link;
  std::string kind;
  std::string created_at;  // RFC 3339 with offset
  std::optional<std::vector<std::string>> recipients;  // absent = routed by policy
  std::string classification = "internal";             // public | internal | restricted
  std::optional<std::string> case_id;
  std::optional<std::string> patrol_id;
  std::vector<std::string> region_codes;
  boost::json::object body;

  // "case:<id>", "patrol:<id>" or "": deliveries with the same key keep their order.
  std::string order_key() const;
};

// The six link ids (contract) and whether `kind` belongs to `link`.
const std::vector<std::string>& link_ids();
bool is_link(std::string_view link);
bool link_has_kind(std::string_view link, std::string_view kind);
// The kinds of `link` (empty for an unknown link).
const std::vector<std::string_view>& kinds_of(std::string_view link);

// Parses canonical JSON text into an envelope: syntax, UTF-8, member types and unknown
// members (400 invalid_json / invalid_field naming the field). The rules on values are
// validate_envelope's, which the ingest path applies to every adapter's output.
Result<Envelope> parse_envelope(std::string_view json_text);
// How deep arrays and objects may nest in an envelope, the envelope object itself being
// level 1: parse_envelope's limit, which validate_envelope applies to every adapter's output.
inline constexpr int kMaxEnvelopeDepth = 32;
// The rules of DESIGN §3 on an envelope: ids, link and kind, times, codes, body fields.
std::optional<ApiError> validate_envelope(const Envelope& envelope);

boost::json::object to_json(const Envelope& envelope);
// Canonical serialisation (envelope members in DESIGN order, body members sorted at every
// depth), so equal envelopes give equal bytes: the idempotency hash is taken over it.
std::string to_json_text(const Envelope& envelope);

bool is_valid_message_id(std::string_view id);   // 1..128 of [A-Za-z0-9._:-]
bool is_member_id(std::string_view id);           // [a-z][a-z0-9_-]{0,31}
bool is_valid_region_code(std::string_view code);  // GB/T 2260: six digits
bool is_valid_rfc3339(std::string_view text);       // date-time with Z or ±hh:mm offset

}  // namespace sixlink
