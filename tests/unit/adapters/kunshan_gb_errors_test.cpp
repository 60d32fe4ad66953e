// Hardened parsing and error paths of the kunshan-gb adapter: DOCTYPE, entities, external
// references and XInclude refused with nothing fetched; depth, size and element limits;
// malformed documents; elements and attributes outside the profile; and 400s that name
// the field for bad values.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>

#include "adapters/xml/safe_xml.h"
#include "tests/unit/adapters/kunshan_gb_samples.h"

namespace sixlink {
namespace {

namespace ks = test::kunshan;

std::string gbk(const std::string& utf8) {
  auto bytes = xml::transcode(utf8, "UTF-8", "GBK");
  return bytes ? *bytes : std::string();
}

std::string alert_xml() {
  return *xml::transcode(KunshanGbAdapter().encode(ks::rainstorm_red()).bytes, "GBK", "UTF-8");
}

// Test documents are built while the test parameters are (before main): a sample that no
// longer contains `from` stops the run loudly instead of testing the wrong document.
std::string replaced(std::string s, const std::string& from, const std::string& to) {
  std::size_t at = s.find(from);
  if (at == std::string::npos) {
    std::fprintf(stderr, "kunshan_gb_errors_test: '%s' not in the sample\n", from.c_str());
    std::abort();
  }
  s.replace(at, from.size(), to);
  return s;
}

const char* kHead = "<?xml version=\"1.0\" encoding=\"GBK\"?>\n";

// ---------------------------------------------------------------- hardened parsing

TEST(KunshanGbHardening, ExternalEntityIsRefusedAndNothingIsRead) {
  const std::string secret_path = ::testing::TempDir() + "kunshan_gb_xxe_secret.txt";
  const std::string secret = "KS-XXE-SECRET-4f1c";
  std::ofstream(secret_path) << secret;
  const std::string docs[] = {
      std::string(kHead) + "<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file://" + secret_path +
          "\">]>\n" + alert_xml().substr(alert_xml().find("<alert>")),
      replaced(alert_xml(), "<sender>昆山市气象台</sender>", "<sender>&xxe;</sender>"),
      std::string(kHead) + "<!DOCTYPE alert SYSTEM \"file://" + secret_path + "\">\n<alert/>",
  };
  for (const auto& doc : docs) {
    auto r = ks::decode(gbk(doc));
    ASSERT_FALSE(r.ok()) << doc;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_xml");
    EXPECT_EQ(r.error().to_json().find(secret), std::string::npos);
  }
  std::remove(secret_path.c_str());
}

struct HostileCase {
  const char* name;
  std::string utf8;
};
void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

class KunshanGbHostileTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(KunshanGbHostileTest, IsRefusedWith400InvalidXml) {
  auto r = ks::decode(gbk(GetParam().utf8));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_xml") << r.error().to_json();
}

std::string nested(int depth) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += "<field name=\"n\" type=\"object\">";
    close += "</field>";
  }
  return std::string(kHead) +
         "<message><id>a</id><link>joint_safety</link><kind>safety.indicator</kind>"
         "<createdAt>2026-07-12T09:30:00+08:00</createdAt><body>" +
         open + close + "</body></message>";
}

INSTANTIATE_TEST_SUITE_P(
    Documents, KunshanGbHostileTest,
    ::testing::Values(
        HostileCase{"internal_entity",
                    std::string(kHead) + "<!DOCTYPE alert [<!ENTITY a \"b\">]><alert>&a;</alert>"},
        HostileCase{"billion_laughs",
                    std::string(kHead) +
                        "<!DOCTYPE l [<!ENTITY l0 \"ha\"><!ENTITY l1 \"&l0;&l0;&l0;&l0;\">"
                        "<!ENTITY l2 \"&l1;&l1;&l1;&l1;\">]><alert>&l2;</alert>"},
        HostileCase{"parameter_entity",
                    std::string(kHead) +
                        "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x\">"
                        "%p;]><alert/>"},
        HostileCase{"xinclude",
                    replaced(alert_xml(), "<sender>昆山市气象台</sender>",
                             "<sender><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                             "href=\"file:///etc/passwd\" parse=\"text\"/></sender>")},
        HostileCase{
            "processing_instruction",
            replaced(alert_xml(), "<alert>", "<?xml-stylesheet href=\"http://x/\"?><alert>")},
        HostileCase{"too_deep", nested(45)},
        HostileCase{"attribute_twice",
                    replaced(nested(2), "<field name=\"n\" type=\"object\">",
                             "<field name=\"n\" type=\"object\" name=\"m\">")},
        HostileCase{"malformed", replaced(alert_xml(), "</alert>", "")},
        HostileCase{"nul_reference",
                    replaced(alert_xml(), "<status>", "<note>a&#0;b</note><status>")},
        HostileCase{"control_reference", replaced(alert_xml(), "<sender>", "<sender>&#x1;")},
        HostileCase{"surrogate_reference", replaced(alert_xml(), "<sender>", "<sender>&#xD800;")},
        HostileCase{"beyond_unicode", replaced(alert_xml(), "<sender>", "<sender>&#1114112;")},
        HostileCase{"zero_padded_control",
                    replaced(alert_xml(), "<sender>", "<sender>&#x00000000000001;")},
        HostileCase{"huge_reference",
                    replaced(alert_xml(), "<sender>", "<sender>&#99999999999999999999;")},
        HostileCase{"raw_control", replaced(alert_xml(), "<sender>", "<sender>\x01")},
        HostileCase{"not_xml", "昆山暴雨"}, HostileCase{"empty", ""},
        HostileCase{"wrong_root", std::string(kHead) + "<cap/>"},
        HostileCase{"unknown_element",
                    replaced(alert_xml(), "<status>", "<priority>1</priority><status>")},
        HostileCase{"unknown_attribute", replaced(alert_xml(), "<info>", "<info lang=\"zh\">")},
        HostileCase{"root_attribute", replaced(alert_xml(), "<alert>", "<alert version=\"2\">")},
        HostileCase{"duplicate_element", replaced(alert_xml(), "<status>Actual</status>",
                                                  "<status>Actual</status><status>Test</status>")},
        HostileCase{"text_in_container", replaced(alert_xml(), "<info>", "<info>stray")},
        HostileCase{"element_in_text", replaced(alert_xml(), "<sender>昆山市气象台</sender>",
                                                "<sender><b>昆山</b></sender>")},
        HostileCase{
            "extension_twice",
            replaced(
                alert_xml(), "</alert>",
                "<extension name=\"x\">1</extension><extension name=\"x\">2</extension></alert>")},
        HostileCase{"extension_over_element",
                    replaced(alert_xml(), "</alert>",
                             "<extension name=\"status\">Test</extension></alert>")},
        HostileCase{"field_without_name", replaced(nested(1), "name=\"n\" ", "")},
        HostileCase{"unknown_type", replaced(nested(1), "type=\"object\"", "type=\"date\"")}));

TEST(KunshanGbHardening, JsonDepthAllowedByCanonicalJsonFitsTheDepthLimit) {
  // parse_envelope allows 32 levels: the body (level 2) and 30 objects beneath it.
  std::string body = "{}";
  for (int i = 0; i < 30; ++i) body = "{\"n\":" + body + "}";
  Envelope e = ks::safety_indicator();
  e.body = boost::json::parse(body).as_object();
  ASSERT_TRUE(parse_envelope(to_json_text(e)).ok());
  auto back = ks::decode(KunshanGbAdapter().encode(e).bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
}

TEST(KunshanGbHardening, SizeLimitHolds) {
  std::string big(KunshanGbAdapter::kMaxDocumentBytes + 1, ' ');
  big.replace(0, std::string(kHead).size(), kHead);
  auto r = ks::decode(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_NE(r.error().message.find("larger"), std::string::npos);
}

TEST(KunshanGbHardening, ElementCountLimitHolds) {
  std::string items;
  for (std::size_t i = 0; i <= KunshanGbAdapter::kParseLimits.max_elements; ++i) items += "<item/>";
  std::string doc =
      replaced(nested(1), "type=\"object\"></field>", "type=\"array\">" + items + "</field>");
  ASSERT_LT(doc.size(), KunshanGbAdapter::kMaxDocumentBytes);
  auto r = ks::decode(gbk(doc));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_xml");
  EXPECT_NE(r.error().message.find("elements"), std::string::npos) << r.error().message;
}

// ---------------------------------------------------------------- bad values name their field

struct FieldCase {
  const char* name;
  std::string utf8;
  const char* field;
};
void PrintTo(const FieldCase& c, std::ostream* os) { *os << c.name; }

class KunshanGbFieldErrorTest : public ::testing::TestWithParam<FieldCase> {};

TEST_P(KunshanGbFieldErrorTest, IsA400NamingTheField) {
  auto r = ks::decode(gbk(GetParam().utf8));
  ASSERT_FALSE(r.ok()) << GetParam().utf8;
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_field") << r.error().to_json();
  EXPECT_EQ(r.error().field, GetParam().field) << r.error().to_json();
}

std::string typed(const char* type, const char* text, const char* encoding = nullptr) {
  std::string attrs = std::string("name=\"v\" type=\"") + type + "\"";
  if (encoding) attrs = std::string("name=\"v\" encoding=\"") + encoding + "\"";
  return replaced(nested(1), "name=\"n\" type=\"object\"></field>",
                  attrs + ">" + text + "</field>");
}

INSTANTIATE_TEST_SUITE_P(
    Values, KunshanGbFieldErrorTest,
    ::testing::Values(
        FieldCase{"severity_colour", replaced(alert_xml(), "<severity>Red", "<severity>紫色"),
                  "body.info[0].severity"},
        FieldCase{"event_type_code", replaced(alert_xml(), "<eventType>11B03", "<eventType>暴雨"),
                  "body.info[0].eventType"},
        FieldCase{"identifier_format",
                  replaced(alert_xml(), "<identifier>32058300000000_", "<identifier>3205830000_"),
                  "id"},
        FieldCase{
            "identifier_missing",
            replaced(alert_xml(),
                     "<identifier>32058300000000_20260712093000_KS-20260712-0001</identifier>", ""),
            "id"},
        FieldCase{"sender_code",
                  replaced(alert_xml(), "<senderCode>32058300000000", "<senderCode>320583"),
                  "body.senderCode"},
        FieldCase{"sec_classification",
                  replaced(alert_xml(), "<secClassification>公开", "<secClassification>绝密"),
                  "classification"},
        FieldCase{"no_send_time",
                  replaced(alert_xml(), "<sendTime>2026-07-12T09:30:00+08:00</sendTime>", ""),
                  "created_at"},
        FieldCase{"number", typed("number", "31.5 N"), "body.v"},
        FieldCase{"number_range", typed("number", "1e999"), "body.v"},
        FieldCase{"integer", typed("integer", "1.5"), "body.v"},
        FieldCase{"boolean", typed("boolean", "yes"), "body.v"},
        FieldCase{"null_with_text", typed("null", "0"), "body.v"},
        FieldCase{"base64", typed("", "not base64!", "base64"), "body.v"},
        FieldCase{"base64_not_utf8", typed("", "/w==", "base64"), "body.v"},
        FieldCase{"message_without_created_at",
                  replaced(nested(0), "<createdAt>2026-07-12T09:30:00+08:00</createdAt>", ""),
                  "created_at"},
        FieldCase{"message_without_body", replaced(nested(0), "<body></body>", ""), "body"}));

TEST(KunshanGbErrors, EncodeNeverFailsEvenForBodiesTheRulesRefuse) {
  // encode has no error path: odd bodies still give a document the decoder reads.
  for (const char* body :
       {R"({})", R"({"info": "x"})", R"({"info": [1, {"area": [{"geocode": [1]}]}]})",
        R"({"sent": 5, "identifier": null, "senderCode": ["x"]})"}) {
    Envelope e = ks::rainstorm_red();
    e.body = boost::json::parse(body).as_object();
    NativeDocument doc = KunshanGbAdapter().encode(e);
    auto back = ks::decode(doc.bytes);
    ASSERT_TRUE(back.ok()) << body << ": " << back.error().to_json();
    EXPECT_EQ(back.value().id, e.id) << body;
  }
}

TEST(KunshanGbErrors, DecodedEnvelopeIsThenCheckedByValidateEnvelope) {
  // Decode reports what only the document can tell; validate_envelope the rest.
  std::string doc = replaced(nested(0), "<kind>safety.indicator</kind>", "<kind>alert</kind>");
  auto r = ks::decode(gbk(doc));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  auto err = validate_envelope(r.value());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "kind");
  auto urgency = ks::decode(gbk(replaced(alert_xml(), "<urgency>Immediate", "<urgency>Soon")));
  ASSERT_TRUE(urgency.ok());
  err = validate_envelope(urgency.value());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "body.info[0].urgency");
}

}  // namespace
}  // namespace sixlink
