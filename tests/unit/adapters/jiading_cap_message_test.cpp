// Jiading's message XML (adapters/jiading-cap/message_codec): the generic JSON <-> XML
// mapping value by value, names that cannot be element names, the envelope elements and
// their defaults, and documents written by hand the way a Jiading system would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <string>

#include "adapters/jiading-cap/jiading_cap_adapter.h"
#include "adapters/jiading-cap/message_codec.h"

namespace sixlink {
namespace {

namespace json = boost::json;

Envelope bulletin(json::object body) {
  Envelope e;
  e.id = "JD-BUL-1";
  e.source = "jiading";
  e.link = "info_sharing";
  e.kind = "bulletin";
  e.created_at = "2026-05-01T08:00:00+08:00";
  e.body = std::move(body);
  return e;
}

// The body element of encode(bulletin(body)), indentation removed.
std::string body_xml(const json::object& body) {
  std::string doc = JiadingCapAdapter{}.encode(bulletin(body)).bytes;
  std::size_t from = doc.find("<body");
  std::size_t to = doc.find("</message>");
  std::string out;
  bool line_start = false;
  for (char c : doc.substr(from, to - from)) {
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (line_start && c == ' ') continue;
    line_start = false;
    out += c;
  }
  return out;
}

Envelope round_trip(const Envelope& e) {
  JiadingCapAdapter a;
  NativeDocument doc = a.encode(e);
  auto back = a.decode({doc.content_type, doc.bytes, "", "nobody"});
  EXPECT_TRUE(back.ok()) << back.error().to_json() << "\n" << doc.bytes;
  return back.ok() ? back.value() : Envelope{};
}

TEST(JiadingMessageTest, EachJsonKindHasItsElementForm) {
  EXPECT_EQ(body_xml({{"s", "文本"}}), "<body><s>文本</s></body>");
  EXPECT_EQ(body_xml({{"s", ""}}), "<body><s /></body>");
  EXPECT_EQ(body_xml({{"i", 42}}), "<body><i type=\"number\">42</i></body>");
  EXPECT_EQ(body_xml({{"d", 2.0}}), "<body><d type=\"number\">2.0</d></body>");
  EXPECT_EQ(body_xml({{"d", 31.2304}}), "<body><d type=\"number\">31.2304</d></body>");
  EXPECT_EQ(body_xml({{"b", false}}), "<body><b type=\"boolean\">false</b></body>");
  EXPECT_EQ(body_xml({{"n", nullptr}}), "<body><n type=\"null\" /></body>");
  EXPECT_EQ(body_xml({{"a", json::array{1, "x"}}}),
            "<body><a type=\"array\"><item type=\"number\">1</item><item>x</item></a></body>");
  EXPECT_EQ(body_xml({{"o", json::object{{"k", "v"}}}}),
            "<body><o type=\"object\"><k>v</k></o></body>");
  EXPECT_EQ(body_xml({{"o", json::object{}}, {"a", json::array{}}}),
            "<body><a type=\"array\" /><o type=\"object\" /></body>");
}

TEST(JiadingMessageTest, StringsXmlTextCannotHoldTravelAsJsonLiterals) {
  EXPECT_EQ(body_xml({{"s", "a\r\nb"}}), "<body><s encoding=\"json\">\"a\\r\\nb\"</s></body>");
  EXPECT_EQ(body_xml({{"s", "  "}}), "<body><s encoding=\"json\">\"  \"</s></body>");
  EXPECT_EQ(body_xml({{"s", " a "}}), "<body><s> a </s></body>");  // kept as text
  EXPECT_NE(JiadingCapAdapter{}.encode(bulletin({{"s", "a\nb"}})).bytes.find("<s>a\nb</s>"),
            std::string::npos);  // LF is fine as text
  EXPECT_EQ(body_xml({{"s", "<&>"}}), "<body><s>&lt;&amp;&gt;</s></body>");
}

TEST(JiadingMessageTest, KeysThatAreNotPlainNamesBecomeEntries) {
  EXPECT_EQ(body_xml({{"名称", 1}}), "<body><entry key=\"名称\" type=\"number\">1</entry></body>");
  EXPECT_EQ(body_xml({{"1st", 1}}), "<body><entry key=\"1st\" type=\"number\">1</entry></body>");
  EXPECT_EQ(body_xml({{"a:b", 1}}), "<body><entry key=\"a:b\" type=\"number\">1</entry></body>");
  EXPECT_EQ(body_xml({{"XMLdata", 1}}),
            "<body><entry key=\"XMLdata\" type=\"number\">1</entry></body>");
  EXPECT_EQ(body_xml({{"a\nb", 1}}),
            "<body><entry key=\"&quot;a\\nb&quot;\" key-encoding=\"json\" "
            "type=\"number\">1</entry></body>");
  EXPECT_EQ(body_xml({{"_ok.name-1", 1}}),
            "<body><_ok.name-1 type=\"number\">1</_ok.name-1></body>");
}

TEST(JiadingMessageTest, ValuesRoundTripExactly) {
  json::object body = {
      {"int", -9223372036854775807LL - 1},
      {"uint", 18446744073709551615ULL},
      {"double", 0.1},
      {"neg_zero", -0.0},
      {"big", 1e308},
      {"tiny", 4.9e-324},
      {"whole_double", 3.0},
      {"t", true},
      {"n", nullptr},
      {"nested", json::array{json::array{}, json::object{{"", ""}}}},
      {"text", "tab\tand\u00a0nbsp"},
      {"ctrl", std::string("a\0b", 3)},
  };
  Envelope e = bulletin(body);
  Envelope back = round_trip(e);
  EXPECT_EQ(to_json_text(back), to_json_text(e));
  EXPECT_TRUE(back.body.at("int").is_int64());
  EXPECT_TRUE(back.body.at("uint").is_uint64());
  EXPECT_TRUE(back.body.at("whole_double").is_double());
  EXPECT_TRUE(std::signbit(back.body.at("neg_zero").get_double()));
}

TEST(JiadingMessageTest, EnvelopeFieldsRoundTripIncludingAbsentOnes) {
  Envelope e = bulletin({{"title", "t"}});
  Envelope back = round_trip(e);
  EXPECT_EQ(to_json_text(back), to_json_text(e));
  EXPECT_FALSE(back.recipients.has_value());
  EXPECT_FALSE(back.case_id.has_value());
  e.recipients = std::vector<std::string>{};  // invalid, but the codec keeps it apart from absent
  e.case_id = "jiading:2026-1";
  e.patrol_id = "west-line-3";
  e.region_codes = {"310114"};
  back = round_trip(e);
  EXPECT_EQ(to_json_text(back), to_json_text(e));
  ASSERT_TRUE(back.recipients.has_value());
  EXPECT_TRUE(back.recipients->empty());
}

TEST(JiadingMessageTest, HandWrittenDocumentWithPrefixAndDefaults) {
  std::string doc = R"(<?xml version="1.0" encoding="UTF-8"?>
<jd:message xmlns:jd="urn:sixlink:jiading:1">
  <jd:id>JD-CASE-9</jd:id>
  <jd:link>joint_governance</jd:link>
  <jd:kind>case.update</jd:kind>
  <jd:created_at>2026-06-02T10:00:00+08:00</jd:created_at>
  <jd:case_id>jiading:2026-0602-3</jd:case_id>
  <jd:body>
    <jd:status>in_progress</jd:status>
    <jd:location type="object"><jd:lat type="number">31.38</jd:lat><jd:lon type="number"> 121.25 </jd:lon></jd:location>
    <jd:note><![CDATA[现场核查 <完成>]]></jd:note>
  </jd:body>
</jd:message>)";
  auto r = JiadingCapAdapter{}.decode({"application/xml", doc, "taicang, kunshan", "jiading"});
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const Envelope& e = r.value();
  EXPECT_EQ(e.source, "jiading");           // absent: the authenticated member
  EXPECT_EQ(e.classification, "internal");  // absent: the envelope's default
  EXPECT_TRUE(e.region_codes.empty());      // absent: none
  ASSERT_TRUE(e.recipients.has_value());    // absent: the Sixlink-Recipients header
  EXPECT_EQ(*e.recipients, (std::vector<std::string>{"taicang", "kunshan"}));
  EXPECT_EQ(e.case_id, "jiading:2026-0602-3");
  EXPECT_EQ(e.body.at("location").at("lon"), 121.25);
  EXPECT_EQ(e.body.at("note"), "现场核查 <完成>");
  EXPECT_FALSE(validate_envelope(e).has_value()) << validate_envelope(e)->to_json();
  // A document naming its source and recipients keeps them over the header.
  std::string named = doc;
  named.replace(named.find("<jd:link>"), 0,
                "<jd:source>baoshan</jd:source><jd:recipients><jd:recipient>taicang</"
                "jd:recipient></jd:recipients>");
  auto n = JiadingCapAdapter{}.decode({"application/xml", named, "kunshan", "jiading"});
  ASSERT_TRUE(n.ok()) << n.error().to_json();
  EXPECT_EQ(n.value().source, "baoshan");  // the API then answers 403: not the authenticated member
  EXPECT_EQ(*n.value().recipients, std::vector<std::string>{"taicang"});
}

TEST(JiadingMessageTest, AnAlertSentAsAMessageIsAcceptedAndGoesOutAsCap) {
  std::string doc =
      R"(<message xmlns="urn:sixlink:jiading:1"><id>JD-A-1</id><link>info_sharing</link>
    <kind>alert</kind><created_at>2026-06-02T10:00:00+08:00</created_at><body>
    <identifier>JD-A-1</identifier><sender>s</sender><sent>2026-06-02T10:00:00+08:00</sent>
    <status>Actual</status><msgType>Alert</msgType><scope>Public</scope></body></message>)";
  JiadingCapAdapter a;
  auto r = a.decode({"application/xml", doc, "", "jiading"});
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  NativeDocument out = a.encode(r.value());
  EXPECT_EQ(out.content_type, "application/cap+xml");
  auto back = a.decode({out.content_type, out.bytes, "", "jiading"});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json_text(back.value()), to_json_text(r.value()));
}

TEST(JiadingMessageTest, RecipientsHeaderParsing) {
  using jiading::recipients_from_header;
  EXPECT_FALSE(recipients_from_header("").has_value());
  EXPECT_FALSE(recipients_from_header(" , ,").has_value());
  EXPECT_EQ(*recipients_from_header("taicang"), std::vector<std::string>{"taicang"});
  EXPECT_EQ(*recipients_from_header(" taicang,\tkunshan ,"),
            (std::vector<std::string>{"taicang", "kunshan"}));
}

}  // namespace
}  // namespace sixlink
