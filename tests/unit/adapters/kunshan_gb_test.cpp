// Golden round trips of the kunshan-gb adapter (adapters/kunshan-gb) for every kind family,
// and the alert mapping field by field: identifier and region code, levels, event types,
// sender and source, envelope section, extensions. Text encoding: kunshan_gb_text_test.cpp;
// hardened parsing and error paths: kunshan_gb_errors_test.cpp; tables:
// kunshan_gb_profile_test.cpp.
#include <gtest/gtest.h>

#include <ostream>

#include "adapters/kunshan-gb/kunshan_gb_adapter.h"
#include "adapters/xml/safe_xml.h"
#include "tests/unit/adapters/kunshan_gb_samples.h"
#include "tests/unit/core/envelope_samples.h"

namespace sixlink {
namespace {

namespace ks = test::kunshan;
namespace json = boost::json;

std::string utf8_of(const NativeDocument& doc) {
  auto utf8 = xml::transcode(doc.bytes, "GBK", "UTF-8");
  return utf8 ? *utf8 : std::string("<not GBK>");
}

// ---------------------------------------------------------------- golden round trips

struct GoldenCase {
  const char* file;
  Envelope (*make)();
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.file; }

Envelope case_open() { return test::case_envelope("case.open"); }
Envelope case_transfer() {
  Envelope e = test::case_envelope("case.transfer");
  e.link = "joint_governance";
  e.body["lead"] = json::object{{"jurisdiction", "kunshan"}, {"unit", "花桥镇综合执法局"}};
  e.body["status"] = "transferred";
  return e;
}
Envelope cap_thunderstorm() { return test::alert_envelope(); }

class KunshanGbGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(KunshanGbGoldenTest, EncodesToGoldenAndDecodesBack) {
  Envelope original = GetParam().make();
  ASSERT_FALSE(validate_envelope(original)) << "sample must be a valid envelope";
  KunshanGbAdapter adapter;
  NativeDocument doc = adapter.encode(original);
  EXPECT_EQ(doc.content_type, "application/xml; charset=GBK");
  EXPECT_EQ(doc.bytes, ks::golden(GetParam().file, doc.bytes)) << utf8_of(doc);
  auto back =
      ks::decode(ks::read_file(ks::golden_path(GetParam().file)), ks::kGbk, original.source);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_FALSE(validate_envelope(back.value()));
  EXPECT_EQ(to_json_text(back.value()), to_json_text(original));
  // Decoding must not depend on the authenticated member when the document names it.
  auto other = ks::decode(doc.bytes, ks::kGbk, "someone-else");
  ASSERT_TRUE(other.ok()) << other.error().to_json();
  EXPECT_EQ(to_json_text(other.value()), to_json_text(original));
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, KunshanGbGoldenTest,
    ::testing::Values(GoldenCase{"alert-rainstorm-red.xml", ks::rainstorm_red},
                      GoldenCase{"alert-full.xml", ks::full_alert},
                      GoldenCase{"alert-cap-thunderstorm.xml", cap_thunderstorm},
                      GoldenCase{"meeting-notice.xml", ks::meeting_notice},
                      GoldenCase{"bulletin.xml", ks::bulletin},
                      GoldenCase{"case-open.xml", case_open},
                      GoldenCase{"case-transfer.xml", case_transfer},
                      GoldenCase{"patrol-position.xml", test::patrol_envelope},
                      GoldenCase{"safety-indicator.xml", ks::safety_indicator}));

TEST(KunshanGbAdapter, NameIsTheAdapterId) { EXPECT_EQ(KunshanGbAdapter().name(), "kunshan-gb"); }

TEST(KunshanGbAdapter, EveryKindOfEveryLinkRoundTrips) {
  KunshanGbAdapter adapter;
  for (const auto& link : link_ids()) {
    for (auto kind : kinds_of(link)) {
      Envelope e = kind == "alert"             ? ks::rainstorm_red()
                   : kind.starts_with("case.") ? case_transfer()
                                               : ks::meeting_notice();
      e.link = link;
      e.kind = std::string(kind);
      if (kind.starts_with("patrol.")) e.body = test::patrol_position_body();
      ASSERT_FALSE(validate_envelope(e)) << kind;
      auto back = ks::decode(adapter.encode(e).bytes);
      ASSERT_TRUE(back.ok()) << kind << ": " << back.error().to_json();
      EXPECT_EQ(to_json_text(back.value()), to_json_text(e)) << kind;
    }
  }
}

// ---------------------------------------------------------------- alert mapping

TEST(KunshanGbAlert, ProfileFitAlertHasNoExtensionAndNoEnvelopeSection) {
  std::string xml = utf8_of(KunshanGbAdapter().encode(ks::rainstorm_red()));
  EXPECT_EQ(xml.find("<extension"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<envelope"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<identifier>32058300000000_20260712093000_KS-20260712-0001</identifier>"),
            std::string::npos);
  EXPECT_NE(xml.find("<senderCode>32058300000000</senderCode>"), std::string::npos);
  EXPECT_NE(xml.find("<eventType>11B03</eventType>"), std::string::npos);
  EXPECT_NE(xml.find("<severity>Red</severity>"), std::string::npos);
  EXPECT_NE(xml.find("<secClassification>公开</secClassification>"), std::string::npos);
  EXPECT_NE(xml.find("<sendTime>2026-07-12T09:30:00+08:00</sendTime>"), std::string::npos);
}

TEST(KunshanGbAlert, IdentifierCarriesRegionCodeAndBeijingTimeAndGivesBackTheId) {
  Envelope e = ks::full_alert();  // jiading (310114), sent 01:30Z = 09:30 in Beijing
  std::string xml = utf8_of(KunshanGbAdapter().encode(e));
  EXPECT_NE(xml.find("<identifier>31011400000000_20260712093000_JD.cap:2026-0712_77</identifier>"),
            std::string::npos)
      << xml;
  // The CAP identifier differs from the GB one: it travels as an extension.
  EXPECT_NE(xml.find("<extension name=\"identifier\">JD-CAP-77</extension>"), std::string::npos);
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().id, "JD.cap:2026-0712_77");
  EXPECT_EQ(back.value().body.at("identifier"), "JD-CAP-77");
}

TEST(KunshanGbAlert, IdOfAnIssuingUnitIsTheIdentifierItself) {
  Envelope e = ks::rainstorm_red();
  e.id = "32058341000000_20260712093000_0001";
  e.body["identifier"] = e.id;
  e.body["senderCode"] = "32058341000000";
  std::string xml = utf8_of(KunshanGbAdapter().encode(e));
  EXPECT_NE(xml.find("<identifier>32058341000000_20260712093000_0001</identifier>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<senderCode>32058341000000</senderCode>"), std::string::npos);
  EXPECT_EQ(xml.find("<extension"), std::string::npos) << xml;
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
}

TEST(KunshanGbAlert, NativeKunshanDocumentDecodesFieldByField) {
  // As Kunshan's provincial system sends it: its own unit code, Chinese level word.
  auto r = ks::decode(ks::read_file(ks::golden_path("native-typhoon-orange.xml")), ks::kGbk,
                      "kunshan", "taicang, baoshan");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const Envelope& e = r.value();
  EXPECT_FALSE(validate_envelope(e));
  EXPECT_EQ(e.id, "32058341000000_20260915081500_0007");
  EXPECT_EQ(e.source, "kunshan");
  EXPECT_EQ(e.link, "info_sharing");
  EXPECT_EQ(e.kind, "alert");
  EXPECT_EQ(e.created_at, "2026-09-15T08:15:00+08:00");
  EXPECT_EQ(e.classification, "public");
  EXPECT_EQ(e.recipients, (std::vector<std::string>{"taicang", "baoshan"}));
  EXPECT_EQ(e.region_codes, (std::vector<std::string>{"320583", "320585"}));
  const json::object& b = e.body;
  EXPECT_EQ(b.at("identifier"), "32058341000000_20260915081500_0007");
  EXPECT_EQ(b.at("senderCode"), "32058341000000");
  EXPECT_EQ(b.at("sender"), "昆山市气象台");
  EXPECT_EQ(b.at("sent"), "2026-09-15T08:15:00+08:00");
  const json::object& info = b.at("info").at(0).as_object();
  EXPECT_EQ(info.at("category"), json::array{"Met"});
  EXPECT_EQ(info.at("event"), "台风");
  EXPECT_EQ(info.at("severity"), "Severe");  // 橙色
  EXPECT_EQ(info.at("urgency"), "Expected");
  EXPECT_EQ(info.at("headline"), "昆山市气象台发布台风橙色预警");
  const json::object& area = info.at("area").at(0).as_object();
  EXPECT_EQ(area.at("areaDesc"), "昆山市、太仓市");
  EXPECT_EQ(area.at("geocode").at(1).at("value"), "320585");
  EXPECT_FALSE(b.contains("envelope"));
  // Re-encoded, the same envelope comes back (the level word is now "Orange").
  auto again = ks::decode(KunshanGbAdapter().encode(e).bytes, ks::kGbk, "kunshan");
  ASSERT_TRUE(again.ok()) << again.error().to_json();
  EXPECT_EQ(to_json_text(again.value()), to_json_text(e));
}

TEST(KunshanGbAlert, SourceComesFromTheSenderCodeElseTheAuthenticatedMember) {
  Envelope e = ks::rainstorm_red();
  std::string xml = utf8_of(KunshanGbAdapter().encode(e));
  auto named = ks::decode(KunshanGbAdapter().encode(e).bytes, ks::kGbk, "taicang");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named.value().source, "kunshan");  // 320583…: the API then answers 403 to taicang
  std::string unknown = xml;
  unknown.replace(unknown.find("<senderCode>32058300000000"), 26, "<senderCode>32050800000000");
  auto r = ks::decode(*xml::transcode(unknown, "UTF-8", "GBK"), ks::kGbk, "kunshan");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().source, "kunshan");
  EXPECT_EQ(r.value().body.at("senderCode"), "32050800000000");
}

TEST(KunshanGbAlert, MemberOutsideTheTableTravelsInTheEnvelopeSection) {
  Envelope e = ks::rainstorm_red();
  e.source = "suzhou";
  std::string xml = utf8_of(KunshanGbAdapter().encode(e));
  EXPECT_NE(xml.find("<senderCode>00000000000000</senderCode>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<source>suzhou</source>"), std::string::npos) << xml;
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes, ks::kGbk, "suzhou");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
}

TEST(KunshanGbAlert, UnmappedEventTravelsAsOtherCodeWithExtensions) {
  std::string xml = utf8_of(KunshanGbAdapter().encode(test::alert_envelope()));
  EXPECT_NE(xml.find("<eventType>00000</eventType>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<extension name=\"event\">SEVERE THUNDERSTORM</extension>"),
            std::string::npos);
  EXPECT_NE(xml.find("<extension name=\"category\" type=\"array\">"), std::string::npos);
}

TEST(KunshanGbAlert, RegionCodesFollowGeocodesOrTravelInTheSection) {
  Envelope e = ks::rainstorm_red();
  e.region_codes = {"320583", "320585"};  // not what the geocodes say
  std::string xml = utf8_of(KunshanGbAdapter().encode(e));
  EXPECT_NE(xml.find("<regionCodes>"), std::string::npos) << xml;
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().region_codes, e.region_codes);
  e.region_codes = {};
  back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back.value().region_codes.empty());
}

TEST(KunshanGbAlert, RecipientsFromTheDocumentWinOverTheHeader) {
  Envelope e = ks::rainstorm_red();
  e.recipients = std::vector<std::string>{"jiading"};
  auto r = ks::decode(KunshanGbAdapter().encode(e).bytes, ks::kGbk, "kunshan", "taicang");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().recipients, (std::vector<std::string>{"jiading"}));
  r = ks::decode(KunshanGbAdapter().encode(ks::rainstorm_red()).bytes, ks::kGbk, "kunshan", "");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().recipients.has_value());
}

TEST(KunshanGbAlert, MembersThatDoNotFitTheirElementBecomeExtensions) {
  // Body rules leave these types open; each must still come back exactly.
  Envelope e = ks::rainstorm_red();
  e.body["note"] = 7;
  e.body["code"] = json::array{};
  e.body["senderCode"] = "32058300000000";  // equals the default: present, so kept
  e.body["info"].as_array()[0].as_object()["polygon"] = "not an array";
  e.body["info"].as_array()[0].as_object()["area"].as_array()[0].as_object()["geocode"] =
      json::array{json::object{{"valueName", "GB/T 2260"}, {"value", "320583"}, {"x", 1}}};
  e.body["x-extra"] = json::object{{"a", json::array{1, "b", nullptr, true, 2.5}}};
  ASSERT_FALSE(validate_envelope(e));
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
}

TEST(KunshanGbAlert, EveryLevelMapsBothWays) {
  for (auto [severity, level] : {std::pair{"Extreme", "Red"},
                                 {"Severe", "Orange"},
                                 {"Moderate", "Yellow"},
                                 {"Minor", "Blue"},
                                 {"Unknown", "Unknown"}}) {
    Envelope e = ks::rainstorm_red();
    e.body["info"].as_array()[0].as_object()["severity"] = severity;
    std::string xml = utf8_of(KunshanGbAdapter().encode(e));
    EXPECT_NE(xml.find(std::string("<severity>") + level + "</severity>"), std::string::npos);
    auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value().body.at("info").at(0).at("severity"), severity);
  }
}

}  // namespace
}  // namespace sixlink
