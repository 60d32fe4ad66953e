// The tables and rules of Kunshan's national early-warning exchange profile (GB/T 35965.1
// style) that the kunshan-gb codec maps through: national event-type codes, the four
// warning levels, the members' GB/T 2260 region codes and sender codes, the security
// classification words and the identifier format. The README of this folder documents
// each table; this file is their single source.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sixlink::kunshan_gb {

// ---------------------------------------------------------------- event types

struct EventType {
  std::string_view code;      // national code: class digits, subclass letter, number ("11B03")
  std::string_view category;  // CAP 1.2 category
  std::string_view event;     // CAP event text (the national name)
};

// The documented table (README "Event types"); codes and event names are unique.
const std::vector<EventType>& event_types();
const EventType* event_by_code(std::string_view code);
const EventType* event_by_name(std::string_view event);
// "00000": an event that is not in the table; category and event travel in extensions.
inline constexpr std::string_view kOtherEventCode = "00000";
// Two digits, an upper-case letter, two digits ("11B99"), or kOtherEventCode.
bool is_national_event_code(std::string_view code);
// The CAP category of a national code by its class ("11B" meteorological -> Met); used for
// well-formed codes that are not in the table.
std::string_view category_of_class(std::string_view code);

// ---------------------------------------------------------------- warning levels

// CAP severity -> level word written in <severity> ("Extreme" -> "Red"); "" if not CAP.
std::string_view level_of_severity(std::string_view severity);
// Level word (English "Red" or Chinese "红色") -> CAP severity; "" if not a level.
std::string_view severity_of_level(std::string_view level);

// ---------------------------------------------------------------- members and senders

// The GB/T 2260 code of a six-link member ("kunshan" -> "320583"), "" if not one.
std::string_view region_of_member(std::string_view member);
// The member whose region code is `region`, "" if none.
std::string_view member_of_region(std::string_view region);
// Fourteen digits: six of region code, eight of issuing unit.
bool is_sender_code(std::string_view code);
// The sender code a member's gateway uses: its region code and unit "00000000"
// (all zeros for a member outside the table).
std::string default_sender_code(std::string_view member);

// ---------------------------------------------------------------- classification

// "public" -> "公开", "internal" -> "内部", "restricted" -> "受限"; other values unchanged.
std::string classification_word(std::string_view classification);
// The reverse; nullopt for a word that is none of the three (English names are accepted too).
std::optional<std::string> classification_of_word(std::string_view word);

// ---------------------------------------------------------------- identifier

// "<sender code>_<yyyyMMddHHmmss>_<sequence>", the sequence non-empty.
bool is_gb_identifier(std::string_view identifier);
// The identifier of a message: the envelope id itself when it already is a GB identifier
// issued by a unit (unit code not "00000000"); otherwise "<region>00000000_<stamp>_<id>".
std::string identifier_for(std::string_view id, std::string_view region, std::string_view stamp);
// The envelope id an identifier (is_gb_identifier) stands for: the inverse of identifier_for.
std::string id_of_identifier(std::string_view identifier);
// An RFC 3339 time as Beijing wall-clock time "yyyyMMddHHmmss"; nullopt if not RFC 3339.
std::optional<std::string> beijing_stamp(std::string_view rfc3339);

}  // namespace sixlink::kunshan_gb
