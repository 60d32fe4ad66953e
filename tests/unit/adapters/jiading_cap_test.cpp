// Tests of the jiading-cap adapter (adapters/jiading-cap): golden round trips for every kind
// family, the public CAP 1.2 samples (decode, re-encode, validate against cap12.xsd), the
// field-by-field mapping of plain CAP documents, the carriers, and non-UTF-8 documents.
// Errors and hardened parsing: jiading_cap_errors_test.cpp; the generic JSON <-> XML mapping
// of Jiading's message XML: jiading_cap_message_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/jiading-cap/jiading_cap_adapter.h"
#include "gateway/core/envelope.h"

namespace sixlink {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kData = SIXLINK_SOURCE_DIR "/tests/data/adapters/jiading-cap/";
const std::string kCap = SIXLINK_SOURCE_DIR "/../shared/data/cap/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Envelope load_envelope(const std::string& name) {
  auto r = parse_envelope(read_file(kData + "envelopes/" + name + ".json"));
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().to_json());
  return r.ok() ? r.value() : Envelope{};
}

// Runs xmllint against the official schema; "" when valid, its output otherwise.
std::string xsd_errors(const std::string& document) {
  static int n = 0;
  fs::path dir = fs::temp_directory_path() / ("jiading-cap-xsd-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / ("doc" + std::to_string(n++) + ".xml");
  fs::path out = dir / "xmllint.out";
  std::ofstream(file, std::ios::binary) << document;
  std::string cmd = "xmllint --nonet --noout --schema '" + kCap + "cap12.xsd' '" + file.string() +
                    "' >'" + out.string() + "' 2>&1";
  int rc = std::system(cmd.c_str());
  std::string output = read_file(out.string());
  std::error_code ignored;  // the directory stays while another document is being checked
  fs::remove(file, ignored);
  fs::remove(out, ignored);
  fs::remove(dir, ignored);
  return rc == 0 ? "" : output.empty() ? "xmllint exit " + std::to_string(rc) : output;
}

Result<Envelope> decode(const std::string& bytes, const std::string& type = "application/cap+xml",
                        const std::string& recipients = "") {
  return JiadingCapAdapter{}.decode({type, bytes, recipients, "jiading"});
}

// ---------------------------------------------------------------- goldens

struct Golden {
  const char* name;
  const char* content_type;
};

void PrintTo(const Golden& g, std::ostream* os) { *os << g.name; }

class JiadingCapGoldenTest : public ::testing::TestWithParam<Golden> {};

// envelope -> encode -> the golden document -> decode -> the same envelope. With
// SIXLINK_UPDATE_GOLDEN=1 the golden documents are rewritten instead of compared.
TEST_P(JiadingCapGoldenTest, EncodesToGoldenAndDecodesBack) {
  const Golden& g = GetParam();
  Envelope e = load_envelope(g.name);
  ASSERT_FALSE(validate_envelope(e).has_value()) << validate_envelope(e)->to_json();
  JiadingCapAdapter adapter;
  NativeDocument doc = adapter.encode(e);
  EXPECT_EQ(doc.content_type, g.content_type);
  std::string golden_path = kData + g.name + ".xml";
  if (std::getenv("SIXLINK_UPDATE_GOLDEN"))
    std::ofstream(golden_path, std::ios::binary) << doc.bytes;
  EXPECT_EQ(doc.bytes, read_file(golden_path))
      << "encode(" << g.name << ") differs from the golden";
  auto back = adapter.decode({doc.content_type, doc.bytes, "", "someone-else"});
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
  EXPECT_FALSE(validate_envelope(back.value()).has_value());
  // The golden itself decodes to the envelope too (what a partner would send back).
  auto from_golden = adapter.decode({g.content_type, read_file(golden_path), "", "someone-else"});
  ASSERT_TRUE(from_golden.ok()) << from_golden.error().to_json();
  EXPECT_EQ(to_json_text(from_golden.value()), to_json_text(e));
  if (std::string(g.content_type) == "application/cap+xml") {
    EXPECT_EQ(xsd_errors(doc.bytes), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, JiadingCapGoldenTest,
                         ::testing::Values(Golden{"alert-full", "application/cap+xml"},
                                           Golden{"alert-kunshan", "application/cap+xml"},
                                           Golden{"alert-extension", "application/cap+xml"},
                                           Golden{"meeting-notice", "application/xml"},
                                           Golden{"meeting-minutes", "application/xml"},
                                           Golden{"bulletin", "application/xml"},
                                           Golden{"bulletin-json-edges", "application/xml"},
                                           Golden{"case-open", "application/xml"},
                                           Golden{"case-transfer", "application/xml"},
                                           Golden{"patrol-position", "application/xml"},
                                           Golden{"safety-indicator", "application/xml"}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(JiadingCapAdapterTest, NameIsTheAdapterId) {
  EXPECT_EQ(JiadingCapAdapter{}.name(), "jiading-cap");
}

TEST(JiadingCapAdapterTest, AlertCarriesEnvelopeInOneCodeAndNothingElseWhenCapHoldsTheBody) {
  std::string doc = JiadingCapAdapter{}.encode(load_envelope("alert-full")).bytes;
  EXPECT_NE(doc.find("<code>sixlink:envelope:{"), std::string::npos);
  EXPECT_EQ(doc.find("sixlink:body:"), std::string::npos) << "a CAP-shaped body needs no residue";
  // Body codes come first, the carrier after them, all before <note>.
  EXPECT_LT(doc.find("<code>layer:jiading:flood</code>"), doc.find("sixlink:envelope:"));
  EXPECT_LT(doc.find("sixlink:envelope:"), doc.find("<note>"));
}

TEST(JiadingCapAdapterTest, WhatCapCannotHoldTravelsInTheBodyCarrier) {
  Envelope e = load_envelope("alert-extension");
  std::string doc = JiadingCapAdapter{}.encode(e).bytes;
  // The CAP content is still there, in the forms CAP takes.
  EXPECT_NE(doc.find("<sent>2026-06-01T01:02:03+00:00</sent>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<expires>2026-05-31T12:00:00+00:00</expires>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<responseType>Avoid</responseType>"), std::string::npos);
  EXPECT_EQ(doc.find("GoHome</responseType>"), std::string::npos);
  EXPECT_EQ(doc.find("<code>sixlink:not-a-carrier</code>"), std::string::npos);
  // The exact members travel in sixlink:body.
  std::size_t at = doc.find("<code>sixlink:body:");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(doc.find("x_baoshan", at), std::string::npos);
  EXPECT_EQ(xsd_errors(doc), "");
}

// A repeated member in a carrier would be read as its last copy here and as its first by
// another reader of the same document: refused, as a repeated element is.
TEST(JiadingCapAdapterTest, ACarrierThatRepeatsAMemberIsRefused) {
  const std::string doc = JiadingCapAdapter{}.encode(load_envelope("alert-extension")).bytes;
  ASSERT_TRUE(decode(doc, "application/cap+xml").ok());
  struct Case {
    std::string carrier, member, repeated;
  };
  for (const Case& c : {Case{"sixlink:envelope:{", "\"source\":\"kunshan\",", "source"},
                        Case{"sixlink:body:{", "\"members\":{},", "members"}}) {
    std::string twice = doc;
    const std::size_t at = twice.find(c.carrier);
    ASSERT_NE(at, std::string::npos) << c.carrier;
    twice.insert(at + c.carrier.size(), c.member);
    auto r = decode(twice, "application/cap+xml");
    ASSERT_FALSE(r.ok()) << c.carrier;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_field");
    EXPECT_EQ(r.error().field, "body.code");
    EXPECT_NE(r.error().message.find("\"" + c.repeated + "\" appears more than once"),
              std::string::npos)
        << r.error().message;
  }
}

// ---------------------------------------------------------------- samples

class JiadingCapSampleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(JiadingCapSampleTest, DecodesReencodesValidAndRoundTrips) {
  std::string sample = read_file(kCap + "samples/" + GetParam());
  for (const char* type : {"application/cap+xml", "application/xml"}) {
    auto first = decode(sample, type);
    ASSERT_TRUE(first.ok()) << GetParam() << ": " << first.error().to_json();
    auto invalid = validate_envelope(first.value());
    EXPECT_FALSE(invalid.has_value()) << GetParam() << ": " << invalid->to_json();
    NativeDocument doc = JiadingCapAdapter{}.encode(first.value());
    EXPECT_EQ(doc.content_type, "application/cap+xml");
    EXPECT_EQ(xsd_errors(doc.bytes), "") << doc.bytes;
    EXPECT_EQ(doc.bytes.find("sixlink:body:"), std::string::npos)
        << "everything of a CAP sample has its place in CAP";
    auto second = decode(doc.bytes);
    ASSERT_TRUE(second.ok()) << second.error().to_json();
    EXPECT_EQ(to_json_text(second.value()), to_json_text(first.value()));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Samples, JiadingCapSampleTest,
    ::testing::Values("canada-naads.xml", "cap12-spec-a1-homeland-security.xml",
                      "cap12-spec-a2-thunderstorm.xml", "cap12-spec-a3-earthquake.xml",
                      "cap12-spec-a4-amber.xml", "thunderstorm-validator-example.xml"));

TEST(JiadingCapSampleTest, EverySampleFileIsCovered) {
  std::size_t valid = 0;
  for (const auto& f : fs::directory_iterator(kCap + "samples"))
    if (f.path().filename() != "invalid-not-cap.xml") ++valid;
  EXPECT_EQ(valid, 6u) << "a new sample appeared: add it to JiadingCapSampleTest";
}

TEST(JiadingCapSampleTest, InvalidNotCapIsAClear400) {
  auto r = decode(read_file(kCap + "samples/invalid-not-cap.xml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_field");
  EXPECT_EQ(r.error().field, "body.scope");
  EXPECT_NE(r.error().message.find("requires <scope>"), std::string::npos) << r.error().message;
}

// ---------------------------------------------------------------- mapping, field by field

TEST(JiadingCapMappingTest, PlainDocumentEnvelopeFields) {
  auto r = decode(read_file(kCap + "samples/cap12-spec-a3-earthquake.xml"), "application/cap+xml",
                  " taicang ,kunshan,, ");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const Envelope& e = r.value();
  EXPECT_EQ(e.id, "TRI13970876.2");
  EXPECT_EQ(e.source, "jiading");  // the authenticated member
  EXPECT_EQ(e.link, "info_sharing");
  EXPECT_EQ(e.kind, "alert");
  EXPECT_EQ(e.created_at, "2003-06-11T20:56:00-07:00");
  EXPECT_EQ(e.classification, "public");
  ASSERT_TRUE(e.recipients.has_value());
  EXPECT_EQ(*e.recipients, (std::vector<std::string>{"taicang", "kunshan"}));
  EXPECT_FALSE(e.case_id.has_value());
  EXPECT_FALSE(e.patrol_id.has_value());
  EXPECT_TRUE(e.region_codes.empty());  // SAME codes are not GB/T 2260
  const json::object& b = e.body;
  EXPECT_EQ(b.at("references"), "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00");
  const json::object& info = b.at("info").at(0).as_object();
  EXPECT_EQ(info.at("category"), json::array{"Geo"});
  EXPECT_EQ(info.at("parameter").as_array().size(), 5u);
  EXPECT_EQ(info.at("parameter").at(2),
            (json::object{{"valueName", "Magnitude"}, {"value", "3.4 Ml"}}));
  EXPECT_EQ(info.at("area").at(0).at("circle"), json::array{"32.9525,-115.5527 0"});
  EXPECT_FALSE(info.contains("language"));  // absent stays absent
  auto none = decode(read_file(kCap + "samples/cap12-spec-a3-earthquake.xml"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().recipients.has_value()) << "no header: routed by policy";
}

TEST(JiadingCapMappingTest, BilingualCanadianAlert) {
  auto r = decode(read_file(kCap + "samples/canada-naads.xml"));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  const json::object& b = r.value().body;
  EXPECT_EQ(r.value().created_at, "2012-05-02T23:21:04-00:00");
  EXPECT_EQ(b.at("code"),
            (json::array{"profile:CAP-CP:0.4", "layer:EC-MSC-SMC:1.0", "layer:SOREM:1.0"}));
  EXPECT_EQ(b.at("restriction"), "");  // <restriction/> is present and empty
  EXPECT_EQ(b.at("note"), "");
  const auto& info = b.at("info").as_array();
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].at("language"), "en-CA");
  EXPECT_EQ(info[1].at("language"), "fr-CA");
  EXPECT_EQ(info[1].at("headline"), "veille d'orages violents");
  EXPECT_EQ(info[0].at("responseType"), json::array{"AllClear"});
  EXPECT_EQ(info[0].at("eventCode").as_array().size(), 2u);
  EXPECT_EQ(info[1].at("area").at(0).at("geocode").as_array().size(), 10u);
  EXPECT_EQ(info[1].at("area").at(0).at("areaDesc"), "Windsor - Leamington - comté d'Essex");
}

TEST(JiadingCapMappingTest, ResourceSizeIsAnIntegerAltitudeAndCeilingAreNumbers) {
  Envelope e = load_envelope("alert-full");
  std::string doc = JiadingCapAdapter{}.encode(e).bytes;
  EXPECT_NE(doc.find("<size>204800</size>"), std::string::npos);
  EXPECT_NE(doc.find("<altitude>0</altitude>"), std::string::npos);
  EXPECT_NE(doc.find("<ceiling>1500.5</ceiling>"), std::string::npos);
  EXPECT_NE(doc.find("<altitude>-3.25</altitude>"), std::string::npos);
  auto r = decode(doc);
  ASSERT_TRUE(r.ok());
  const auto& area = r.value().body.at("info").at(0).at("area").as_array();
  EXPECT_TRUE(area[0].at("altitude").is_int64());
  EXPECT_TRUE(area[0].at("ceiling").is_double());
  EXPECT_TRUE(r.value().body.at("info").at(0).at("resource").at(0).at("size").is_int64());
}

std::string plain_alert(const std::string& identifier, const std::string& scope,
                        const std::string& geocodes) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>)" +
         identifier + R"(</identifier>
  <sender>yjj@jiading.gov.cn</sender>
  <sent>2026-11-26T09:30:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>)" +
         scope + R"(</scope>
  <info>
    <category>Met</category><event>暴雨</event>
    <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <area><areaDesc>嘉定区</areaDesc>)" +
         geocodes + R"(</area>
    <area><areaDesc>太仓市</areaDesc><geocode><valueName>GB/T 2260</valueName><value>320585</value></geocode></area>
  </info>
</alert>)";
}

TEST(JiadingCapMappingTest, RegionCodesComeFromGbT2260Geocodes) {
  auto r = decode(
      plain_alert("JD-1", "Public",
                  "<geocode><valueName>GB/T 2260</valueName><value>310114</value></geocode>"
                  "<geocode><valueName>SAME</valueName><value>006109</value></geocode>"
                  "<geocode><valueName>GB/T 2260</valueName><value>320585</value></geocode>"));
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().region_codes,
            (std::vector<std::string>{"310114", "320585"}));  // deduplicated
}

TEST(JiadingCapMappingTest, ScopeGivesClassification) {
  for (auto [scope, classification] :
       {std::pair{"Public", "public"}, std::pair{"Restricted", "restricted"},
        std::pair{"Private", "restricted"}}) {
    auto r = decode(plain_alert("JD-1", scope, ""));
    ASSERT_TRUE(r.ok()) << scope;
    EXPECT_EQ(r.value().classification, classification) << scope;
  }
}

TEST(JiadingCapMappingTest, IdentifierThatIsNotAMessageIdGetsADeterministicSafeId) {
  auto a = decode(plain_alert("urn:oid:2.49.0.1.156 预警/0001", "Public", ""));
  auto b = decode(plain_alert("urn:oid:2.49.0.1.156 预警/0001", "Public", ""));
  auto c = decode(plain_alert("urn:oid:2.49.0.1.156 预警/0002", "Public", ""));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.value().id, b.value().id);
  EXPECT_NE(a.value().id, c.value().id);
  EXPECT_TRUE(is_valid_message_id(a.value().id));
  EXPECT_EQ(a.value().id.rfind("cap-", 0), 0u);
  EXPECT_EQ(a.value().id.size(), 36u);
  EXPECT_EQ(a.value().body.at("identifier"),
            "urn:oid:2.49.0.1.156 预警/0001");  // the body keeps it
  EXPECT_FALSE(validate_envelope(a.value()).has_value());
  std::string long_id(129, 'a');
  auto d = decode(plain_alert(long_id, "Public", ""));
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d.value().id, long_id);
}

TEST(JiadingCapMappingTest, ACarrierFromAnotherSystemMayNameSomeFieldsOnly) {
  std::string doc = plain_alert("JD-7", "Private", "");
  doc.replace(
      doc.find("<scope>"), 0,
      "<code>sixlink:envelope:{\"recipients\":[\"kunshan\"],\"case_id\":\"jiading:77\"}</code>");
  auto r = decode(doc, "application/cap+xml", "taicang");
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().id, "JD-7");
  EXPECT_EQ(*r.value().recipients, std::vector<std::string>{"kunshan"});  // the document wins
  EXPECT_EQ(r.value().case_id, "jiading:77");
  EXPECT_EQ(r.value().classification, "restricted");
  EXPECT_FALSE(r.value().body.contains("code")) << "carriers never reach the body";
}

// ---------------------------------------------------------------- encodings

TEST(JiadingCapEncodingTest, Gb18030DocumentIsTranscoded) {
  std::string bytes = read_file(kData + "plain-gb18030.xml");
  ASSERT_EQ(bytes.find("暴雨"), std::string::npos) << "the file must really be GB18030";
  for (const char* type :
       {"application/cap+xml", "application/xml", "application/xml; charset=GB18030"}) {
    auto r = decode(bytes, type);
    ASSERT_TRUE(r.ok()) << type << ": " << r.error().to_json();
    const json::object& info = r.value().body.at("info").at(0).as_object();
    EXPECT_EQ(info.at("event"), "暴雨");
    EXPECT_EQ(info.at("headline"), "嘉定区暴雨橙色预警（𠀀 扩展B区字符）");
    EXPECT_EQ(r.value().region_codes, std::vector<std::string>{"310114"});
    NativeDocument out = JiadingCapAdapter{}.encode(r.value());
    EXPECT_NE(out.bytes.find("嘉定区暴雨橙色预警"), std::string::npos) << "output is UTF-8";
    EXPECT_NE(out.bytes.find("encoding=\"UTF-8\""), std::string::npos);
  }
  auto wrong = decode(bytes, "application/xml; charset=utf-8");  // the header overrides, and lies
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().status, 400);
}

TEST(JiadingCapEncodingTest, Latin1DocumentIsTranscoded) {
  std::string bytes = read_file(kData + "plain-latin1.xml");
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().body.at("info").at(0).at("headline"), "Alerte météo: orages à Montréal");
}

TEST(JiadingCapEncodingTest, InvalidBytesInTheDeclaredEncodingAre400) {
  std::string bytes = read_file(kData + "plain-gb18030.xml");
  bytes.replace(bytes.find("<event>") + 7, 0, "\x81\x20");  // a GB18030 lead byte with a bad trail
  auto r = decode(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_xml");
}

}  // namespace
}  // namespace sixlink
