// Error paths of the jiading-cap adapter: 415 for media types it does not take, 400 for
// malformed documents and bad values (naming the field), and hardened parsing: DOCTYPE,
// entities, external references and XInclude refused with nothing fetched; depth, size and
// element-count limits.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/jiading-cap/jiading_cap_adapter.h"

namespace sixlink {
namespace {

namespace fs = std::filesystem;

Result<Envelope> decode(const std::string& bytes, const std::string& type = "application/xml") {
  return JiadingCapAdapter{}.decode({type, bytes, "", "jiading"});
}

void expect_error(const Result<Envelope>& r, int status, const std::string& code,
                  const std::string& field = "", const std::string& in_message = "") {
  ASSERT_FALSE(r.ok()) << "decoded, but should not have";
  EXPECT_EQ(r.error().status, status) << r.error().to_json();
  EXPECT_EQ(r.error().code, code) << r.error().to_json();
  EXPECT_EQ(r.error().field, field) << r.error().to_json();
  if (!in_message.empty()) {
    EXPECT_NE(r.error().message.find(in_message), std::string::npos) << r.error().message;
  }
}

// A valid CAP alert with `extra` inserted before </alert> and `info_extra` before </info>.
std::string alert(const std::string& extra = "", const std::string& info_extra = "",
                  const std::string& scope = "<scope>Public</scope>") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>JD-ERR-1</identifier>
  <sender>yjj@jiading.gov.cn</sender>
  <sent>2026-11-26T09:30:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  )" + scope +
         R"(
  <info>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    )" + info_extra +
         R"(
    <area><areaDesc>嘉定区</areaDesc></area>
  </info>)" +
         extra + R"(
</alert>)";
}

// A valid Jiading message with `body` as the body's content.
std::string message(const std::string& body, const std::string& head = "<id>JD-1</id>") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="urn:sixlink:jiading:1">
  )" + head +
         R"(
  <link>info_sharing</link>
  <kind>bulletin</kind>
  <created_at>2026-05-01T08:00:00+08:00</created_at>
  <body>)" +
         body + R"(</body>
</message>)";
}

TEST(JiadingCapErrorsTest, TheBaseDocumentsDecode) {
  ASSERT_TRUE(decode(alert()).ok());
  ASSERT_TRUE(decode(message("<title>t</title>")).ok());
}

// ---------------------------------------------------------------- media types

TEST(JiadingCapErrorsTest, MediaTypesOtherThanXmlAre415) {
  for (const char* type : {"application/json", "text/plain", "text/xml", "application/xml+cap",
                           "application/atom+xml", ""}) {
    auto r = decode(alert(), type);
    expect_error(r, 415, "unsupported_media_type");
  }
  for (const char* type : {"application/cap+xml", "Application/CAP+XML; charset=UTF-8",
                           "application/xml", "application/xml; charset=utf-8"})
    EXPECT_TRUE(decode(alert(), type).ok()) << type;
}

TEST(JiadingCapErrorsTest, CapMediaTypeTakesOnlyCapAlerts) {
  expect_error(decode(message("<title>t</title>"), "application/cap+xml"), 400, "invalid_xml", "",
               "application/xml");
}

// ---------------------------------------------------------------- malformed documents

TEST(JiadingCapErrorsTest, MalformedXmlIs400) {
  for (std::string bad :
       {std::string(""), std::string("not xml"), std::string("<alert>"), alert().substr(0, 200),
        std::string("<a></b>"), std::string("\xff\xfe<a/>")})
    expect_error(decode(bad), 400, "invalid_xml");
}

TEST(JiadingCapErrorsTest, WrongRootOrNamespaceIs400) {
  std::string cap11 = alert();
  cap11.replace(cap11.find("cap:1.2"), 7, "cap:1.1");
  expect_error(decode(cap11), 400, "invalid_xml", "", "urn:oasis:names:tc:emergency:cap:1.1");
  std::string no_ns = alert();
  std::size_t at = no_ns.find(" xmlns=");
  no_ns.erase(at, no_ns.find('"', at + 8) + 1 - at);
  expect_error(decode(no_ns), 400, "invalid_xml", "", "root element");
  expect_error(decode("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"), 400, "invalid_xml", "",
               "<feed>");
}

TEST(JiadingCapErrorsTest, PrefixedCapDocumentDecodes) {
  std::string doc = R"(<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
    <cap:identifier>P-1</cap:identifier><cap:sender>s</cap:sender>
    <cap:sent>2026-11-26T09:30:00+08:00</cap:sent><cap:status>Actual</cap:status>
    <cap:msgType>Alert</cap:msgType><cap:scope>Public</cap:scope></cap:alert>)";
  auto r = decode(doc);
  ASSERT_TRUE(r.ok()) << r.error().to_json();
  EXPECT_EQ(r.value().id, "P-1");
  // An unprefixed child is not in the CAP namespace here.
  std::string mixed = doc;
  mixed.replace(mixed.find("<cap:sender>s</cap:sender>"), 26, "<sender>s</sender>");
  expect_error(decode(mixed), 400, "invalid_xml", "", "<sender>");
}

// ---------------------------------------------------------------- CAP values

TEST(JiadingCapErrorsTest, MissingRequiredElementNamesTheField) {
  expect_error(decode(alert("", "", "")), 400, "invalid_field", "body.scope", "requires <scope>");
  std::string no_event = alert();
  no_event.replace(no_event.find("<event>暴雨</event>"), std::string("<event>暴雨</event>").size(),
                   "");
  expect_error(decode(no_event), 400, "invalid_field", "body.info[0].event");
  expect_error(decode(alert("", "<resource><resourceDesc>map</resourceDesc></resource>")), 400,
               "invalid_field", "body.info[0].resource[0].mimeType");
  expect_error(decode(alert("", "<parameter><valueName>x</valueName></parameter>")), 400,
               "invalid_field", "body.info[0].parameter[0].value");
}

TEST(JiadingCapErrorsTest, ValueOutsideAnEnumerationNamesTheField) {
  std::string bad = alert();
  bad.replace(bad.find("<urgency>Expected"), 17, "<urgency>Soon");
  expect_error(decode(bad), 400, "invalid_field", "body.info[0].urgency", "Immediate");
  expect_error(decode(alert("", "<responseType>Run</responseType>")), 400, "invalid_field",
               "body.info[0].responseType[0]");
  expect_error(decode(alert("", "", "<scope>public</scope>")), 400, "invalid_field", "body.scope");
}

TEST(JiadingCapErrorsTest, NumbersThatAreNotNumbersNameTheField) {
  std::string res = "<resource><resourceDesc>d</resourceDesc><mimeType>m</mimeType><size>";
  expect_error(decode(alert("", res + "12kB</size></resource>")), 400, "invalid_field",
               "body.info[0].resource[0].size", "integer");
  expect_error(decode(alert("", res + "1.5</size></resource>")), 400, "invalid_field",
               "body.info[0].resource[0].size");
  expect_error(decode(alert("", res + "99999999999999999999999</size></resource>")), 400,
               "invalid_field", "body.info[0].resource[0].size");
  EXPECT_TRUE(decode(alert("", res + " +12 </size></resource>")).ok());
  for (const char* bad : {"1e3", "high", "", "1.2.3", "--1", "."}) {
    std::string doc = alert();
    doc.replace(doc.find("</areaDesc>") + 11, 0, std::string("<altitude>") + bad + "</altitude>");
    expect_error(decode(doc), 400, "invalid_field", "body.info[0].area[0].altitude");
  }
}

TEST(JiadingCapErrorsTest, StructureErrors) {
  expect_error(decode(alert("<note>a</note><note>b</note>")), 400, "invalid_field", "body.note",
               "more than once");
  expect_error(decode(alert("<colour>red</colour>")), 400, "invalid_xml", "", "<colour>");
  expect_error(decode(alert("", "<area><areaDesc>x</areaDesc><radius>3</radius></area>")), 400,
               "invalid_xml", "", "<radius>");
  expect_error(decode(alert(R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>)")),
               400, "invalid_xml", "", "Signature");
  expect_error(decode(alert("", "<headline>a<b>bold</b></headline>")), 400, "invalid_field",
               "body.info[0].headline");
  std::string text_in_info = alert();
  text_in_info.replace(text_in_info.find("<category>"), 0, "stray text");
  expect_error(decode(text_in_info), 400, "invalid_xml", "", "<info>");
}

TEST(JiadingCapErrorsTest, BadGbT2260GeocodeNamesTheField) {
  std::string doc = alert();
  doc.replace(doc.find("</areaDesc>") + 11, 0,
              "<geocode><valueName>GB/T 2260</valueName><value>31011</value></geocode>");
  expect_error(decode(doc), 400, "invalid_field", "body.info[0].area[0].geocode[0].value",
               "six digits");
}

TEST(JiadingCapErrorsTest, SentWithoutOffsetNamesTheField) {
  std::string doc = alert();
  doc.replace(doc.find("+08:00</sent>"), 6, "");
  expect_error(decode(doc), 400, "invalid_field", "body.sent", "offset");
}

TEST(JiadingCapErrorsTest, BadCarriersAre400) {
  for (const char* code : {"sixlink:envelope:{", "sixlink:envelope:[1]", "sixlink:body:\"x\"",
                           "sixlink:envelope:{\"id\":7}", "sixlink:envelope:{\"colour\":\"red\"}",
                           "sixlink:envelope:{\"recipients\":[1]}", "sixlink:body:{\"members\":[]}",
                           "sixlink:body:{\"absent\":[1]}", "sixlink:body:{\"extra\":{}}"}) {
    std::string doc = alert();
    doc.replace(doc.find("<scope>"), 0, std::string("<code>") + code + "</code>");
    expect_error(decode(doc), 400, "invalid_field", "body.code");
  }
  std::string twice = alert();
  twice.replace(twice.find("<scope>"), 0,
                "<code>sixlink:envelope:{}</code><code>sixlink:envelope:{}</code>");
  expect_error(decode(twice), 400, "invalid_field", "body.code", "more than once");
}

// ---------------------------------------------------------------- Jiading message values

TEST(JiadingCapErrorsTest, MessageErrorsNameTheField) {
  expect_error(decode(message("", "")), 400, "invalid_field", "id", "requires <id>");
  expect_error(decode(message("", "<id>a</id><id>b</id>")), 400, "invalid_field", "id",
               "more than once");
  expect_error(decode(message("", "<id>a</id><colour>red</colour>")), 400, "invalid_xml", "",
               "<colour>");
  expect_error(decode(message("<n type=\"int\">1</n>")), 400, "invalid_field", "body.n",
               "unknown type");
  expect_error(decode(message("<n type=\"number\">one</n>")), 400, "invalid_field", "body.n");
  expect_error(decode(message("<n type=\"number\">[1]</n>")), 400, "invalid_field", "body.n");
  expect_error(decode(message("<n type=\"number\">1e999</n>")), 400, "invalid_field", "body.n");
  expect_error(decode(message("<b type=\"boolean\">yes</b>")), 400, "invalid_field", "body.b");
  expect_error(decode(message("<z type=\"null\">x</z>")), 400, "invalid_field", "body.z");
  expect_error(decode(message("<s encoding=\"json\">not json</s>")), 400, "invalid_field",
               "body.s");
  expect_error(decode(message("<s>a</s><s>b</s>")), 400, "invalid_field", "body.s",
               "more than once");
  expect_error(decode(message("<o type=\"object\">text</o>")), 400, "invalid_field", "body.o");
  expect_error(decode(message("<a type=\"array\"><it>1</it></a>")), 400, "invalid_xml", "",
               "<item>");
  expect_error(
      decode(message(
          "<o type=\"object\"><p>1</p><q type=\"array\"><item type=\"number\">x</item></q></o>")),
      400, "invalid_field", "body.o.q[0]");
  expect_error(decode(message("<entry key=\"&quot;\" key-encoding=\"json\">x</entry>")), 400,
               "invalid_field", "body");
  expect_error(decode(message("<s>a<i>b</i></s>")), 400, "invalid_field", "body.s");
  expect_error(decode(message("", "<id>a</id><recipients><member>x</member></recipients>")), 400,
               "invalid_xml", "", "<recipient>");
}

// ---------------------------------------------------------------- hardened parsing

TEST(JiadingCapHardeningTest, DoctypeAndEntitiesAreRefused) {
  std::string internal = "<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY x \"boom\">]>" +
                         alert().substr(alert().find("<alert"));
  expect_error(decode(internal), 400, "invalid_xml", "", "DOCTYPE");
  std::string billion = "<!DOCTYPE a [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><a>&b;</a>";
  expect_error(decode(billion), 400, "invalid_xml");
  std::string undeclared = alert("", "<headline>&nbsp;</headline>");
  expect_error(decode(undeclared), 400, "invalid_xml", "", "&nbsp;");
  std::string pi = alert();
  pi.replace(pi.find("<alert"), 0, "<?xml-stylesheet href=\"x.xsl\"?>");
  expect_error(decode(pi), 400, "invalid_xml", "", "processing instruction");
}

// An attribute named twice is not well-formed XML (pugixml keeps both, and a reader could
// take either): refused, on the root as on any element below it.
TEST(JiadingCapHardeningTest, AnAttributeNamedTwiceIsRefused) {
  std::string root = alert();
  root.replace(root.find("<alert") + 6, 0, " a=\"1\" a=\"2\"");
  expect_error(decode(root), 400, "invalid_xml", "", "attribute a appears twice");
  expect_error(decode(message("<o type=\"object\" type=\"array\"><p>1</p></o>")), 400, "invalid_xml", "",
               "attribute type appears twice");
  std::string distinct = alert();
  distinct.replace(distinct.find("<alert") + 6, 0, " xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"");
  EXPECT_TRUE(decode(distinct).ok()) << "different names are fine";
}

// An external entity and an XInclude pointing at a local file and at a loopback listener:
// refused with 400, the file's content appears nowhere, and nobody connects to the listener.
TEST(JiadingCapHardeningTest, ExternalReferencesAreRefusedAndNothingIsFetched) {
  fs::path secret =
      fs::temp_directory_path() / ("jiading-cap-secret-" + std::to_string(::getpid()));
  const std::string canary = "CANARY-7f3e9b1c-NOT-TO-BE-READ";
  std::ofstream(secret) << canary;

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";

  std::string body = alert().substr(alert().find("<alert"));
  std::vector<std::string> attacks = {
      "<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file://" + secret.string() + "\">]>" + body,
      "<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"" + url + "\">]>" + body,
      "<!DOCTYPE alert SYSTEM \"" + url + "\">" + body,
      "<!DOCTYPE alert [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]>" + body,
      alert("", "<headline>&xxe;</headline>"),
      alert(R"(<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://)" +
            secret.string() + R"(" parse="text"/>)"),
      alert(R"(<include xmlns="http://www.w3.org/2001/XInclude" href=")" + url + R"("/>)"),
      message(R"(<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href=")" + url + R"("/>)"),
  };
  for (const auto& doc : attacks) {
    for (const char* type : {"application/xml", "application/cap+xml"}) {
      auto r = decode(doc, type);
      ASSERT_FALSE(r.ok()) << doc;
      EXPECT_EQ(r.error().status, 400) << doc;
      EXPECT_EQ(r.error().message.find(canary), std::string::npos);
    }
  }
  pollfd p{listener, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 200), 0) << "something connected to " << url;
  ::close(listener);
  fs::remove(secret);
}

TEST(JiadingCapHardeningTest, DepthSizeAndElementLimitsHold) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<o type=\"object\">";
  for (int i = 0; i < 40; ++i) deep += "</o>";
  expect_error(decode(message(deep)), 400, "invalid_xml", "", "deeper");
  std::string big(1 << 20, 'x');
  expect_error(decode(alert("", "<description>" + big + "</description>")), 400, "invalid_xml", "",
               "larger");
  std::string many;
  for (int i = 0; i < 20001; ++i) many += "<code>c</code>";
  expect_error(decode(alert(many)), 400, "invalid_xml", "", "elements");
  // Just inside the depth limit: a body 30 objects deep decodes.
  std::string ok;
  for (int i = 0; i < 30; ++i) ok += "<o type=\"object\">";
  for (int i = 0; i < 30; ++i) ok += "</o>";
  EXPECT_TRUE(decode(message(ok)).ok());
}

}  // namespace
}  // namespace sixlink
