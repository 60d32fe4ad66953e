// Error paths of the Baoshan JSON adapter (adapters/baoshan-json): 415 for media types it
// does not take, 400 invalid_json for documents that are not JSON objects, and 400
// invalid_field naming the canonical field (with the Baoshan field in the message) for a
// bad value: wrong types, level code 5, times that are not integers, unknown units,
// malformed coordinates, and ext contradicting the field it refines.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "adapters/baoshan-json/baoshan_json_adapter.h"

namespace sixlink {
namespace {

namespace json = boost::json;

json::value golden(const std::string& name) {
  std::ifstream in(std::string(SIXLINK_SOURCE_DIR) + "/tests/data/adapters/baoshan-json/" + name +
                   ".baoshan.json");
  std::ostringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

Result<Envelope> decode(std::string_view content_type, std::string_view body,
                        std::string_view member = "baoshan") {
  return BaoshanJsonAdapter().decode({content_type, body, "", member});
}

// ---------------------------------------------------------------- media type, syntax

class BaoshanMediaTypeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BaoshanMediaTypeTest, RefusedWith415) {
  auto r = decode(GetParam(), json::serialize(golden("alert")));
  ASSERT_FALSE(r.ok()) << GetParam();
  EXPECT_EQ(r.error().status, 415);
  EXPECT_EQ(r.error().code, "unsupported_media_type");
}

INSTANTIATE_TEST_SUITE_P(Cases, BaoshanMediaTypeTest,
                         ::testing::Values("application/xml", "application/cap+xml",
                                           "application/json; charset=gbk",
                                           "application/json; charset=GB18030",
                                           "application/json; charset=utf-16", "text/json",
                                           "text/plain", "application/jsonx", ""));

TEST(BaoshanErrorsTest, AcceptedMediaTypes) {
  for (const char* ct : {"application/json", "application/json; charset=utf-8",
                         "Application/JSON; charset=\"UTF-8\""}) {
    auto r = decode(ct, json::serialize(golden("alert")));
    EXPECT_TRUE(r.ok()) << ct;
  }
}

TEST(BaoshanErrorsTest, MalformedDocumentsAreInvalidJson) {
  std::string deep = R"({"msgId":"a","payload":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  for (const std::string& body :
       {std::string("{"), std::string(""), std::string("[]"), std::string("null"),
        std::string("\"msgId\""), std::string("{\"msgId\":\"a\",}"), std::string("<alert/>"),
        std::string("{\"msgId\":\"\xB1\xA6\xC9\xBD\"}"),  // GBK bytes, not UTF-8
        std::string("\xEF\xBB\xBF{}"), deep}) {
    auto r = decode("application/json", body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 400) << body;
    EXPECT_EQ(r.error().code, "invalid_json") << body;
  }
}

// Boost.JSON keeps the last copy of a repeated member, another reader the first: a
// document naming one twice, at any depth, is refused rather than read one way here.
TEST(BaoshanErrorsTest, RepeatedMembersAreInvalidJsonNamingThem) {
  const std::string good = json::serialize(golden("alert"));
  ASSERT_TRUE(decode("application/json", good).ok());
  struct Case {
    std::string after, member, field;
  };
  for (const Case& c :
       {Case{"{", R"("fromUnit":"320583",)", "fromUnit"},
        Case{R"("payload":{)", R"("alertStatus":"Test",)", "payload.alertStatus"},
        Case{R"("infos":[{)", R"("levelC\u006fde":1,)", "payload.infos[0].levelCode"}}) {
    std::string twice = good;
    const std::size_t at = twice.find(c.after);
    ASSERT_NE(at, std::string::npos) << c.after;
    twice.insert(at + c.after.size(), c.member);
    auto r = decode("application/json", twice);
    ASSERT_FALSE(r.ok()) << twice;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_json");
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_NE(r.error().message.find("appears more than once"), std::string::npos)
        << r.error().message;
  }
}

// ---------------------------------------------------------------- bad fields

struct FieldCase {
  const char* document;  // golden document to start from
  const char* pointer;   // member to change (RFC 6901)
  const char* value;     // JSON text of the new value; nullptr removes the member
  const char* field;     // expected canonical field
  const char* message;   // expected in the message (the Baoshan field, the reason)
};

void PrintTo(const FieldCase& c, std::ostream* os) {
  *os << c.document << " " << c.pointer << " = " << (c.value ? c.value : "(removed)");
}

class BaoshanFieldErrorTest : public ::testing::TestWithParam<FieldCase> {};

TEST_P(BaoshanFieldErrorTest, NamesTheCanonicalField) {
  const FieldCase& c = GetParam();
  json::value doc = golden(c.document);
  std::string pointer = c.pointer;
  std::size_t slash = pointer.rfind('/');
  json::value& parent = doc.at_pointer(pointer.substr(0, slash));
  std::string last = pointer.substr(slash + 1);
  if (parent.is_array())
    parent.as_array().at(std::stoul(last)) = json::parse(c.value);
  else if (c.value)
    parent.as_object()[last] = json::parse(c.value);
  else
    ASSERT_EQ(parent.as_object().erase(last), 1u);
  auto r = decode("application/json", json::serialize(doc), "");
  ASSERT_FALSE(r.ok()) << json::serialize(doc);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_field");
  EXPECT_EQ(r.error().field, c.field) << r.error().to_json();
  EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().to_json();
}

INSTANTIATE_TEST_SUITE_P(
    Header, BaoshanFieldErrorTest,
    ::testing::Values(
        FieldCase{"alert", "/msgId", "42", "id", "msgId"},
        FieldCase{"alert", "/msgId", nullptr, "id", "msgId (canonical id) is required"},
        FieldCase{"alert", "/fromUnit", R"("999999")", "source", "is an unknown unit code 999999"},
        FieldCase{"alert", "/fromUnit", R"("Bao Shan")", "source", "fromUnit"},
        FieldCase{"alert", "/fromUnit", "310113", "source", "must be a string"},
        FieldCase{"alert", "/fromUnit", nullptr, "source",
                  "fromUnit (canonical source) is required"},
        FieldCase{"alert", "/toUnits/1", R"("100000")", "recipients", "toUnits"},
        FieldCase{"alert", "/toUnits", R"("320585")", "recipients", "toUnits"},
        FieldCase{"alert", "/bizType", R"("XXXX")", "link", "bizType"},
        FieldCase{"alert", "/bizType", nullptr, "link", "bizType (canonical link) is required"},
        FieldCase{"alert", "/eventType", R"("alert")", "kind", "is not an event type"},
        FieldCase{"alert", "/eventType", nullptr, "kind", "eventType"},
        FieldCase{"alert", "/sendTime", R"("2026-07-18T06:05:00+08:00")", "created_at",
                  "sendTime (canonical created_at) must be an integer"},
        FieldCase{"alert", "/sendTime", "1784325900000.5", "created_at", "must be an integer"},
        FieldCase{"alert", "/sendTime", "1.7843259E12", "created_at", "must be an integer"},
        FieldCase{"alert", "/sendTime", "1000000000000000000", "created_at", "out of range"},
        FieldCase{"alert", "/sendTime", "18446744073709551615", "created_at", "out of range"},
        FieldCase{"alert", "/sendTime", nullptr, "created_at", "sendTime"},
        FieldCase{"alert", "/secretLevel", "4", "classification", "secretLevel"},
        FieldCase{"alert", "/secretLevel", R"("1")", "classification", "not a secret level"},
        FieldCase{"alert", "/areaCodes", R"("310113")", "region_codes", "areaCodes"},
        FieldCase{"alert", "/caseNo", "7", "case_id", "caseNo"},
        FieldCase{"alert", "/payload", "[]", "body", "payload (canonical body) must be an object"},
        FieldCase{"alert", "/payload", nullptr, "body", "payload (canonical body) is required"},
        FieldCase{"alert", "/unknownField", "1", "", "unknownField is not part"},
        FieldCase{"alert", "/ext", R"({"body":{}})", "body", "ext.body"},
        FieldCase{"alert", "/ext", "[]", "", "ext must be an object (in canonical envelope)"},
        FieldCase{"patrol-position", "/ext/created_at", R"("2026-04-12T14:16:00Z")", "created_at",
                  "disagrees with ext.created_at"},
        FieldCase{"patrol-position", "/ext/created_at", "1776003300000", "created_at",
                  "disagrees with ext.created_at"}));

INSTANTIATE_TEST_SUITE_P(
    Alert, BaoshanFieldErrorTest,
    ::testing::Values(
        FieldCase{
            "alert", "/payload/infos/0/levelCode", "5", "body.info[0].severity",
            "payload.infos[0].levelCode (canonical body.info[0].severity) is not a level code"},
        FieldCase{"alert", "/payload/infos/0/levelCode", "0", "body.info[0].severity", "1 Extreme"},
        FieldCase{"alert", "/payload/infos/0/levelCode", R"("2")", "body.info[0].severity",
                  "levelCode"},
        FieldCase{"alert", "/payload/infos/0/levelCode", "2.0", "body.info[0].severity",
                  "levelCode"},
        FieldCase{"alert", "/payload/infos/0/expireTime", R"("tomorrow")", "body.info[0].expires",
                  "payload.infos[0].expireTime"},
        FieldCase{"alert", "/payload/publishTime", "-99999999999999999", "body.sent",
                  "out of range"},
        FieldCase{"alert", "/payload/infos/0/categories", R"("Met")", "body.info[0].category",
                  "categories"},
        FieldCase{"alert", "/payload/infos/0/eventName", "1", "body.info[0].event", "eventName"},
        FieldCase{"alert", "/payload/infos/0/areas", "{}", "body.info[0].area", "array of objects"},
        FieldCase{"alert", "/payload/infos/0/areas/0", "1", "body.info[0].area[0]",
                  "must be an object"},
        FieldCase{"alert", "/payload/infos/0/areas/0/polygons/0", R"("31.5,121.3 31.6")",
                  "body.info[0].area[0].polygon", "payload.infos[0].areas[0].polygons"},
        FieldCase{"alert", "/payload/infos/0/areas/0/polygons", R"("31.5,121.3")",
                  "body.info[0].area[0].polygon", "must be an array"},
        FieldCase{"alert", "/payload/infos/0/areas/0/circles/0", R"("31.5,121.3")",
                  "body.info[0].area[0].circle", "lat,lon radius"},
        FieldCase{"alert", "/payload/infos/0/areas/0/geocodes/0/name", "7",
                  "body.info[0].area[0].geocode[0].valueName", "geocodes[0].name"},
        FieldCase{"alert", "/payload/infos/0/attachments/0/size", R"("48213")",
                  "body.info[0].resource[0].size", "must be a number"},
        FieldCase{"alert", "/payload/infos/0/foo", "1", "body.info[0]", "payload.infos[0].foo"},
        FieldCase{"alert", "/payload/ext", "[]", "body", "payload.ext must be an object"},
        FieldCase{"alert", "/payload/infos/0/ext", R"({"area":[]})", "body.info[0].area",
                  "also given as ext.area"},
        FieldCase{"alert", "/payload/infos/1/areas/0/ext/polygon/0", R"("31.5,121.3 31.6,121.4")",
                  "body.info[1].area[0].polygon", "disagrees with ext.polygon"}));

INSTANTIATE_TEST_SUITE_P(
    CaseAndPatrol, BaoshanFieldErrorTest,
    ::testing::Values(
        FieldCase{"case-open", "/payload/location/lat", R"("31.51")", "body.location.lat",
                  "payload.location.lat"},
        FieldCase{"case-open", "/payload/location/lat", "95", "body.location.lat", "-90..90"},
        FieldCase{"case-open", "/payload/location/lng", nullptr, "body.location.lon",
                  "payload.location.lng"},
        FieldCase{"case-open", "/payload/caseStatus", "9", "body.status", "caseStatus"},
        FieldCase{"case-open", "/payload/caseStatus", R"("open")", "body.status",
                  "case status code"},
        FieldCase{"case-open", "/payload/leadUnit/unitCode", R"("123456")",
                  "body.lead.jurisdiction", "payload.leadUnit.unitCode"},
        FieldCase{"case-open", "/payload/parties/0/idCard", "320585198001011234",
                  "body.parties[0].id_number", "idCard"},
        FieldCase{"case-open", "/payload/parties", R"({"name":"x"})", "body.parties", "parties"},
        FieldCase{"case-open", "/payload/deadline", R"("2026-05-12")", "body.deadline", "deadline"},
        FieldCase{"case-open", "/payload/location", R"("太仓市浏河镇")", "body.location",
                  "must be an object"},
        FieldCase{"patrol-plan", "/payload/borderLine", "3", "body.border_line", "borderLine"},
        FieldCase{"patrol-plan", "/payload/route/0/time", "1.5", "body.route[0].at",
                  "payload.route[0].time"},
        FieldCase{"patrol-plan", "/payload/route/3/ext/lat", "31.4", "body.route[3].lat",
                  "contradicts lat/lng"},
        FieldCase{"patrol-plan", "/payload/route/3/ext/lat", R"("31.41234567")",
                  "body.route[3].lat", "contradicts lat/lng"},
        FieldCase{"patrol-incident", "/payload/incident/levelCode", "5", "body.incident.severity",
                  "payload.incident.levelCode"},
        FieldCase{"patrol-incident", "/payload/position/lng", "181", "body.position.lon", "lng"}));

// ---------------------------------------------------------------- decoded, then refused

TEST(BaoshanErrorsTest, DecodedEnvelopesStillMeetTheEnvelopeRules) {
  // Decode maps; validate_envelope (applied by the caller) judges the result.
  json::value doc = golden("case-open");
  doc.as_object().erase("caseNo");
  auto r = decode("application/json", json::serialize(doc));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  auto err = validate_envelope(r.value());
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->field, "case_id");

  doc = golden("alert");
  doc.at_pointer("/payload/infos/0").as_object().erase("levelCode");
  r = decode("application/json", json::serialize(doc));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  err = validate_envelope(r.value());
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->field, "body.info[0].severity");

  doc = golden("alert");
  doc.as_object()["bizType"] = "ZALF";  // a link without alerts
  r = decode("application/json", json::serialize(doc));
  ASSERT_TRUE(r.ok());
  err = validate_envelope(r.value());
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->field, "kind");
}

TEST(BaoshanErrorsTest, ExtValuesOfTheWrongTypeAreRefusedByTheEnvelopeParser) {
  json::value doc = golden("alert");
  doc.as_object().erase("msgId");
  doc.as_object()["ext"] = json::object{{"id", 5}};
  auto r = decode("application/json", json::serialize(doc));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "id");
}

}  // namespace
}  // namespace sixlink
