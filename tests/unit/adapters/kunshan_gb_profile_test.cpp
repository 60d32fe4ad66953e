// The tables and rules of the kunshan-gb profile (adapters/kunshan-gb/gb_profile.h):
// event-type codes both ways through the adapter, codes outside the table, warning levels,
// members and sender codes, classification words, the identifier and Beijing time.
#include <gtest/gtest.h>

#include <set>

#include "adapters/kunshan-gb/gb_profile.h"
#include "adapters/xml/safe_xml.h"
#include "tests/unit/adapters/kunshan_gb_samples.h"

namespace sixlink::kunshan_gb {
namespace {

namespace ks = test::kunshan;
namespace json = boost::json;

Envelope with_event(const json::value& category, std::string_view event) {
  Envelope e = ks::rainstorm_red();
  auto& info = e.body["info"].as_array()[0].as_object();
  info["category"] = category;
  info["event"] = event;
  return e;
}

std::string utf8_of(const Envelope& e) {
  return *xml::transcode(KunshanGbAdapter().encode(e).bytes, "GBK", "UTF-8");
}

TEST(KunshanGbProfile, EventTableIsUniqueAndCoversEveryFamily) {
  std::set<std::string_view> codes, events, families;
  for (const auto& t : event_types()) {
    EXPECT_TRUE(codes.insert(t.code).second) << t.code;
    EXPECT_TRUE(events.insert(t.event).second) << t.event;
    EXPECT_TRUE(is_national_event_code(t.code)) << t.code;
    families.insert(t.code.substr(0, 2));
  }
  EXPECT_GE(event_types().size(), 12u);
  for (auto family : {"11", "12", "13", "14"}) EXPECT_TRUE(families.contains(family)) << family;
}

TEST(KunshanGbProfile, EveryTableRowMapsToItsCodeAndBack) {
  for (const auto& t : event_types()) {
    Envelope e = with_event(json::array{json::value(t.category)}, t.event);
    std::string xml = utf8_of(e);
    EXPECT_NE(xml.find("<eventType>" + std::string(t.code) + "</eventType>"), std::string::npos)
        << t.event;
    EXPECT_EQ(xml.find("<extension"), std::string::npos) << t.event << "\n" << xml;
    auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_json();
    EXPECT_EQ(to_json_text(back.value()), to_json_text(e)) << t.code;
  }
}

TEST(KunshanGbProfile, BriefCodesAreInTheTable) {
  const std::pair<const char*, const char*> expected[] = {
      {"11B03", "暴雨"}, {"11B01", "台风"}, {"11B04", "暴雪"},     {"11B05", "寒潮"},
      {"11B06", "大风"}, {"11B09", "高温"}, {"11B14", "雷电"},     {"11B15", "冰雹"},
      {"11B17", "大雾"}, {"11B18", "霾"},   {"11B19", "道路结冰"}, {"11A01", "水旱灾害"}};
  for (auto [code, event] : expected) {
    const EventType* t = event_by_code(code);
    ASSERT_NE(t, nullptr) << code;
    EXPECT_EQ(t->event, event);
    EXPECT_EQ(t->category, "Met");
    EXPECT_EQ(event_by_name(event), t);
  }
  EXPECT_EQ(event_by_code("12B01")->category, "Transport");
  EXPECT_EQ(event_by_code("13A01")->category, "Health");
  EXPECT_EQ(event_by_code("14A01")->category, "Security");
  EXPECT_EQ(event_by_code("11D02")->category, "Geo");
}

TEST(KunshanGbProfile, CodeOutsideTheTableIsCarriedAsTheEvent) {
  // A newer national code: its class gives the category, the code itself is the event,
  // and it goes back out as the same code with no extension.
  std::string doc =
      *xml::transcode(KunshanGbAdapter().encode(ks::rainstorm_red()).bytes, "GBK", "UTF-8");
  doc.replace(doc.find("11B03"), 5, "12B77");
  auto r = ks::decode(*xml::transcode(doc, "UTF-8", "GBK"));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const auto& info = r.value().body.at("info").at(0);
  EXPECT_EQ(info.at("category"), json::array{"Transport"});
  EXPECT_EQ(info.at("event"), "12B77");
  std::string again = utf8_of(r.value());
  EXPECT_NE(again.find("<eventType>12B77</eventType>"), std::string::npos);
  EXPECT_EQ(again.find("<extension"), std::string::npos);
  EXPECT_EQ(category_of_class("11G02"), "Fire");
  EXPECT_EQ(category_of_class("13Z01"), "Health");
  EXPECT_EQ(category_of_class("99A01"), "Other");
}

TEST(KunshanGbProfile, EventOutsideTheTableTravelsAsOtherWithExtensions) {
  Envelope e = with_event(json::array{"Met", "Safety"}, "Dense fog");
  std::string xml = utf8_of(e);
  EXPECT_NE(xml.find("<eventType>00000</eventType>"), std::string::npos);
  EXPECT_NE(xml.find("<extension name=\"event\">Dense fog</extension>"), std::string::npos);
  EXPECT_NE(xml.find("<extension name=\"category\" type=\"array\">"), std::string::npos);
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
  // A table event with other categories keeps its code; only the category is an extension.
  e = with_event(json::array{"Met", "Env"}, "霾");
  xml = utf8_of(e);
  EXPECT_NE(xml.find("<eventType>11B18</eventType>"), std::string::npos);
  EXPECT_EQ(xml.find("<extension name=\"event\""), std::string::npos);
  EXPECT_NE(xml.find("<extension name=\"category\""), std::string::npos);
}

TEST(KunshanGbProfile, Levels) {
  EXPECT_EQ(level_of_severity("Extreme"), "Red");
  EXPECT_EQ(level_of_severity("Severe"), "Orange");
  EXPECT_EQ(level_of_severity("Moderate"), "Yellow");
  EXPECT_EQ(level_of_severity("Minor"), "Blue");
  EXPECT_EQ(level_of_severity("Unknown"), "Unknown");
  EXPECT_EQ(level_of_severity("severe"), "");
  for (auto [word, severity] : {std::pair{"红色", "Extreme"},
                                {"橙色", "Severe"},
                                {"黄色", "Moderate"},
                                {"蓝色", "Minor"},
                                {"未知", "Unknown"},
                                {"Red", "Extreme"},
                                {"Blue", "Minor"}})
    EXPECT_EQ(severity_of_level(word), severity) << word;
  EXPECT_EQ(severity_of_level("紫色"), "");
}

TEST(KunshanGbProfile, MembersAndSenderCodes) {
  EXPECT_EQ(region_of_member("kunshan"), "320583");
  EXPECT_EQ(region_of_member("taicang"), "320585");
  EXPECT_EQ(region_of_member("baoshan"), "310113");
  EXPECT_EQ(region_of_member("jiading"), "310114");
  EXPECT_EQ(member_of_region("320583"), "kunshan");
  EXPECT_EQ(member_of_region("320500"), "");
  EXPECT_EQ(default_sender_code("kunshan"), "32058300000000");
  EXPECT_EQ(default_sender_code("peer"), "00000000000000");
  EXPECT_TRUE(is_sender_code("32058341000000"));
  EXPECT_FALSE(is_sender_code("3205834100000"));
  EXPECT_FALSE(is_sender_code("3205834100000x"));
}

TEST(KunshanGbProfile, ClassificationWords) {
  EXPECT_EQ(classification_word("public"), "公开");
  EXPECT_EQ(classification_word("internal"), "内部");
  EXPECT_EQ(classification_word("restricted"), "受限");
  EXPECT_EQ(classification_of_word("受限"), "restricted");
  EXPECT_EQ(classification_of_word("internal"), "internal");
  EXPECT_FALSE(classification_of_word("绝密"));
}

TEST(KunshanGbProfile, IdentifierIsABijectionWithTheEnvelopeId) {
  const char* ids[] = {"KS-20260712-0001",
                       "a",
                       "x_y_z",
                       "32058341000000_20260712093000_0001",  // issued by a unit: kept
                       "32058300000000_20260712093000_0001",  // gateway unit: wrapped
                       "32058341000000_2026071209300_0001",   // not GB: wrapped
                       "00000000000000_00000000000000_1"};
  for (const char* id : ids) {
    std::string identifier = identifier_for(id, "320583", "20260712093000");
    ASSERT_TRUE(is_gb_identifier(identifier)) << identifier;
    EXPECT_EQ(id_of_identifier(identifier), id);
    EXPECT_TRUE(identifier.starts_with("320583") || identifier == id) << identifier;
  }
  EXPECT_EQ(identifier_for("KS-1", "320583", "20260712093000"),
            "32058300000000_20260712093000_KS-1");
  EXPECT_EQ(identifier_for("KS-1", "", "20260712093000"), "00000000000000_20260712093000_KS-1");
  EXPECT_FALSE(is_gb_identifier("32058300000000_20260712093000_"));
  EXPECT_FALSE(is_gb_identifier("32058300000000-20260712093000_1"));
}

TEST(KunshanGbProfile, BeijingStamp) {
  EXPECT_EQ(beijing_stamp("2026-07-12T09:30:00+08:00"), "20260712093000");
  EXPECT_EQ(beijing_stamp("2026-07-12T01:30:00Z"), "20260712093000");
  EXPECT_EQ(beijing_stamp("2026-12-31T20:00:00.75Z"), "20270101040000");
  EXPECT_EQ(beijing_stamp("2024-02-28T23:59:59-07:00"), "20240229145959");
  EXPECT_EQ(beijing_stamp("2026-03-01T05:00:00+14:00"), "20260228230000");
  EXPECT_FALSE(beijing_stamp("2026-07-12 09:30:00"));
}

}  // namespace
}  // namespace sixlink::kunshan_gb
