// The mapping engine of the Baoshan dialect: walks a canonical object and a field table
// to build the Baoshan object, and back. It owns the rule that makes the adapter lossless:
// a canonical member Baoshan has no field for, or whose value the Baoshan field cannot
// hold, travels verbatim in that object's "ext" member; a converted value that would not
// come back exactly (a time not in Beijing time, a coordinate with more than 7 decimals)
// keeps its Baoshan field *and* travels verbatim in "ext", which decode then prefers after
// checking that it converts to the Baoshan field (ext may refine a field, never contradict it).
// The tables themselves are in dialect.cpp.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/baoshan-json/value_conversions.h"
#include "gateway/core/api_error.h"

namespace sixlink::baoshan {

struct Table;

// One canonical member and its Baoshan field: exactly one of leaf, object, objects is set,
// or none for a member the caller maps itself (the envelope's body).
struct Field {
  std::string_view canonical;
  std::string_view native;
  const Leaf* leaf = nullptr;
  const Table* object = nullptr;   // an object mapped by its own table
  const Table* objects = nullptr;  // an array of such objects
};

struct Table {
  std::vector<Field> fields;
  // Coordinates: canonical lat/lon (WGS-84) <-> Baoshan lat/lng (GCJ-02), converted as a pair.
  bool point = false;

  const Field* by_canonical(std::string_view name) const;
  const Field* by_native(std::string_view name) const;
};

// Where decode is, in both vocabularies, for error messages: {"body.info[0]", "payload.infos[0]"}.
struct Where {
  std::string canonical;
  std::string native;

  Where member(std::string_view canonical_name, std::string_view native_name) const;
  Where element(std::size_t i) const;
};

// Canonical -> Baoshan; never fails. Members that travel verbatim are collected in `ext`
// (the caller stores it as the object's "ext" member when not empty).
boost::json::object encode_object(const boost::json::object& canonical, const Table& table,
                                  boost::json::object& ext);
// The same, storing "ext" in the result.
boost::json::object encode_object(const boost::json::object& canonical, const Table& table);

// Baoshan -> canonical. Errors are 400 invalid_field naming the canonical field, with the
// Baoshan field in the message.
std::optional<ApiError> decode_object(const boost::json::object& native, const Table& table,
                                      const Where& where, boost::json::object& out);

// Equality of canonical text: 1 and 1.0, 0.0 and -0.0 differ, as they do on the wire.
bool same_json(const boost::json::value& a, const boost::json::value& b);

}  // namespace sixlink::baoshan
