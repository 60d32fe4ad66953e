// Field-by-field mapping of the Baoshan JSON adapter (adapters/baoshan-json): header
// fields and codes, unit codes and the source rule, epoch-millisecond times and offsets,
// level codes, case states, coordinates in GCJ-02, and what travels in "ext".
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "adapters/baoshan-json/baoshan_json_adapter.h"
#include "adapters/baoshan-json/gcj02.h"
#include "adapters/baoshan-json/value_conversions.h"
#include "tests/unit/core/envelope_samples.h"

namespace sixlink {
namespace {

namespace json = boost::json;

json::object encode_json(const Envelope& e) {
  return json::parse(BaoshanJsonAdapter().encode(e).bytes).as_object();
}

Result<Envelope> decode_json(const json::object& doc, std::string_view member = "baoshan",
                             std::string_view recipients_header = "") {
  std::string text = json::serialize(doc);
  return BaoshanJsonAdapter().decode({"application/json", text, recipients_header, member});
}

// Encodes, decodes, and checks that the envelope came back unchanged.
json::object round_trip(const Envelope& e) {
  json::object doc = encode_json(e);
  auto back = decode_json(doc, "");
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error().to_json());
  if (back.ok()) {
    EXPECT_EQ(to_json_text(back.value()), to_json_text(e)) << json::serialize(doc);
  }
  return doc;
}

// ---------------------------------------------------------------- header

TEST(BaoshanMappingTest, HeaderFieldsMapOneByOne) {
  Envelope e = test::case_envelope();
  e.recipients = std::vector<std::string>{"baoshan", "jiading", "wujiang-gw"};
  json::object doc = round_trip(e);
  EXPECT_EQ(doc.at("msgId"), "TC-2026-0412-17.1");
  EXPECT_EQ(doc.at("fromUnit"), "320585");
  EXPECT_EQ(doc.at("bizType"), "MDLT");
  EXPECT_EQ(doc.at("eventType"), "CASE_OPEN");
  EXPECT_EQ(doc.at("sendTime"), 1775959200000);
  EXPECT_EQ(doc.at("toUnits"), (json::array{"310113", "310114", "wujiang-gw"}));
  EXPECT_EQ(doc.at("secretLevel"), 3);
  EXPECT_EQ(doc.at("caseNo"), "taicang:2026-0412-17");
  EXPECT_FALSE(doc.contains("patrolNo"));
  EXPECT_EQ(doc.at("areaCodes"), (json::array{"320585", "310113"}));
  EXPECT_FALSE(doc.contains("ext"));  // everything fits
  EXPECT_FALSE(doc.at("payload").as_object().contains("ext"));
}

TEST(BaoshanMappingTest, LinkKindAndClassificationCodes) {
  const std::pair<const char*, const char*> links[] = {
      {"joint_meeting", "HYLX"}, {"info_sharing", "XXLX"},     {"joint_mediation", "MDLT"},
      {"joint_patrol", "ZALF"},  {"joint_governance", "WTLZ"}, {"joint_safety", "PALC"}};
  for (auto [link, code] : links) {
    Envelope e = test::patrol_envelope();
    e.link = link;
    e.kind = std::string(kinds_of(link).front());
    e.case_id = "c-1";
    e.body = {{"title", "t"}, {"lead", json::object{{"jurisdiction", "baoshan"}}}};
    json::object doc = round_trip(e);
    EXPECT_EQ(doc.at("bizType"), code) << link;
  }
  const std::pair<const char*, int> levels[] = {{"public", 1}, {"internal", 2}, {"restricted", 3}};
  for (auto [classification, code] : levels) {
    Envelope e = test::patrol_envelope();
    e.classification = classification;
    EXPECT_EQ(round_trip(e).at("secretLevel"), code) << classification;
  }
  json::object doc = encode_json(test::patrol_envelope());
  doc.erase("secretLevel");
  auto r = decode_json(doc);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().classification, "internal");  // Baoshan's default
}

// ---------------------------------------------------------------- source and recipients

TEST(BaoshanMappingTest, UnitCodesAndMemberIdsNameMembers) {
  EXPECT_EQ(baoshan::unit_code_of("baoshan"), "310113");
  EXPECT_EQ(baoshan::unit_code_of("jiading"), "310114");
  EXPECT_EQ(baoshan::unit_code_of("kunshan"), "320583");
  EXPECT_EQ(baoshan::unit_code_of("taicang"), "320585");
  EXPECT_EQ(baoshan::unit_code_of("wujiang-gw"), "wujiang-gw");  // a peer gateway
  EXPECT_EQ(baoshan::unit_code_of("Not A Member"), std::nullopt);
  json::object doc = encode_json(test::patrol_envelope());
  doc["fromUnit"] = "baoshan";  // Baoshan may name itself by member id
  auto r = decode_json(doc, "");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().source, "baoshan");
}

TEST(BaoshanMappingTest, SourceIsTheMemberTheDocumentNames) {
  // A document naming Kunshan's unit decodes with source "kunshan" even when Baoshan
  // sent it: the gateway's source check then refuses it (403 forbidden_source).
  json::object doc = encode_json(test::patrol_envelope());
  doc["fromUnit"] = "320583";
  auto spoofed = decode_json(doc, "baoshan");
  ASSERT_TRUE(spoofed.ok());
  EXPECT_EQ(spoofed.value().source, "kunshan");
  EXPECT_FALSE(validate_envelope(spoofed.value()).has_value());
  // Without fromUnit the document comes from the authenticated member.
  doc.erase("fromUnit");
  auto r = decode_json(doc, "baoshan");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().source, "baoshan");
}

TEST(BaoshanMappingTest, RecipientsHeaderOnlyWhenToUnitsIsAbsent) {
  json::object doc = encode_json(test::patrol_envelope());
  ASSERT_FALSE(doc.contains("toUnits"));
  auto r = decode_json(doc, "baoshan", " taicang, jiading ,");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().recipients, (std::vector<std::string>{"taicang", "jiading"}));
  doc["toUnits"] = json::array{"320583"};
  r = decode_json(doc, "baoshan", "taicang");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().recipients, (std::vector<std::string>{"kunshan"}));
  doc.erase("toUnits");
  r = decode_json(doc, "baoshan", "");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().recipients.has_value());  // routed by policy
}

// ---------------------------------------------------------------- times

TEST(BaoshanMappingTest, EpochMillisecondConversions) {
  using baoshan::epoch_ms_to_beijing;
  using baoshan::rfc3339_to_epoch_ms;
  EXPECT_EQ(rfc3339_to_epoch_ms("2026-07-18T06:05:00+08:00"), 1784325900000);
  EXPECT_EQ(rfc3339_to_epoch_ms("2026-07-17T22:05:00Z"), 1784325900000);
  EXPECT_EQ(rfc3339_to_epoch_ms("2003-06-17T14:57:00-07:00"), 1055887020000);
  EXPECT_EQ(rfc3339_to_epoch_ms("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(rfc3339_to_epoch_ms("2026-07-18T06:00:00.2509+08:00"), 1784325600250);  // truncated
  EXPECT_EQ(rfc3339_to_epoch_ms("2016-12-31T23:59:60Z"),
            rfc3339_to_epoch_ms("2017-01-01T00:00:00Z"));
  EXPECT_EQ(rfc3339_to_epoch_ms("0001-01-01T00:00:00+08:00"), -62135625600000);
  EXPECT_EQ(rfc3339_to_epoch_ms("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(rfc3339_to_epoch_ms("2026-07-18 06:05:00"), std::nullopt);
  EXPECT_EQ(epoch_ms_to_beijing(1784325900000), "2026-07-18T06:05:00+08:00");
  EXPECT_EQ(epoch_ms_to_beijing(1784325600250), "2026-07-18T06:00:00.250+08:00");
  EXPECT_EQ(epoch_ms_to_beijing(-1), "1970-01-01T07:59:59.999+08:00");
  EXPECT_EQ(epoch_ms_to_beijing(-62135625600000), "0001-01-01T00:00:00+08:00");
  EXPECT_EQ(epoch_ms_to_beijing(253402271999999), "9999-12-31T23:59:59.999+08:00");
  EXPECT_EQ(epoch_ms_to_beijing(-62135625600001), std::nullopt);
  EXPECT_EQ(epoch_ms_to_beijing(253402272000000), std::nullopt);
}

TEST(BaoshanMappingTest, BeijingTimesTravelNativelyOthersAlsoInExt) {
  struct TimeCase {
    const char* created_at;
    std::int64_t ms;
    bool in_ext;
  };
  for (const TimeCase& c : {TimeCase{"2026-05-03T15:42:10+08:00", 1777794130000, false},
                            TimeCase{"2026-05-03T15:42:10.125+08:00", 1777794130125, false},
                            TimeCase{"2026-05-03T15:42:10.5+08:00", 1777794130500, true},
                            TimeCase{"2026-05-03T15:42:10.1234567+08:00", 1777794130123, true},
                            TimeCase{"2026-05-03T07:42:10Z", 1777794130000, true},
                            TimeCase{"2026-05-03T07:42:10+00:00", 1777794130000, true},
                            TimeCase{"2026-05-03t15:42:10+08:00", 1777794130000, true},
                            TimeCase{"2026-05-03T00:42:10-07:00", 1777794130000, true}}) {
    Envelope e = test::patrol_envelope();
    e.created_at = c.created_at;
    json::object doc = round_trip(e);
    EXPECT_EQ(doc.at("sendTime"), c.ms) << c.created_at;
    if (c.in_ext)
      EXPECT_EQ(doc.at("ext").at("created_at"), c.created_at);
    else
      EXPECT_FALSE(doc.contains("ext")) << c.created_at;
  }
  // Baoshan's own documents carry epoch ms only: they read as Beijing time.
  json::object doc = encode_json(test::patrol_envelope());
  doc.erase("ext");
  auto r = decode_json(doc);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().created_at, "2026-04-12T22:15:00+08:00");
}

// ---------------------------------------------------------------- alerts

TEST(BaoshanMappingTest, SeverityLevelCodes) {
  const std::pair<const char*, int> levels[] = {
      {"Extreme", 1}, {"Severe", 2}, {"Moderate", 3}, {"Minor", 4}};
  for (auto [severity, code] : levels) {
    Envelope e = test::alert_envelope();
    e.body["info"].as_array()[0].as_object()["severity"] = severity;
    json::object doc = round_trip(e);
    const auto& info = doc.at("payload").at("infos").at(0).as_object();
    EXPECT_EQ(info.at("levelCode"), code) << severity;
    EXPECT_FALSE(info.contains("ext") && info.at("ext").as_object().contains("severity"));
  }
  // Unknown has no Baoshan level: no levelCode, the CAP value travels in ext.
  Envelope e = test::alert_envelope();
  e.body["info"].as_array()[0].as_object()["severity"] = "Unknown";
  json::object doc = round_trip(e);
  const auto& info = doc.at("payload").at("infos").at(0).as_object();
  EXPECT_FALSE(info.contains("levelCode"));
  EXPECT_EQ(info.at("ext").at("severity"), "Unknown");
}

TEST(BaoshanMappingTest, AlertFieldsAndAreaCoordinates) {
  Envelope e = test::alert_envelope();
  auto& info = e.body["info"].as_array()[0].as_object();
  info["area"].as_array()[0].as_object()["polygon"] =
      json::array{"31.5162,121.2873 31.5305,121.3411 31.4611,121.4202 31.5162,121.2873"};
  info["area"].as_array()[0].as_object()["circle"] = json::array{"31.4986,121.3122 5.5"};
  e.body["x-baoshan-test"] = json::object{{"kept", true}};
  json::object doc = round_trip(e);
  const auto& p = doc.at("payload").as_object();
  EXPECT_EQ(p.at("alertId"), "KSTO1055887203");
  EXPECT_EQ(p.at("senderId"), "KSTO@NWS.NOAA.GOV");
  EXPECT_EQ(p.at("publishTime"), 1055887020000);
  EXPECT_EQ(p.at("ext").at("sent"), "2003-06-17T14:57:00-07:00");  // not Beijing time
  EXPECT_EQ(p.at("ext").at("x-baoshan-test"), (json::object{{"kept", true}}));
  const auto& i = p.at("infos").at(0).as_object();
  EXPECT_EQ(i.at("eventName"), "SEVERE THUNDERSTORM");
  EXPECT_EQ(i.at("categories"), json::array{"Met"});
  EXPECT_EQ(i.at("responseTypes"), json::array{"Shelter"});
  EXPECT_EQ(i.at("eventCodes").at(0), (json::object{{"name", "SAME"}, {"value", "SVR"}}));
  EXPECT_EQ(i.at("title"), "SEVERE THUNDERSTORM WARNING");
  EXPECT_EQ(i.at("expireTime"), 1055890800000);
  const auto& a = i.at("areas").at(0).as_object();
  std::string first = a.at("polygons").at(0).as_string().c_str();
  EXPECT_EQ(first.substr(0, 26), "31.514290506,121.291783774");        // GCJ-02, 9 decimals
  EXPECT_EQ(a.at("circles").at(0), "31.496727666,121.316730401 5.5");  // radius kept
  EXPECT_FALSE(a.contains("ext"));  // 4-decimal WGS-84 text comes back exactly
  EXPECT_EQ(a.at("geocodes").as_array().size(), 3u);
}

TEST(BaoshanMappingTest, CoordinateTextConversion) {
  using baoshan::gcj_text_from_wgs;
  using baoshan::wgs_text_from_gcj;
  auto gcj = gcj_text_from_wgs("31.4986,121.3122 31.5,121", false);
  ASSERT_TRUE(gcj);
  EXPECT_EQ(wgs_text_from_gcj(*gcj, false), "31.4986,121.3122 31.5,121");
  EXPECT_EQ(gcj_text_from_wgs("38.47,-120.14 38.34,-119.95", false),
            "38.470000000,-120.140000000 38.340000000,-119.950000000");  // outside China
  EXPECT_EQ(wgs_text_from_gcj("38.470000000,-120.140000000", false), "38.47,-120.14");
  EXPECT_EQ(gcj_text_from_wgs("32.9525,-115.5527 0", true), "32.952500000,-115.552700000 0");
  for (const char* bad : {"", "31.5", "31.5,", "31.5,121.3,4", "1e1,121", "+31.5,121.3", "95,121",
                          "31.5,190", "31.5,121.3 x", ".5,121"})
    EXPECT_EQ(gcj_text_from_wgs(bad, false), std::nullopt) << bad;
  EXPECT_EQ(gcj_text_from_wgs("31.5,121.3", true), std::nullopt);  // circle without radius
  EXPECT_EQ(gcj_text_from_wgs("31.5,121.3 5 6", true), std::nullopt);
}

TEST(BaoshanMappingTest, AreaTextBaoshanCannotHoldTravelsInExtOnly) {
  Envelope e = test::alert_envelope();
  auto& area = e.body["info"].as_array()[0].as_object()["area"].as_array()[0].as_object();
  area["polygon"] = json::array{"31.5,121.3 not-a-point"};
  area["circle"] = json::array{"31.5,121.3   5"};  // converts, but the spacing would not survive
  json::object doc = round_trip(e);
  const auto& a = doc.at("payload").at("infos").at(0).at("areas").at(0).as_object();
  EXPECT_FALSE(a.contains("polygons"));  // no WGS-84 text passed off as GCJ-02
  EXPECT_EQ(a.at("ext").at("polygon"), area["polygon"]);
  EXPECT_EQ(a.at("circles").at(0), json::value(*baoshan::gcj_text_from_wgs("31.5,121.3 5", true)));
  EXPECT_EQ(a.at("ext").at("circle"), area["circle"]);
}

// ---------------------------------------------------------------- cases

TEST(BaoshanMappingTest, CaseFields) {
  json::object doc = round_trip(test::case_envelope());
  const auto& p = doc.at("payload").as_object();
  EXPECT_EQ(p.at("title"), "浏河镇与宝山区罗泾镇交界处宅基地纠纷");
  EXPECT_EQ(p.at("category"), "land");
  EXPECT_EQ(p.at("desc"), "两户村民对界河边宅基地边界有争议。");
  const auto& loc = p.at("location").as_object();
  EXPECT_EQ(loc.at("areaCode"), "320585");
  EXPECT_EQ(loc.at("address"), "太仓市浏河镇新闸村");
  gcj02::LatLon g = gcj02::from_wgs84({31.5162, 121.2873});
  EXPECT_EQ(loc.at("lat").as_double(), baoshan::round_gcj(g.lat));
  EXPECT_EQ(loc.at("lng").as_double(), baoshan::round_gcj(g.lon));
  EXPECT_EQ(p.at("parties").at(0), (json::object{{"name", "张三"},
                                                 {"role", "applicant"},
                                                 {"idCard", "320585198001011234"},
                                                 {"mobile", "13800000000"}}));
  EXPECT_EQ(p.at("leadUnit"),
            (json::object{{"unitCode", "320585"}, {"unitName", "浏河镇人民调解委员会"}}));
  EXPECT_EQ(p.at("deadline"), 1778576400000);
  EXPECT_EQ(p.at("closeStandard"), "双方签署调解协议");
  EXPECT_EQ(p.at("caseStatus"), 1);
  EXPECT_EQ(p.at("remark"), "");
}

TEST(BaoshanMappingTest, CaseStatusCodes) {
  const std::pair<const char*, int> states[] = {
      {"open", 1},   {"accepted", 2}, {"in_progress", 3}, {"resolved", 4},
      {"closed", 5}, {"rejected", 6}, {"transferred", 7}};
  for (auto [state, code] : states) {
    Envelope e = test::case_envelope("case.update");
    e.body["status"] = state;
    EXPECT_EQ(round_trip(e).at("payload").at("caseStatus"), code) << state;
  }
}

TEST(BaoshanMappingTest, ValuesBaoshanCannotHoldTravelInExt) {
  Envelope e = test::case_envelope();
  e.body["note"] = nullptr;                                         // null: no remark
  e.body["location"].as_object()["lat"] = 31.51623456;              // 8 decimals
  e.body["location"].as_object()["lon"] = 121;                      // an integer
  e.body["parties"].as_array()[1].as_object()["id_number"] = 1234;  // not a string
  e.body["lead"].as_object()["jurisdiction"] = "Not A Member";
  e.body["custom"] = json::array{1, "two"};
  json::object doc = round_trip(e);
  const auto& p = doc.at("payload").as_object();
  EXPECT_FALSE(p.contains("remark"));
  EXPECT_TRUE(p.at("ext").at("note").is_null());
  EXPECT_EQ(p.at("ext").at("custom"), (json::array{1, "two"}));
  const auto& loc = p.at("location").as_object();
  EXPECT_TRUE(loc.contains("lat") && loc.contains("lng"));  // Baoshan still gets the point
  EXPECT_EQ(loc.at("ext").at("lat"), 31.51623456);
  EXPECT_EQ(loc.at("ext").at("lon"), 121);
  EXPECT_FALSE(p.at("parties").at(1).as_object().contains("idCard"));
  EXPECT_EQ(p.at("parties").at(1).at("ext").at("id_number"), 1234);
  EXPECT_FALSE(p.at("leadUnit").as_object().contains("unitCode"));
}

TEST(BaoshanMappingTest, BaoshanGcjPointsDecodeWithinOneMetre) {
  // A point as Baoshan's own map writes it (GCJ-02, 6 decimals), no ext.
  json::object doc = encode_json(test::case_envelope());
  auto& loc = doc["payload"].as_object()["location"].as_object();
  loc["lat"] = 31.514291;
  loc["lng"] = 121.291784;
  auto r = decode_json(doc, "");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const auto& l = r.value().body.at("location").as_object();
  double d =
      gcj02::haversine_m({l.at("lat").as_double(), l.at("lon").as_double()}, {31.5162, 121.2873});
  EXPECT_LT(d, 1.0);
}

// ---------------------------------------------------------------- patrols

TEST(BaoshanMappingTest, PatrolFields) {
  Envelope e = test::patrol_envelope();
  e.kind = "patrol.incident";
  e.body["border_line"] = "west_line";
  e.body["incident"] = json::object{{"type", "theft"}, {"description", "d"}, {"severity", "Minor"}};
  json::object doc = round_trip(e);
  const auto& p = doc.at("payload").as_object();
  EXPECT_EQ(p.at("patrolUnit"), "浏河派出所巡逻一组");
  EXPECT_EQ(p.at("borderLine"), 2);
  EXPECT_EQ(p.at("position").at("time"), 1776003300000);
  EXPECT_EQ(p.at("route").as_array().size(), 2u);
  EXPECT_EQ(p.at("incident"),
            (json::object{{"incidentType", "theft"}, {"desc", "d"}, {"levelCode", 4}}));
  e.body["border_line"] = "south_line";
  e.body["incident"].as_object()["severity"] = "high";  // not a CAP severity
  doc = round_trip(e);
  EXPECT_EQ(doc.at("payload").at("borderLine"), 1);
  EXPECT_EQ(doc.at("payload").at("incident").at("ext").at("severity"), "high");
}

TEST(BaoshanMappingTest, GenericKindsCarryTheBodyVerbatim) {
  Envelope e = test::patrol_envelope();
  e.link = "joint_safety";
  e.kind = "safety.indicator";
  e.body = json::parse(R"({"indicator":"fire_calls","value":12.5,"at":"2026-06-01T00:00:00Z",
                           "lat":31.5,"ext":{"x":1}})")
               .as_object();
  json::object doc = round_trip(e);
  EXPECT_EQ(doc.at("eventType"), "SAFETY_INDICATOR");
  EXPECT_EQ(doc.at("payload"), e.body);
}

}  // namespace
}  // namespace sixlink
