// Tests of gateway/core/envelope: parse_envelope (syntax, UTF-8, member types),
// validate_envelope (every envelope rule of DESIGN §3; body rules are in
// body_rules_test.cpp), canonical serialisation, order keys and the six-link table.
#include "gateway/core/envelope.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gateway/core/json_text.h"
#include "tests/unit/core/envelope_samples.h"

namespace sixlink {
namespace {

namespace json = boost::json;
using test::alert_envelope;
using test::same_envelope;

std::string alert_text() { return to_json_text(alert_envelope()); }

// The alert envelope as JSON, changed by `edit`, as text.
std::string edited(const std::function<void(json::object&)>& edit) {
  json::object o = to_json(alert_envelope());
  edit(o);
  return json::serialize(o);
}

// ---------------------------------------------------------------- parse_envelope

TEST(EnvelopeTest, ParsesTheCanonicalAlert) {
  auto r = parse_envelope(alert_text());
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const Envelope& e = r.value();
  EXPECT_EQ(e.id, "KS-20260412-000731");
  EXPECT_EQ(e.source, "kunshan");
  EXPECT_EQ(e.link, "info_sharing");
  EXPECT_EQ(e.kind, "alert");
  EXPECT_EQ(e.created_at, "2026-04-12T09:30:00+08:00");
  ASSERT_TRUE(e.recipients.has_value());
  EXPECT_EQ(*e.recipients, (std::vector<std::string>{"taicang", "baoshan"}));
  EXPECT_EQ(e.classification, "internal");
  EXPECT_FALSE(e.case_id.has_value());
  EXPECT_FALSE(e.patrol_id.has_value());
  EXPECT_EQ(e.region_codes, (std::vector<std::string>{"320583", "320585"}));
  EXPECT_EQ(e.body.at("identifier").as_string(), "KSTO1055887203");
  EXPECT_FALSE(validate_envelope(e).has_value());
}

TEST(EnvelopeTest, OptionalMembersMayBeAbsentOrNull) {
  auto r = parse_envelope(R"({"id":"a","source":"taicang","link":"joint_safety",
      "kind":"safety.campaign","created_at":"2026-04-12T09:30:00Z","recipients":null,
      "case_id":null,"patrol_id":null,"region_codes":null,"body":{}})");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_FALSE(r.value().recipients.has_value());
  EXPECT_FALSE(r.value().case_id.has_value());
  EXPECT_TRUE(r.value().region_codes.empty());
  EXPECT_EQ(r.value().classification, "internal");  // the default
  EXPECT_FALSE(validate_envelope(r.value()).has_value());
}

TEST(EnvelopeTest, SyntaxErrorsAreInvalidJson) {
  const std::string good = alert_text();
  for (std::string text :
       {std::string(""), std::string("{"), std::string("{\"id\":}"), std::string("{\"id\":\"a\",}"),
        std::string("{'id':'a'}"), std::string("{\"id\":\"a\"} // comment"), std::string("nul"),
        good.substr(0, good.size() - 1), good + "}", good + " {}", std::string("{\"id\":NaN}")}) {
    auto r = parse_envelope(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().status, 400) << text;
    EXPECT_EQ(r.error().code, "invalid_json") << text;
  }
}

TEST(EnvelopeTest, InvalidUtf8IsInvalidJson) {
  const std::string gbk_taicang = "\xB4\xAB\xB2\xD6";
  for (std::string bad : {gbk_taicang, std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("\xE5\xA4")}) {
    std::string text = edited([&](json::object& o) { o["body"].as_object()["note"] = "X"; });
    text.replace(text.find("\"X\""), 3, "\"" + bad + "\"");
    auto r = parse_envelope(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_json");
  }
  // The same place with real UTF-8 is accepted.
  std::string text = edited([&](json::object& o) { o["body"].as_object()["note"] = "太仓"; });
  EXPECT_TRUE(parse_envelope(text).ok());
}

TEST(EnvelopeTest, NonObjectIsInvalidJson) {
  for (const char* text : {"[]", "[{}]", "\"envelope\"", "42", "null", "true"}) {
    auto r = parse_envelope(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_json") << text;
  }
}

// Boost.JSON would keep the last copy of a repeated member and another reader the first:
// {"source":"taicang",...,"source":"kunshan"} must not be one sender here and another there.
TEST(EnvelopeTest, RepeatedMemberIsInvalidJsonNamingIt) {
  const std::string good = alert_text();
  struct Case {
    std::string text, field;
  };
  std::string body_twice = good;
  body_twice.insert(body_twice.find("\"body\":{") + 8, "\"identifier\":\"X\",");
  for (const Case& c : {Case{"{\"source\":\"taicang\"," + good.substr(1), "source"},
                        Case{"{\"\\u0073ource\":\"taicang\"," + good.substr(1), "source"},
                        Case{body_twice, "body.identifier"}}) {
    auto r = parse_envelope(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_json");
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_NE(r.error().message.find("appears more than once"), std::string::npos)
        << r.error().message;
  }
}

TEST(EnvelopeTest, DeepNestingIsRefused) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  std::string text = edited([](json::object& o) { o["body"].as_object()["x"] = 0; });
  text.replace(text.find("\"x\":0") + 4, 1, deep);
  auto r = parse_envelope(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_json");
}

// The store keeps an envelope as text that parse_envelope reads back for each delivery, so
// validate_envelope, which every adapter's output passes, must refuse exactly what
// parse_envelope would: an XML adapter once let a deeper body through, answered 202, and
// the message could then never be delivered.
TEST(EnvelopeTest, ValidationRefusesExactlyTheNestingParseRefuses) {
  for (int levels = 26; levels <= 36; ++levels) {
    Envelope e = alert_envelope();
    e.link = "info_sharing";
    e.kind = "bulletin";  // a free-form body
    json::value nested = json::object{};
    for (int i = 1; i < levels; ++i) nested = i % 2 ? json::value(json::array{nested}) : json::value(json::object{{"k", nested}});
    e.body = json::object{{"title", "通报"}, {"data", nested}};
    const bool parses = parse_envelope(to_json_text(e)).ok();
    auto err = validate_envelope(e);
    EXPECT_EQ(parses, !err.has_value()) << levels << " levels under body.data";
    if (err) {
      EXPECT_EQ(err->status, 400);
      EXPECT_EQ(err->field, "body.data");
    }
    EXPECT_EQ(parses, levels + 2 <= kMaxEnvelopeDepth) << levels;
  }
}

TEST(EnvelopeTest, UnknownMemberIsNamed) {
  for (const char* name : {"priority", "Id", "headers", ""}) {
    auto r = parse_envelope(edited([&](json::object& o) { o[name] = "x"; }));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_field");
    EXPECT_EQ(r.error().field, name);
  }
}

struct TypeCase {
  const char* name;
  std::function<void(json::object&)> edit;
  const char* field;
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const TypeCase& c, std::ostream* os) { *os << c.name; }

class EnvelopeTypeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(EnvelopeTypeTest, WrongTypeOrMissingNamesTheField) {
  auto r = parse_envelope(edited(GetParam().edit));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_field");
  EXPECT_EQ(r.error().field, GetParam().field);
  EXPECT_FALSE(r.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EnvelopeTypeTest,
    ::testing::Values(
        TypeCase{"id_missing", [](json::object& o) { o.erase("id"); }, "id"},
        TypeCase{"id_null", [](json::object& o) { o["id"] = nullptr; }, "id"},
        TypeCase{"id_number", [](json::object& o) { o["id"] = 731; }, "id"},
        TypeCase{"source_missing", [](json::object& o) { o.erase("source"); }, "source"},
        TypeCase{"source_array", [](json::object& o) { o["source"] = json::array{"kunshan"}; },
                 "source"},
        TypeCase{"link_missing", [](json::object& o) { o.erase("link"); }, "link"},
        TypeCase{"kind_bool", [](json::object& o) { o["kind"] = true; }, "kind"},
        TypeCase{"created_at_number", [](json::object& o) { o["created_at"] = 1776000000; },
                 "created_at"},
        TypeCase{"recipients_string", [](json::object& o) { o["recipients"] = "taicang"; },
                 "recipients"},
        TypeCase{"recipients_element",
                 [](json::object& o) {
                   o["recipients"] = json::array{"taicang", 3};
                 },
                 "recipients[1]"},
        TypeCase{"classification_number", [](json::object& o) { o["classification"] = 1; },
                 "classification"},
        TypeCase{"case_id_number", [](json::object& o) { o["case_id"] = 17; }, "case_id"},
        TypeCase{"patrol_id_object", [](json::object& o) { o["patrol_id"] = json::object{}; },
                 "patrol_id"},
        TypeCase{"region_codes_string", [](json::object& o) { o["region_codes"] = "320583"; },
                 "region_codes"},
        TypeCase{"region_code_number",
                 [](json::object& o) {
                   o["region_codes"] = json::array{"320583", 320585};
                 },
                 "region_codes[1]"},
        TypeCase{"body_missing", [](json::object& o) { o.erase("body"); }, "body"},
        TypeCase{"body_null", [](json::object& o) { o["body"] = nullptr; }, "body"},
        TypeCase{"body_array", [](json::object& o) { o["body"] = json::array{}; }, "body"},
        TypeCase{"body_string", [](json::object& o) { o["body"] = "<alert/>"; }, "body"}),
    [](const ::testing::TestParamInfo<TypeCase>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- validate_envelope

struct RuleCase {
  const char* name;
  std::function<void(Envelope&)> edit;
  const char* field;  // "" = valid
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class EnvelopeRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(EnvelopeRuleTest, Validates) {
  Envelope e = alert_envelope();
  GetParam().edit(e);
  auto err = validate_envelope(e);
  if (std::string(GetParam().field).empty()) {
    EXPECT_FALSE(err.has_value()) << err->to_json();
  } else {
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->status, 400);
    EXPECT_EQ(err->code, "invalid_field");
    EXPECT_EQ(err->field, GetParam().field) << err->to_json();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EnvelopeRuleTest,
    ::testing::Values(
        RuleCase{"sample_is_valid", [](Envelope&) {}, ""},
        RuleCase{"id_128_chars", [](Envelope& e) { e.id = std::string(128, 'a'); }, ""},
        RuleCase{"id_129_chars", [](Envelope& e) { e.id = std::string(129, 'a'); }, "id"},
        RuleCase{"id_empty", [](Envelope& e) { e.id = ""; }, "id"},
        RuleCase{"id_all_allowed_chars", [](Envelope& e) { e.id = "AZaz09._:-"; }, ""},
        RuleCase{"id_space", [](Envelope& e) { e.id = "KS 1"; }, "id"},
        RuleCase{"id_slash", [](Envelope& e) { e.id = "KS/1"; }, "id"},
        RuleCase{"id_plus", [](Envelope& e) { e.id = "KS+1"; }, "id"},
        RuleCase{"id_chinese", [](Envelope& e) { e.id = "昆山-1"; }, "id"},
        RuleCase{"source_upper", [](Envelope& e) { e.source = "Kunshan"; }, "source"},
        RuleCase{"source_empty", [](Envelope& e) { e.source = ""; }, "source"},
        RuleCase{"source_digit_first", [](Envelope& e) { e.source = "9kunshan"; }, "source"},
        RuleCase{"source_space", [](Envelope& e) { e.source = "kun shan"; }, "source"},
        RuleCase{"source_33_chars", [](Envelope& e) { e.source = std::string(33, 'k'); }, "source"},
        RuleCase{"source_32_chars", [](Envelope& e) { e.source = std::string(32, 'k'); }, ""},
        RuleCase{"source_dash_digits", [](Envelope& e) { e.source = "peer-gw_2"; }, ""},
        RuleCase{"link_unknown", [](Envelope& e) { e.link = "joint_fishing"; }, "link"},
        RuleCase{"link_case", [](Envelope& e) { e.link = "INFO_SHARING"; }, "link"},
        RuleCase{"kind_of_other_link", [](Envelope& e) { e.kind = "case.open"; }, "kind"},
        RuleCase{"kind_unknown", [](Envelope& e) { e.kind = "alarm"; }, "kind"},
        RuleCase{"bulletin",
                 [](Envelope& e) {
                   e.kind = "bulletin";
                   e.body = {};
                 },
                 ""},
        RuleCase{"recipients_absent", [](Envelope& e) { e.recipients.reset(); }, ""},
        RuleCase{"recipients_empty", [](Envelope& e) { e.recipients.emplace(); }, "recipients"},
        RuleCase{"recipients_duplicate",
                 [](Envelope& e) {
                   e.recipients = std::vector<std::string>{"taicang", "baoshan", "taicang"};
                 },
                 "recipients[2]"},
        RuleCase{"recipients_bad_id",
                 [](Envelope& e) {
                   e.recipients = std::vector<std::string>{"taicang", "Bao Shan"};
                 },
                 "recipients[1]"},
        RuleCase{"recipients_empty_id",
                 [](Envelope& e) { e.recipients = std::vector<std::string>{""}; }, "recipients[0]"},
        RuleCase{"classification_public", [](Envelope& e) { e.classification = "public"; }, ""},
        RuleCase{"classification_restricted", [](Envelope& e) { e.classification = "restricted"; },
                 ""},
        RuleCase{"classification_secret", [](Envelope& e) { e.classification = "secret"; },
                 "classification"},
        RuleCase{"classification_upper", [](Envelope& e) { e.classification = "Public"; },
                 "classification"},
        RuleCase{"case_id_on_alert", [](Envelope& e) { e.case_id = "taicang:2026-0412-17"; }, ""},
        RuleCase{"case_id_space", [](Envelope& e) { e.case_id = "taicang 17"; }, "case_id"},
        RuleCase{"case_id_empty", [](Envelope& e) { e.case_id = ""; }, "case_id"},
        RuleCase{"case_id_129", [](Envelope& e) { e.case_id = std::string(129, 'c'); }, "case_id"},
        RuleCase{"patrol_id_tab", [](Envelope& e) { e.patrol_id = "p\t1"; }, "patrol_id"},
        RuleCase{"patrol_id_ok", [](Envelope& e) { e.patrol_id = "south-line#7"; }, ""},
        RuleCase{"region_codes_empty", [](Envelope& e) { e.region_codes.clear(); }, ""},
        RuleCase{"region_code_5_digits", [](Envelope& e) { e.region_codes = {"32058"}; },
                 "region_codes[0]"},
        RuleCase{"region_code_7_digits", [](Envelope& e) { e.region_codes = {"3205850"}; },
                 "region_codes[0]"},
        RuleCase{"region_code_letter", [](Envelope& e) { e.region_codes = {"320583", "32058a"}; },
                 "region_codes[1]"},
        RuleCase{"body_rule_reaches_envelope",
                 [](Envelope& e) { e.body["info"].as_array()[0].as_object()["severity"] = "High"; },
                 "body.info[0].severity"}),
    [](const ::testing::TestParamInfo<RuleCase>& info) { return std::string(info.param.name); });

TEST(EnvelopeTest, CaseKindsRequireCaseId) {
  for (const char* kind : {"case.open", "case.update", "case.transfer", "case.close"}) {
    for (const char* link : {"joint_mediation", "joint_governance"}) {
      Envelope e = test::case_envelope(kind);
      e.link = link;
      EXPECT_FALSE(validate_envelope(e).has_value()) << kind << " on " << link;
      e.case_id.reset();
      auto err = validate_envelope(e);
      ASSERT_TRUE(err.has_value()) << kind;
      EXPECT_EQ(err->field, "case_id");
    }
  }
  Envelope patrol = test::patrol_envelope();
  EXPECT_FALSE(validate_envelope(patrol).has_value());
  patrol.patrol_id.reset();  // patrol_id stays optional
  EXPECT_FALSE(validate_envelope(patrol).has_value());
}

struct TimeCase {
  const char* text;
  bool valid;
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const TimeCase& c, std::ostream* os) { *os << c.text; }

class EnvelopeTimeTest : public ::testing::TestWithParam<TimeCase> {};

TEST_P(EnvelopeTimeTest, CreatedAtIsRfc3339WithOffset) {
  EXPECT_EQ(is_valid_rfc3339(GetParam().text), GetParam().valid) << GetParam().text;
  Envelope e = alert_envelope();
  e.created_at = GetParam().text;
  auto err = validate_envelope(e);
  EXPECT_EQ(!err.has_value(), GetParam().valid) << GetParam().text;
  if (err) {
    EXPECT_EQ(err->field, "created_at");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EnvelopeTimeTest,
    ::testing::Values(
        TimeCase{"2026-04-12T09:30:00+08:00", true}, TimeCase{"2026-04-12T01:30:00Z", true},
        TimeCase{"2026-04-12T01:30:00.123Z", true}, TimeCase{"2026-04-12T09:30:00.5+08:00", true},
        TimeCase{"2026-04-12T09:30:00.123456789-05:00", true},
        TimeCase{"2026-04-12t01:30:00z", true},  // RFC 3339 §5.6 allows lower case
        TimeCase{"2016-12-31T23:59:60Z", true},  // leap second
        TimeCase{"2026-04-12T09:30:00-00:00", true}, TimeCase{"2026-04-12", false},
        TimeCase{"2026-04-12T09:30:00", false}, TimeCase{"2026-04-12T09:30:00.123", false},
        TimeCase{"2026-04-12T09:30Z", false}, TimeCase{"2026-04-12T09:30:00.Z", false},
        TimeCase{"2026-04-12T09:30:00+0800", false}, TimeCase{"2026-04-12T09:30:00+08", false},
        TimeCase{"2026-04-12T09:30:00+24:00", false}, TimeCase{"2026-04-12T09:30:00+08:60", false},
        TimeCase{"2026-04-12 09:30:00+08:00", false}, TimeCase{"2026-4-12T09:30:00Z", false},
        TimeCase{"26-04-12T09:30:00Z", false}, TimeCase{"2026-13-01T00:00:00Z", false},
        TimeCase{"2026-00-10T00:00:00Z", false}, TimeCase{"2026-04-32T00:00:00Z", false},
        TimeCase{"2026-04-00T00:00:00Z", false}, TimeCase{"2026-04-12T24:00:00Z", false},
        TimeCase{"2026-04-12T09:60:00Z", false}, TimeCase{"2026-04-12T09:30:61Z", false},
        TimeCase{"2026-04-12T09:30:00Z ", false}, TimeCase{" 2026-04-12T09:30:00Z", false},
        TimeCase{"2026-04-12T09:30:00ZZ", false}, TimeCase{"2026-04-12T09:30:00+08:00Z", false},
        TimeCase{"", false}, TimeCase{"1776000000", false}));

// Regression guard (was a bug, fixed): is_valid_rfc3339 checks the day only against 1..31, so days that do not exist in
// their month pass: RFC 3339 §5.7 limits the day by month and leap year.
TEST(EnvelopeTest, ImpossibleCalendarDatesAreRejected) {
  EXPECT_TRUE(is_valid_rfc3339("2024-02-29T00:00:00Z"));  // leap year
  for (const char* t : {"2026-02-30T09:30:00+08:00", "2026-02-31T09:30:00+08:00",
                        "2026-04-31T09:30:00+08:00", "2025-02-29T00:00:00Z"})
    EXPECT_FALSE(is_valid_rfc3339(t)) << t;
}

// ---------------------------------------------------------------- serialisation

TEST(EnvelopeTest, RoundTripsThroughCanonicalText) {
  for (const Envelope& e : {alert_envelope(), test::case_envelope(), test::patrol_envelope()}) {
    std::string text = to_json_text(e);
    auto back = parse_envelope(text);
    ASSERT_TRUE(back.ok()) << back.error().to_json();
    EXPECT_TRUE(same_envelope(back.value(), e)) << text;
    EXPECT_EQ(to_json_text(back.value()), text);  // byte-stable
  }
}

// to_json_text writes the envelope member by member; body_hash is taken over that text,
// so it must be the very text of the envelope's JSON object, whatever the strings hold.
TEST(EnvelopeTest, TextIsTheTextOfItsJsonObject) {
  Envelope odd = test::case_envelope();
  odd.id = "odd-\"1\"\\";
  odd.recipients = std::vector<std::string>{"baoshan", "jia\nding"};
  odd.patrol_id = "patrol\t\x01\x7f";
  odd.region_codes = {};
  odd.body["note"] = "引号\"、反斜杠\\、换行\n、\x1f 与 \xF0\x9F\x9A\xA8";
  odd.body["nested"] =
      json::parse(R"({"z":[1,-2,3.5,{"b":true,"a":null}],"a":18446744073709551615})");
  for (const Envelope& e :
       {alert_envelope(), test::case_envelope(), test::patrol_envelope(), odd}) {
    EXPECT_EQ(to_json_text(e), canonical_json_text_keeping_top_order(to_json(e)));
  }
}

TEST(EnvelopeTest, CanonicalTextHasFixedMemberOrder) {
  Envelope e = test::case_envelope();
  std::string text = to_json_text(e);
  std::vector<std::size_t> at;
  for (const char* m :
       {"\"id\":", "\"source\":", "\"link\":", "\"kind\":", "\"created_at\":",
        "\"classification\":", "\"case_id\":", "\"patrol_id\":", "\"region_codes\":", "\"body\":"})
    at.push_back(text.find(m));
  EXPECT_EQ(at.front(), 1u) << text;
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << text;
  EXPECT_EQ(text.find("\"recipients\""), std::string::npos);  // absent stays absent
  EXPECT_NE(text.find("\"patrol_id\":null"), std::string::npos);

  // The same envelope built in another order gives the same bytes.
  Envelope f;
  f.body = e.body;
  f.region_codes = e.region_codes;
  f.case_id = e.case_id;
  f.classification = e.classification;
  f.created_at = e.created_at;
  f.kind = e.kind;
  f.link = e.link;
  f.source = e.source;
  f.id = e.id;
  EXPECT_EQ(to_json_text(f), text);
}

TEST(EnvelopeTest, EmptyRecipientsListIsKeptDistinctFromAbsent) {
  Envelope e = alert_envelope();
  e.recipients.emplace();
  auto back = parse_envelope(to_json_text(e));
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back.value().recipients.has_value());
  EXPECT_TRUE(back.value().recipients->empty());
}

// Regression guard (was a bug, fixed): to_json_text promises "equal envelopes give equal bytes", and the body_hash of
// that text tells a duplicate (200) from an id reuse (409). But body members keep their
// input order, while boost::json::object equality ignores order: two equal envelopes
// whose bodies list members in another order serialise differently.
TEST(EnvelopeTest, EqualBodiesInOtherMemberOrderGiveEqualBytes) {
  Envelope a = test::patrol_envelope();
  Envelope b = a;
  b.body = json::object{};
  for (auto it = a.body.end(); it != a.body.begin();) {
    --it;
    b.body[it->key()] = it->value();  // same members, reversed order
  }
  ASSERT_TRUE(same_envelope(a, b));
  EXPECT_EQ(to_json_text(a), to_json_text(b));
}

// ---------------------------------------------------------------- order key, links

TEST(EnvelopeTest, OrderKey) {
  Envelope e = alert_envelope();
  EXPECT_EQ(e.order_key(), "");
  e.patrol_id = "south-line-night-7";
  EXPECT_EQ(e.order_key(), "patrol:south-line-night-7");
  e.case_id = "taicang:2026-0412-17";
  EXPECT_EQ(e.order_key(), "case:taicang:2026-0412-17");  // the case wins
  EXPECT_EQ(test::case_envelope().order_key(), "case:taicang:2026-0412-17");
}

TEST(EnvelopeTest, SixLinksAndTheirKinds) {
  using Kinds = std::vector<std::string_view>;
  const std::vector<std::pair<std::string, Kinds>> table = {
      {"joint_meeting", {"meeting.notice", "meeting.minutes"}},
      {"info_sharing", {"alert", "bulletin"}},
      {"joint_mediation", {"case.open", "case.update", "case.transfer", "case.close"}},
      {"joint_patrol", {"patrol.plan", "patrol.position", "patrol.incident"}},
      {"joint_governance", {"case.open", "case.update", "case.transfer", "case.close"}},
      {"joint_safety", {"safety.campaign", "safety.indicator"}},
  };
  std::vector<std::string> ids;
  for (const auto& [link, kinds] : table) {
    ids.push_back(link);
    EXPECT_TRUE(is_link(link));
    EXPECT_EQ(kinds_of(link), kinds) << link;
    for (auto kind : kinds) EXPECT_TRUE(link_has_kind(link, kind)) << link << " " << kind;
  }
  EXPECT_EQ(link_ids(), ids);
  for (const char* bad : {"", "joint", "Joint_Meeting", "info_sharing ", "joint_fishing"}) {
    EXPECT_FALSE(is_link(bad)) << bad;
    EXPECT_TRUE(kinds_of(bad).empty()) << bad;
  }
  EXPECT_FALSE(link_has_kind("info_sharing", "case.open"));
  EXPECT_FALSE(link_has_kind("joint_patrol", "alert"));
  EXPECT_FALSE(link_has_kind("joint_meeting", "meeting"));
  EXPECT_FALSE(link_has_kind("nowhere", "alert"));
  EXPECT_FALSE(link_has_kind("joint_safety", ""));
}

}  // namespace
}  // namespace sixlink
