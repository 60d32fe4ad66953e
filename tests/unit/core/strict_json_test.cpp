// Tests of gateway/core/strict_json: a member named twice is refused at any depth (names
// compared after unescaping, however the parser splits them), naming the member and its
// path; everything else parses exactly as boost::json::parse, options included.
#include "gateway/core/strict_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace sixlink {
namespace {

namespace json = boost::json;

void expect_repeated(const std::string& text, const std::string& member, const std::string& path) {
  StrictJson r = parse_strict_json(text);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_TRUE(r.value.is_null()) << text;
  EXPECT_EQ(r.repeated_member.value_or("(none)"), member) << text;
  EXPECT_EQ(r.repeated_path, path) << text;
  EXPECT_NE(r.reason().find("\"" + member + "\""), std::string::npos) << r.reason();
}

TEST(StrictJsonTest, RefusesAMemberRepeatedAtTheTop) {
  expect_repeated(R"({"id":"x","source":"kunshan","source":"taicang"})", "source", "source");
  expect_repeated(R"({"a":1,"a":1})", "a", "a");  // even with the same value
  expect_repeated(R"({"":1,"":2})", "", "");
}

TEST(StrictJsonTest, RefusesAMemberRepeatedInNestedObjectsAndArrays) {
  expect_repeated(R"({"body":{"title":"a","title":"b"}})", "title", "body.title");
  expect_repeated(R"({"id":"x","body":{"info":[{},{"area":[1,{"d":1,"e":2,"d":3}]}]}})", "d",
                  "body.info[1].area[1].d");
  expect_repeated(R"([0,[{"k":1,"k":2}]])", "k", "[1][0].k");
  // Repeats whose dropped copy held objects of its own, or moved its siblings.
  expect_repeated(R"({"a":{"x":1},"a":{"y":2}})", "a", "a");
  expect_repeated(R"({"a":[],"b":{"x":1},"a":{"y":1,"z":2}})", "a", "a");
  expect_repeated(R"({"a":{"b":{"c":{}}},"d":[{"e":0}],"a":null})", "a", "a");
  // Siblings may share names; only one object's own members must differ.
  EXPECT_TRUE(parse_strict_json(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]})").ok());
}

TEST(StrictJsonTest, ComparesNamesAfterUnescaping) {
  expect_repeated(R"({"source":"kunshan","\u0073ource":"taicang"})", "source", "source");
  expect_repeated(R"({"A":1,"\u0041":2})", "A", "A");
  expect_repeated(R"({"\u00e9":1,"é":2})", "é", "é");
  expect_repeated(R"({"a\/b":1,"a/b":2})", "a/b", "a/b");
}

// A key with an escape arrives in parts (the text before the escape, then the rest); a key
// with an escape longer than the parser's 4 KB scratch buffer arrives in several.
TEST(StrictJsonTest, JoinsNamesTheParserDeliversInParts) {
  expect_repeated(R"({"source":1,"sour\u0063e":2})", "source", "source");
  const std::string long_name(6000, 'n');
  const std::string escaped = "n\\u006e" + long_name.substr(2);  // parts of 1, ~4 K, the rest
  StrictJson r = parse_strict_json("{\"" + long_name + "\":1,\"" + escaped + "\":2}");
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.repeated_member);
  EXPECT_EQ(r.repeated_member->substr(0, 64), long_name.substr(0, 64));
  EXPECT_LT(r.reason().size(), 200u) << "a long name is shortened in messages";
  // Names that differ only after the split are not the same.
  const std::string other = long_name.substr(0, 5999) + "\\u006d";
  EXPECT_TRUE(parse_strict_json("{\"" + long_name + "\":1,\"" + other + "\":2}").ok());
}

TEST(StrictJsonTest, RefusesARepeatInAnObjectOfManyMembers) {
  std::string text = "{";
  for (int i = 0; i < 500; ++i) text += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(parse_strict_json(text.substr(0, text.size() - 1) + "}").ok());
  expect_repeated(text + "\"m250\":0}", "m250", "m250");
}

TEST(StrictJsonTest, ValidDocumentsParseAsBoostJsonParses) {
  for (const char* text :
       {R"({"id":"KS-1","n":-3,"u":18446744073709551615,"d":3.25e-2,"t":true,"f":false,"z":null,
           "s":"\u66b4\u96e8 \"q\"","a":[1,[2,[3,{}]],{"x":{"y":[]}}],"e":{}})",
        "[]", "\"text\"", "12", "  {\"a\" : [ ] }  ", "null"}) {
    StrictJson r = parse_strict_json(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.reason();
    EXPECT_EQ(r.value, json::parse(text)) << text;
    EXPECT_EQ(json::serialize(r.value), json::serialize(json::parse(text))) << text;
  }
}

TEST(StrictJsonTest, MalformedTextFailsAsBoostJsonFails) {
  for (const char* text : {"", "{", "{\"a\":1,}", "[1] [2]", "{\"a\":1}x", "\xb4\xab", "nul"}) {
    boost::system::error_code expected;
    json::parse(text, expected);
    StrictJson r = parse_strict_json(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.ec, expected) << text;
    EXPECT_FALSE(r.repeated_member) << text;
  }
}

TEST(StrictJsonTest, KeepsTheParseOptions) {
  json::parse_options opts;
  opts.max_depth = 3;
  EXPECT_TRUE(parse_strict_json("[[[1]]]", opts).ok());
  StrictJson deep = parse_strict_json("[[[[1]]]]", opts);
  EXPECT_EQ(deep.ec, json::error::too_deep);
  EXPECT_TRUE(parse_strict_json(std::string(33, '[') + std::string(33, ']')).ec ==
              json::error::too_deep)
      << "the default depth limit is Boost's (32)";
  json::parse_options lax;
  lax.allow_comments = true;
  lax.allow_trailing_commas = true;
  StrictJson r = parse_strict_json("{\"a\":1, /* note */ \"b\":[2,],}", lax);
  ASSERT_TRUE(r.ok()) << r.reason();
  EXPECT_EQ(r.value, json::parse("{\"a\":1,\"b\":[2]}"));
  EXPECT_EQ(parse_strict_json("{\"a\":1,/**/\"a\":2}", lax).repeated_member.value_or(""), "a");
}

TEST(StrictJsonTest, TheContractErrorNamesTheRepeatedMember) {
  ApiError e = invalid_json_error(parse_strict_json(R"({"body":{"title":"a","title":"b"}})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.field, "body.title");
  EXPECT_NE(e.message.find("\"title\""), std::string::npos) << e.message;
  ApiError malformed = invalid_json_error(parse_strict_json("{"));
  EXPECT_EQ(malformed.code, "invalid_json");
  EXPECT_EQ(malformed.field, "");
  EXPECT_NE(malformed.message.find("not valid UTF-8 JSON"), std::string::npos) << malformed.message;
}

}  // namespace
}  // namespace sixlink
