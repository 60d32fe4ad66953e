// Tests of gateway/api/http_types (target parsing, the contract error response) and of
// ApiError::to_json (gateway/core/api_error), the error body of DESIGN §4.
#include "gateway/api/http_types.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sixlink {
namespace {

namespace json = boost::json;
using Query = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------- parse_target

struct TargetCase {
  const char* target;
  const char* path;
  Query query;
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const TargetCase& c, std::ostream* os) { *os << c.target; }

class HttpTypesTargetTest : public ::testing::TestWithParam<TargetCase> {};

TEST_P(HttpTypesTargetTest, Splits) {
  Target t = parse_target(GetParam().target);
  EXPECT_EQ(t.path, GetParam().path) << GetParam().target;
  EXPECT_EQ(t.query, GetParam().query) << GetParam().target;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpTypesTargetTest,
    ::testing::Values(
        TargetCase{"/v1/messages", "/v1/messages", {}}, TargetCase{"", "", {}},
        TargetCase{"/", "/", {}}, TargetCase{"/v1/inbox?", "/v1/inbox", {}},
        TargetCase{"/v1/inbox?after=5&limit=10", "/v1/inbox", {{"after", "5"}, {"limit", "10"}}},
        TargetCase{
            "/v1/reports/cases?from=2026-04-01&to=2026-04-30&format=csv&lang=zh",
            "/v1/reports/cases",
            {{"from", "2026-04-01"}, {"to", "2026-04-30"}, {"format", "csv"}, {"lang", "zh"}}},
        TargetCase{"/v1/inbox?after=", "/v1/inbox", {{"after", ""}}},
        TargetCase{"/v1/inbox?verbose", "/v1/inbox", {{"verbose", ""}}},
        TargetCase{"/v1/inbox?verbose&limit=3", "/v1/inbox", {{"verbose", ""}, {"limit", "3"}}},
        TargetCase{"/v1/inbox?=5", "/v1/inbox", {{"", "5"}}},
        TargetCase{"/v1/inbox?limit=10&", "/v1/inbox", {{"limit", "10"}}},
        TargetCase{"/x?a=b=c", "/x", {{"a", "b=c"}}}, TargetCase{"/x?q=a+b", "/x", {{"q", "a b"}}},
        TargetCase{"/x?q=a%2Bb", "/x", {{"q", "a+b"}}},
        TargetCase{"/x?q%20name=v%20w", "/x", {{"q name", "v w"}}},
        TargetCase{"/x?after=c%3A17%26x", "/x", {{"after", "c:17&x"}}},
        TargetCase{"/x?city=%E5%A4%AA%E4%BB%93", "/x", {{"city", "太仓"}}},
        TargetCase{"/x?city=%e5%a4%aa%e4%bb%93", "/x", {{"city", "太仓"}}},
        TargetCase{"/x?bad=%zz%4", "/x", {{"bad", "%zz%4"}}},
        TargetCase{"/x?bad=100%", "/x", {{"bad", "100%"}}},
        TargetCase{"/x?nul=a%00b", "/x", {{"nul", std::string("a\0b", 3)}}},
        TargetCase{"/v1/messages/KS-20260412-000731", "/v1/messages/KS-20260412-000731", {}},
        TargetCase{"/v1/cases/taicang%3A2026-0412-17", "/v1/cases/taicang:2026-0412-17", {}},
        TargetCase{"/v1/cases/taicang%3A2026?x=1", "/v1/cases/taicang:2026", {{"x", "1"}}}));

TEST(HttpTypesTest, RepeatedParamIsNamed) {
  Target t = parse_target("/v1/inbox?limit=10&after=c%3A5&limit=20");
  ASSERT_NE(t.repeated_param(), nullptr);
  EXPECT_EQ(*t.repeated_param(), "limit");
  EXPECT_EQ(parse_target("/v1/inbox?limit=10&after=5").repeated_param(), nullptr);
  EXPECT_EQ(parse_target("/v1/inbox").repeated_param(), nullptr);
  ASSERT_NE(parse_target("/v1/cases?a=1&b=2&c=3&b=4").repeated_param(), nullptr);
  EXPECT_EQ(*parse_target("/v1/cases?a=1&b=2&c=3&b=4").repeated_param(), "b");
}

TEST(HttpTypesTest, ParamFindsTheFirstValue) {
  Target t = parse_target("/v1/inbox?limit=10&after=c%3A5&limit=20");
  ASSERT_NE(t.param("limit"), nullptr);
  EXPECT_EQ(*t.param("limit"), "10");
  ASSERT_NE(t.param("after"), nullptr);
  EXPECT_EQ(*t.param("after"), "c:5");
  EXPECT_EQ(t.param("Limit"), nullptr);
  EXPECT_EQ(t.param("cursor"), nullptr);
  EXPECT_EQ(parse_target("/v1/inbox").param("limit"), nullptr);
}

// Regression guard (was a bug, fixed): parse_target applies form decoding ('+' -> space) to the path as well as to the
// query. In a URI path '+' is a literal character (RFC 3986 §3.3), and case ids may
// contain it (1..128 printable characters), so GET /v1/cases/taicang+17 would look up
// "taicang 17".
TEST(HttpTypesTest, PlusInPathIsLiteral) {
  EXPECT_EQ(parse_target("/v1/cases/taicang+17").path, "/v1/cases/taicang+17");
  EXPECT_EQ(parse_target("/v1/cases/taicang+17?q=a+b").path, "/v1/cases/taicang+17");
}

// ---------------------------------------------------------------- error bodies

json::object error_object(const std::string& body) {
  json::value v = json::parse(body);
  EXPECT_TRUE(v.is_object());
  EXPECT_EQ(v.as_object().size(), 1u) << body;
  return v.as_object().at("error").as_object();
}

std::string str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "<absent or not a string>";
}

TEST(HttpTypesTest, ErrorResponseCarriesStatusAndContractBody) {
  HttpResponse r =
      error_response(invalid_field("body.info[0].severity", "must be one of Extreme, ..."));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(r.headers.empty());
  json::object e = error_object(r.body);
  EXPECT_EQ(str(e, "code"), "invalid_field");
  EXPECT_EQ(str(e, "message"), "must be one of Extreme, ...");
  EXPECT_EQ(str(e, "field"), "body.info[0].severity");
  EXPECT_FALSE(e.contains("rule"));
  EXPECT_EQ(e.size(), 3u);
}

TEST(HttpTypesTest, PolicyDenialNamesTheRule) {
  ApiError denial{403,
                  "policy_denied",
                  "member kunshan may not receive link joint_patrol",
                  {},
                  "permissions.kunshan.receive",
                  0};
  HttpResponse r = error_response(denial);
  EXPECT_EQ(r.status, 403);
  json::object e = error_object(r.body);
  EXPECT_EQ(str(e, "code"), "policy_denied");
  EXPECT_EQ(str(e, "rule"), "permissions.kunshan.receive");
  EXPECT_FALSE(e.contains("field"));
}

TEST(HttpTypesTest, RetryAfterOnlyWhenPositive) {
  struct Case {
    int status;
    int retry_after_s;
    const char* header;  // nullptr = none
  };
  for (Case c : {Case{429, 7, "7"}, Case{503, 1, "1"}, Case{503, 120, "120"}, Case{503, 0, nullptr},
                 Case{429, -3, nullptr}}) {
    ApiError err{c.status,    c.status == 429 ? "rate_limited" : "overloaded",
                 "slow down", {},
                 {},          c.retry_after_s};
    HttpResponse r = error_response(err);
    EXPECT_EQ(r.status, c.status);
    if (c.header) {
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].first, "Retry-After");
      EXPECT_EQ(r.headers[0].second, c.header);
    } else {
      EXPECT_TRUE(r.headers.empty()) << c.retry_after_s;
    }
    EXPECT_EQ(str(error_object(r.body), "code"), err.code);
  }
}

TEST(HttpTypesTest, ApiErrorToJsonOmitsEmptyFieldAndRule) {
  ApiError bare{415, "unsupported_media_type", "application/json only", {}, {}, 0};
  EXPECT_EQ(bare.to_json(),
            R"({"error":{"code":"unsupported_media_type","message":"application/json only"}})");
  ApiError both{403, "policy_denied", "no", "recipients[0]", "permissions.x.receive", 0};
  EXPECT_EQ(
      both.to_json(),
      R"({"error":{"code":"policy_denied","message":"no","field":"recipients[0]","rule":"permissions.x.receive"}})");
}

TEST(HttpTypesTest, ApiErrorToJsonEscapes) {
  ApiError err = invalid_field("body.\"q\"", "line1\n\"太仓\" \\ end");
  json::object e = error_object(err.to_json());
  EXPECT_EQ(str(e, "field"), "body.\"q\"");
  EXPECT_EQ(str(e, "message"), "line1\n\"太仓\" \\ end");
}

TEST(HttpTypesTest, InvalidFieldHelper) {
  ApiError e = invalid_field("recipients[2]", "recipient listed twice");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.field, "recipients[2]");
  EXPECT_EQ(e.message, "recipient listed twice");
  EXPECT_TRUE(e.rule.empty());
  EXPECT_EQ(e.retry_after_s, 0);
}

TEST(HttpTypesTest, JsonResponse) {
  HttpResponse r = json_response(202, R"({"id":"a","deliveries":[]})");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"id":"a","deliveries":[]})");
  EXPECT_TRUE(r.headers.empty());
}

}  // namespace
}  // namespace sixlink
