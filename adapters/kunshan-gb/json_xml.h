// The exact JSON <-> XML value mapping of the kunshan-gb profile, used for the body of
// every non-alert message (<body> of <message>) and for alert fields the GB profile has
// no element for (<extension>). One element per JSON value:
//
//   <field name="title">浏河镇…</field>                  string (type omitted)
//   <field name="lat" type="number">31.5162</field>      double, shortest round-trip form
//   <field name="count" type="integer">3</field>         int64 / uint64
//   <field name="urgent" type="boolean">true</field>
//   <field name="note" type="null"/>
//   <field name="location" type="object"> <field …/>… </field>
//   <field name="parties" type="array"> <item …/>… </field>
//
// Object members are <field name="…">, array items <item> (no name), alert extensions
// <extension name="…">. A string XML 1.0 cannot carry (control characters other than TAB,
// LF, CR; U+FFFE, U+FFFF) is written encoding="base64" (its UTF-8 bytes); a member name
// that cannot be an attribute value likewise goes in nameBase64="…" instead of name="…".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "adapters/kunshan-gb/xml_writer.h"
#include "gateway/core/envelope.h"

namespace sixlink::kunshan_gb {

// Writes `value` as element `tag`; `name` is the member name (nullptr for array items).
void write_value(XmlWriter& w, std::string_view tag, const std::string_view* name,
                 const boost::json::value& value);
// Writes each member of `object` as <field name="…">.
void write_fields(XmlWriter& w, const boost::json::object& object);

// The member name of a <field> or <extension> element.
Result<std::string> read_name(const pugi::xml_node& node, const std::string& path);
// The value of a value element; `path` is the canonical JSON path, for errors
// (400 invalid_field naming it, e.g. "body.location.lat").
Result<boost::json::value> read_value(const pugi::xml_node& node, const std::string& path);
// The <field> children of `parent` as an object (duplicate names are refused).
Result<boost::json::object> read_fields(const pugi::xml_node& parent, const std::string& path);

}  // namespace sixlink::kunshan_gb
