// Canonical envelope: parsing, field-by-field validation and canonical serialisation.
// Kind-specific body rules live in body_rules.cpp; this file owns the envelope itself.
#include "gateway/core/envelope.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <utility>

#include "gateway/core/body_rules.h"
#include "gateway/core/json_text.h"
#include "gateway/core/strict_json.h"

namespace sixlink {
namespace json = boost::json;

namespace {

struct LinkKinds {
  const char* link;
  std::vector<std::string_view> kinds;
};

const std::vector<LinkKinds>& link_table() {
  static const std::vector<LinkKinds> table = {
      {"joint_meeting", {"meeting.notice", "meeting.minutes"}},
      {"info_sharing", {"alert", "bulletin"}},
      {"joint_mediation", {"case.open", "case.update", "case.transfer", "case.close"}},
      {"joint_patrol", {"patrol.plan", "patrol.position", "patrol.incident"}},
      {"joint_governance", {"case.open", "case.update", "case.transfer", "case.close"}},
      {"joint_safety", {"safety.campaign", "safety.indicator"}},
  };
  return table;
}

constexpr std::array<std::string_view, 11> kEnvelopeMembers = {
    "id",      "source",    "link",         "kind", "created_at", "recipients",
    "classification", "case_id", "patrol_id", "region_codes", "body"};

// A correlation id (case_id, patrol_id): 1..128 printable ASCII characters, no spaces.
bool is_correlation_id(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return c > 0x20 && c < 0x7f;
  });
}

// Reads a required string member; records the error naming `name`.
std::optional<ApiError> take_string(const json::object& o, std::string_view name,
                                     std::string& out) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null())
    return invalid_field(std::string(name), std::string(name) + " is required");
  if (!it->value().is_string())
    return invalid_field(std::string(name), std::string(name) + " must be a string");
  out = std::string(it->value().get_string());
  return std::nullopt;
}

std::optional<ApiError> take_optional_string(const json::object& o, std::string_view name,
                                             std::optional<std::string>& out) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string())
    return invalid_field(std::string(name), std::string(name) + " must be a string or null");
  out = std::string(it->value().get_string());
  return std::nullopt;
}

std::optional<ApiError> take_string_array(const json::value& v, std::string_view name,
                                          std::vector<std::string>& out) {
  if (!v.is_array())
    return invalid_field(std::string(name), std::string(name) + " must be an array of strings");
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    const auto& e = v.get_array()[i];
    if (!e.is_string())
      return invalid_field(std::string(name) + "[" + std::to_string(i) + "]", "must be a string");
    out.emplace_back(e.get_string());
  }
  return std::nullopt;
}

// Reads the envelope's members from `o`; the body is moved out of it, not copied.
std::optional<ApiError> read_fields(json::object& o, Envelope& e) {
  for (const auto& kv : o) {
    if (std::find(kEnvelopeMembers.begin(), kEnvelopeMembers.end(), kv.key()) ==
        kEnvelopeMembers.end())
      return invalid_field(std::string(kv.key()), "unknown member of the envelope");
  }
  if (auto err = take_string(o, "id", e.id)) return err;
  if (auto err = take_string(o, "source", e.source)) return err;
  if (auto err = take_string(o, "link", e.link)) return err;
  if (auto err = take_string(o, "kind", e.kind)) return err;
  if (auto err = take_string(o, "created_at", e.created_at)) return err;
  if (auto it = o.find("recipients"); it != o.end() && !it->value().is_null()) {
    e.recipients.emplace();
    if (auto err = take_string_array(it->value(), "recipients", *e.recipients)) return err;
  }
  if (auto it = o.find("classification"); it != o.end()) {
    if (!it->value().is_string())
      return invalid_field("classification", "classification must be a string");
    e.classification = std::string(it->value().get_string());
  }
  if (auto err = take_optional_string(o, "case_id", e.case_id)) return err;
  if (auto err = take_optional_string(o, "patrol_id", e.patrol_id)) return err;
  if (auto it = o.find("region_codes"); it != o.end() && !it->value().is_null()) {
    if (auto err = take_string_array(it->value(), "region_codes", e.region_codes)) return err;
  }
  auto body = o.find("body");
  if (body == o.end() || body->value().is_null()) return invalid_field("body", "body is required");
  if (!body->value().is_object()) return invalid_field("body", "body must be an object");
  e.body = std::move(body->value().get_object());  // same storage: the tree changes hands
  return std::nullopt;
}

std::optional<ApiError> validate_recipients(const Envelope& e) {
  if (!e.recipients) return std::nullopt;
  if (e.recipients->empty())
    return invalid_field("recipients", "recipients must not be empty; omit it to route by policy");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < e.recipients->size(); ++i) {
    const auto& r = (*e.recipients)[i];
    std::string field = "recipients[" + std::to_string(i) + "]";
    if (!is_member_id(r)) return invalid_field(field, "not a member id");
    if (!seen.insert(r).second) return invalid_field(field, "recipient listed twice");
  }
  return std::nullopt;
}

}  // namespace

std::string Envelope::order_key() const {
  if (case_id) return "case:" + *case_id;
  if (patrol_id) return "patrol:" + *patrol_id;
  return {};
}

const std::vector<std::string>& link_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> v;
    for (const auto& lk : link_table()) v.emplace_back(lk.link);
    return v;
  }();
  return ids;
}

bool is_link(std::string_view link) {
  const auto& t = link_table();
  return std::any_of(t.begin(), t.end(), [&](const LinkKinds& lk) { return link == lk.link; });
}

const std::vector<std::string_view>& kinds_of(std::string_view link) {
  static const std::vector<std::string_view> none;
  for (const auto& lk : link_table())
    if (link == lk.link) return lk.kinds;
  return none;
}

bool link_has_kind(std::string_view link, std::string_view kind) {
  const auto& kinds = kinds_of(link);
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool is_member_id(std::string_view s) {
  if (s.empty() || s.size() > 32 || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_' || c == '-';
  });
}

bool is_valid_message_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
           c == '-';
  });
}

bool is_valid_region_code(std::string_view code) {
  return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool is_valid_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  auto digits = [&](std::size_t pos, std::size_t n, int lo, int hi) {
    if (pos + n > t.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
      v = v * 10 + (t[i] - '0');
    }
    return v >= lo && v <= hi;
  };
  auto at = [&](std::size_t pos, char c) { return pos < t.size() && t[pos] == c; };
  if (!(digits(0, 4, 1, 9999) && at(4, '-') && digits(5, 2, 1, 12) && at(7, '-') &&
        digits(8, 2, 1, 31) && (at(10, 'T') || at(10, 't')) && digits(11, 2, 0, 23) &&
        at(13, ':') && digits(14, 2, 0, 59) && at(16, ':') && digits(17, 2, 0, 60)))
    return false;
  auto num = [&](std::size_t pos, std::size_t n) { return std::stoi(std::string(t.substr(pos, n))); };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  std::size_t pos = 19;
  if (at(pos, '.')) {
    std::size_t start = ++pos;
    while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) ++pos;
    if (pos == start) return false;
  }
  if (at(pos, 'Z') || at(pos, 'z')) return pos + 1 == t.size();
  if (!(at(pos, '+') || at(pos, '-'))) return false;
  return digits(pos + 1, 2, 0, 23) && at(pos + 3, ':') && digits(pos + 4, 2, 0, 59) &&
         pos + 6 == t.size();
}

namespace {

// Whether `v` nests arrays and objects more than `levels` deep (a scalar is 0 levels, an
// empty object 1). Recurses at most levels + 1 deep.
bool nests_deeper_than(const json::value& v, int levels) {
  if (!v.is_object() && !v.is_array()) return false;
  if (levels == 0) return true;
  if (v.is_array()) {
    for (const json::value& item : v.get_array())
      if (nests_deeper_than(item, levels - 1)) return true;
  } else {
    for (const auto& member : v.get_object())
      if (nests_deeper_than(member.value(), levels - 1)) return true;
  }
  return false;
}

}  // namespace

std::optional<ApiError> validate_envelope(const Envelope& e) {
  // The store keeps the envelope as text that parse_envelope reads back for every delivery,
  // so an envelope it would refuse must be refused here, whatever adapter built it.
  for (const auto& member : e.body)
    if (nests_deeper_than(member.value(), kMaxEnvelopeDepth - 2))
      return invalid_field("body." + std::string(member.key()),
                           "nested deeper than " + std::to_string(kMaxEnvelopeDepth) +
                               " levels of arrays and objects, the envelope included");
  if (!is_valid_message_id(e.id))
    return invalid_field("id", "id must be 1..128 characters of [A-Za-z0-9._:-]");
  if (!is_member_id(e.source)) return invalid_field("source", "source must be a member id");
  if (!is_link(e.link)) return invalid_field("link", "unknown link '" + e.link + "'");
  if (!link_has_kind(e.link, e.kind))
    return invalid_field("kind", "kind '" + e.kind + "' does not belong to link " + e.link);
  if (!is_valid_rfc3339(e.created_at))
    return invalid_field("created_at", "created_at must be an RFC 3339 date-time with offset");
  if (auto err = validate_recipients(e)) return err;
  if (e.classification != "public" && e.classification != "internal" &&
      e.classification != "restricted")
    return invalid_field("classification", "classification must be public, internal or restricted");
  if (e.case_id && !is_correlation_id(*e.case_id))
    return invalid_field("case_id", "case_id must be 1..128 printable characters without spaces");
  if (e.patrol_id && !is_correlation_id(*e.patrol_id))
    return invalid_field("patrol_id", "patrol_id must be 1..128 printable characters without spaces");
  if (e.kind.starts_with("case.") && !e.case_id)
    return invalid_field("case_id", "case_id is required for " + e.kind);
  for (std::size_t i = 0; i < e.region_codes.size(); ++i)
    if (!is_valid_region_code(e.region_codes[i]))
      return invalid_field("region_codes[" + std::to_string(i) + "]",
                           "a GB/T 2260 region code is six digits");
  return validate_body(e.kind, e.body);
}

Result<Envelope> parse_envelope(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = kMaxEnvelopeDepth;
  StrictJson parsed = parse_strict_json(text, opts);
  if (!parsed.ok()) return invalid_json_error(parsed);
  json::value& v = parsed.value;
  if (!v.is_object()) return ApiError{400, "invalid_json", "the envelope must be a JSON object", {}, {}, 0};
  Envelope e;
  if (auto err = read_fields(v.get_object(), e)) return *err;
  return e;
}

json::object to_json(const Envelope& e) {
  json::object o;
  o["id"] = e.id;
  o["source"] = e.source;
  o["link"] = e.link;
  o["kind"] = e.kind;
  o["created_at"] = e.created_at;
  if (e.recipients) {
    json::array r;
    for (const auto& m : *e.recipients) r.emplace_back(m);
    o["recipients"] = std::move(r);
  }
  o["classification"] = e.classification;
  o["case_id"] = e.case_id ? json::value(*e.case_id) : json::value(nullptr);
  o["patrol_id"] = e.patrol_id ? json::value(*e.patrol_id) : json::value(nullptr);
  json::array codes;
  for (const auto& c : e.region_codes) codes.emplace_back(c);
  o["region_codes"] = std::move(codes);
  o["body"] = e.body;
  return o;
}

// The text of to_json(e) (its members in that order, the body canonical), written member
// by member: no object is built and the body is not copied. It is what body_hash is
// taken over, so it must stay byte for byte what the object's text would be
// (EnvelopeTest.TextIsTheTextOfItsJsonObject).
std::string to_json_text(const Envelope& e) {
  std::string out;
  out.reserve(512);
  char separator = '{';
  auto key = [&](std::string_view name) {
    out += separator;
    separator = ',';
    append_json_string(out, name);
    out += ':';
  };
  auto text = [&](std::string_view name, std::string_view value) {
    key(name);
    append_json_string(out, value);
  };
  auto text_or_null = [&](std::string_view name, const std::optional<std::string>& value) {
    key(name);
    if (value)
      append_json_string(out, *value);
    else
      out += "null";
  };
  auto texts = [&](std::string_view name, const std::vector<std::string>& values) {
    key(name);
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, values[i]);
    }
    out += ']';
  };
  text("id", e.id);
  text("source", e.source);
  text("link", e.link);
  text("kind", e.kind);
  text("created_at", e.created_at);
  if (e.recipients) texts("recipients", *e.recipients);
  text("classification", e.classification);
  text_or_null("case_id", e.case_id);
  text_or_null("patrol_id", e.patrol_id);
  texts("region_codes", e.region_codes);
  key("body");
  append_canonical_json(out, e.body);
  out += '}';
  return out;
}

}  // namespace sixlink
