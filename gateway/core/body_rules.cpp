// Body rules per kind. Bodies are open for extension (adapters carry fields the other
// side cannot hold in extension members), so only the fields named in DESIGN §3 are
// checked: their presence where required, their types, their enumerations and ranges.
#include "gateway/core/body_rules.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>

#include "gateway/core/envelope.h"

namespace sixlink {
namespace json = boost::json;

namespace {

using Enum = std::initializer_list<std::string_view>;

struct Checker {
  std::string path;  // "body", "body.info[0]", ...
  const json::object& o;

  std::string at(std::string_view name) const { return path + "." + std::string(name); }

  std::optional<ApiError> string(std::string_view name, bool required) const {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null())
      return required ? std::optional(invalid_field(at(name), std::string(name) + " is required"))
                      : std::nullopt;
    if (!it->value().is_string()) return invalid_field(at(name), "must be a string");
    return std::nullopt;
  }

  std::optional<ApiError> one_of(std::string_view name, Enum values, bool required) const {
    if (auto err = string(name, required)) return err;
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    std::string_view v = it->value().get_string();
    if (std::find(values.begin(), values.end(), v) == values.end()) {
      std::string list;
      for (auto s : values) list += (list.empty() ? "" : ", ") + std::string(s);
      return invalid_field(at(name), "must be one of " + list);
    }
    return std::nullopt;
  }

  std::optional<ApiError> time(std::string_view name, bool required) const {
    if (auto err = string(name, required)) return err;
    auto it = o.find(name);
    if (it != o.end() && it->value().is_string() && !is_valid_rfc3339(it->value().get_string()))
      return invalid_field(at(name), "must be an RFC 3339 date-time with offset");
    return std::nullopt;
  }

  std::optional<ApiError> number(std::string_view name, double lo, double hi, bool required) const {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null())
      return required ? std::optional(invalid_field(at(name), std::string(name) + " is required"))
                      : std::nullopt;
    if (!it->value().is_number()) return invalid_field(at(name), "must be a number");
    double v = it->value().to_number<double>();
    if (v < lo || v > hi)
      return invalid_field(at(name), "must be between " + std::to_string(lo) + " and " +
                                         std::to_string(hi));
    return std::nullopt;
  }

  // Runs `each` over the objects of an optional array member.
  template <class F>
  std::optional<ApiError> objects(std::string_view name, F each) const {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_array()) return invalid_field(at(name), "must be an array");
    const auto& arr = it->value().get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string p = at(name) + "[" + std::to_string(i) + "]";
      if (!arr[i].is_object()) return invalid_field(p, "must be an object");
      if (auto err = each(Checker{p, arr[i].get_object()})) return err;
    }
    return std::nullopt;
  }

  template <class F>
  std::optional<ApiError> object(std::string_view name, F each) const {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_object()) return invalid_field(at(name), "must be an object");
    return each(Checker{at(name), it->value().get_object()});
  }
};

std::optional<ApiError> first_error(std::initializer_list<std::optional<ApiError>> checks) {
  for (const auto& c : checks)
    if (c) return c;
  return std::nullopt;
}

std::optional<ApiError> check_cap_info(const Checker& info) {
  // CAP 1.2 allows several categories; canonical JSON carries them as an array.
  if (auto it = info.o.find("category"); it == info.o.end() || !it->value().is_array() ||
                                         it->value().get_array().empty())
    return invalid_field(info.at("category"), "category is required: an array of CAP categories");
  for (std::size_t i = 0; i < info.o.at("category").get_array().size(); ++i) {
    const auto& c = info.o.at("category").get_array()[i];
    static constexpr std::array<std::string_view, 12> kCategories = {
        "Geo", "Met", "Safety", "Security", "Rescue", "Fire",
        "Health", "Env", "Transport", "Infra", "CBRNE", "Other"};
    if (!c.is_string() ||
        std::find(kCategories.begin(), kCategories.end(), c.get_string()) == kCategories.end())
      return invalid_field(info.at("category") + "[" + std::to_string(i) + "]",
                           "not a CAP 1.2 category");
  }
  return first_error({
      info.string("event", true),
      info.one_of("urgency", {"Immediate", "Expected", "Future", "Past", "Unknown"}, true),
      info.one_of("severity", {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}, true),
      info.one_of("certainty", {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}, true),
      info.string("headline", false),
      info.string("description", false),
      info.string("instruction", false),
      info.time("effective", false),
      info.time("onset", false),
      info.time("expires", false),
      info.objects("area", [](const Checker& a) { return a.string("areaDesc", true); }),
  });
}

std::optional<ApiError> check_alert(const Checker& b) {
  return first_error({
      b.string("identifier", true),
      b.string("sender", true),
      b.time("sent", true),
      b.one_of("status", {"Actual", "Exercise", "System", "Test", "Draft"}, true),
      b.one_of("msgType", {"Alert", "Update", "Cancel", "Ack", "Error"}, true),
      b.one_of("scope", {"Public", "Restricted", "Private"}, true),
      b.objects("info", check_cap_info),
  });
}

std::optional<ApiError> check_location(const Checker& l) {
  if (auto it = l.o.find("region_code"); it != l.o.end() && it->value().is_string() &&
                                         !is_valid_region_code(it->value().get_string()))
    return invalid_field(l.at("region_code"), "a GB/T 2260 region code is six digits");
  return first_error({l.string("region_code", false), l.string("address", false),
                      l.number("lat", -90, 90, false), l.number("lon", -180, 180, false)});
}

std::optional<ApiError> check_case(std::string_view kind, const Checker& b) {
  if (kind == "case.transfer" && !b.o.contains("lead"))
    return invalid_field("body.lead", "a transfer names the new lead");
  return first_error({
      b.string("title", kind == "case.open"),
      b.string("category", false),
      b.string("description", false),
      b.object("location", check_location),
      b.objects("parties",
                [](const Checker& p) {
                  return first_error({p.string("name", false), p.string("role", false),
                                      p.string("id_number", false), p.string("phone", false)});
                }),
      b.object("lead",
               [&](const Checker& l) {
                 return first_error({l.string("jurisdiction", kind == "case.transfer"),
                                     l.string("unit", false)});
               }),
      b.time("deadline", false),
      b.string("closure_criteria", false),
      b.one_of("status",
               {"open", "accepted", "in_progress", "resolved", "closed", "rejected", "transferred"},
               false),
      b.string("note", false),
  });
}

std::optional<ApiError> check_position(const Checker& p) {
  return first_error({p.number("lat", -90, 90, true), p.number("lon", -180, 180, true),
                      p.time("at", false)});
}

std::optional<ApiError> check_patrol(const Checker& b) {
  return first_error({
      b.string("unit", false),
      b.object("position", check_position),
      b.objects("route", check_position),
      b.one_of("border_line", {"south_line", "west_line"}, false),
      b.object("incident",
               [](const Checker& i) {
                 return first_error({i.string("type", true), i.string("description", false),
                                     i.string("severity", false)});
               }),
  });
}

}  // namespace

bool is_case_state(std::string_view s) {
  for (auto v : {"open", "accepted", "in_progress", "resolved", "closed", "rejected", "transferred"})
    if (s == v) return true;
  return false;
}

std::optional<ApiError> validate_body(std::string_view kind, const json::object& body) {
  Checker b{"body", body};
  if (kind == "alert") return check_alert(b);
  if (kind.starts_with("case.")) return check_case(kind, b);
  if (kind.starts_with("patrol.")) return check_patrol(b);
  return std::nullopt;  // meeting, bulletin and safety bodies are free-form objects
}

}  // namespace sixlink
