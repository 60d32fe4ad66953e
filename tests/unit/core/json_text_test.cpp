// Tests of gateway/core/json_text: canonical JSON text writes strings and integers
// exactly as Boost.JSON's serializer does (the body hashes of messages accepted by
// earlier versions depend on it), sorts object members at every depth, and writes
// doubles in their shortest form.
#include "gateway/core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sixlink {
namespace {

namespace json = boost::json;

std::string string_text(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonTextTest, EveryByteIsEscapedAsBoostJsonEscapesIt) {
  for (int c = 0; c < 256; ++c) {
    const std::string alone(1, static_cast<char>(c));
    const std::string inside = "a" + alone + "b" + alone;
    EXPECT_EQ(string_text(alone), json::serialize(json::string_view(alone))) << "byte " << c;
    EXPECT_EQ(string_text(inside), json::serialize(json::string_view(inside))) << "byte " << c;
  }
}

TEST(JsonTextTest, StringsAsBoostJsonWritesThem) {
  const std::vector<std::string> samples = {
      "",
      "plain",
      "太仓市浏河镇新闸村 / 宝山区罗泾镇",
      "emoji \xF0\x9F\x9A\xA8 and \"quotes\" and \\backslash\\",
      "line\nbreak\ttab\rreturn\bback\fform\x01\x1f\x7f",
      std::string("nul\0inside", 10),
      "\\\"\\\"",
  };
  for (const std::string& s : samples) {
    EXPECT_EQ(string_text(s), json::serialize(json::string_view(s)));
    EXPECT_EQ(canonical_json_text(json::value(s)), json::serialize(json::value(s)));
  }
}

TEST(JsonTextTest, IntegersBooleansAndNullAsBoostJsonWritesThem) {
  const std::vector<json::value> samples = {
      json::value(0),
      json::value(-1),
      json::value(42),
      json::value(std::numeric_limits<std::int64_t>::min()),
      json::value(std::numeric_limits<std::int64_t>::max()),
      json::value(std::numeric_limits<std::uint64_t>::max()),
      json::value(true),
      json::value(false),
      json::value(nullptr),
  };
  for (const json::value& v : samples) EXPECT_EQ(canonical_json_text(v), json::serialize(v));
}

TEST(JsonTextTest, MembersAreSortedAtEveryDepthAndDoublesShortest) {
  json::value v = json::parse(
      R"({"b":[{"z":1,"a":"\u0001"},2.5,3.0],"a":{"y":null,"x":31.4712},"c":"\u4e2d"})");
  EXPECT_EQ(canonical_json_text(v),
            "{\"a\":{\"x\":31.4712,\"y\":null},\"b\":[{\"a\":\"\\u0001\",\"z\":1},2.5,3.0],"
            "\"c\":\"\xE4\xB8\xAD\"}");
  EXPECT_EQ(canonical_json_text_keeping_top_order(v.as_object()),
            "{\"b\":[{\"a\":\"\\u0001\",\"z\":1},2.5,3.0],\"a\":{\"x\":31.4712,\"y\":null},"
            "\"c\":\"\xE4\xB8\xAD\"}");
}

}  // namespace
}  // namespace sixlink
