// Messages cross between partners in each partner's own format (DESIGN §6), through the
// running gateway over mutual TLS: the sender posts its native document, the receiving
// test server (push) or inbox (pull) gets the recipient's native document, and the test
// decodes it with the recipient's adapter and checks the content field by field.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "adapters/adapter.h"
#include "gateway/core/text.h"
#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

FederationOptions partner_formats() {
  FederationOptions o;
  o.adapters = {{"baoshan", "baoshan-json"}, {"jiading", "jiading-cap"}, {"kunshan", "kunshan-gb"}};
  return o;
}

Envelope alert_from(const std::string& source, const std::string& id, std::vector<std::string> to) {
  auto e = parse_envelope(alert_json(id, source, to, "Extreme"));
  EXPECT_TRUE(e.ok());
  return e.value();
}

Envelope case_from(const std::string& source, const std::string& id, std::vector<std::string> to) {
  auto e = parse_envelope(case_json(id, source, source + ":2026-1126-01", to));
  EXPECT_TRUE(e.ok());
  return e.value();
}

class CrossPartnerTest : public ::testing::Test {
 protected:
  void SetUp() override { fed.start_gateway(); }

  // Posts `e` as its source would: in the source's native format.
  HttpResult post_native(const Envelope& e) {
    const Adapter* a = find_adapter(fed.options.adapters.count(e.source) ? fed.options.adapters.at(e.source) : "sixlink");
    NativeDocument doc = a->encode(e);
    std::map<std::string, std::string> headers;
    if (e.recipients) {
      std::string list;
      for (const auto& r : *e.recipients) list += (list.empty() ? "" : ",") + r;
      headers["Sixlink-Recipients"] = list;
    }
    return fed.client(e.source)->request("POST", "/v1/messages", doc.bytes, doc.content_type, headers);
  }

  // Decodes what a recipient got with its own adapter, as the recipient's system would.
  Envelope decode_as(const std::string& recipient, const std::string& content_type, const std::string& bytes,
                     const std::string& source) {
    const Adapter* a = find_adapter(fed.options.adapters.count(recipient) ? fed.options.adapters.at(recipient) : "sixlink");
    Result<Envelope> r = a->decode({content_type, bytes, "", source});
    EXPECT_TRUE(r.ok()) << recipient << ": " << (r.ok() ? "" : r.error().to_json()) << "\n" << bytes;
    return r.ok() ? r.value() : Envelope{};
  }

  // The one inbox message of a pull member, decoded.
  Envelope pulled(const std::string& member, const std::string& source) {
    HttpResult page = fed.client(member)->request("GET", "/v1/inbox");
    EXPECT_EQ(page.status, 200);
    auto v = json::parse(page.body);
    auto& msgs = v.at("messages").as_array();
    EXPECT_EQ(msgs.size(), 1u) << page.body;
    if (msgs.empty()) return {};
    auto& m = msgs[0].as_object();
    std::string body(m.at("body").as_string());
    if (m.at("body_encoding").as_string() == "base64") body = base64_decode(body).value_or("");
    return decode_as(member, std::string(m.at("content_type").as_string()), body, source);
  }

  Envelope pushed(PartnerServer& rx, const std::string& member, const std::string& source) {
    EXPECT_TRUE(rx.wait_for_unique(1, 10s));
    auto got = rx.received();
    if (got.empty()) return {};
    return decode_as(member, got[0].content_type, got[0].body, source);
  }

  static void expect_same(const Envelope& got, const Envelope& sent) {
    EXPECT_EQ(got.id, sent.id);
    EXPECT_EQ(got.source, sent.source);
    EXPECT_EQ(got.link, sent.link);
    EXPECT_EQ(got.kind, sent.kind);
    EXPECT_EQ(got.created_at, sent.created_at);
    EXPECT_EQ(got.classification, sent.classification);
    EXPECT_EQ(got.case_id, sent.case_id);
    EXPECT_EQ(got.region_codes, sent.region_codes);
    for (const auto& [k, v] : sent.body) EXPECT_EQ(got.body.if_contains(k) ? *got.body.if_contains(k) : json::value(), v) << "body." << k;
    EXPECT_EQ(to_json_text(got), to_json_text(sent));
  }

  Federation fed{partner_formats()};
};

TEST_F(CrossPartnerTest, JiadingCapAlertReachesKunshanAsGbkAndBaoshanAsItsJson) {
  Envelope sent = alert_from("jiading", "JD-CAP-1", {"kunshan", "baoshan"});
  HttpResult r = post_native(sent);
  ASSERT_EQ(r.status, 202) << r.body;
  Envelope at_baoshan = pushed(*fed.baoshan_rx, "baoshan", "jiading");
  expect_same(at_baoshan, sent);
  EXPECT_NE(fed.baoshan_rx->received().at(0).body.find("\"levelCode\""), std::string::npos) << "Baoshan's own JSON";

  HttpResult page = fed.client("kunshan")->request("GET", "/v1/inbox");
  auto m = json::parse(page.body).at("messages").as_array().at(0);
  EXPECT_EQ(m.at("body_encoding").as_string(), "base64") << "GBK is not UTF-8";
  std::string gbk = base64_decode(std::string(m.at("body").as_string())).value_or("");
  EXPECT_NE(gbk.find("encoding=\"GBK\""), std::string::npos);
  EXPECT_FALSE(is_valid_utf8(gbk)) << "Chinese text travels as GBK bytes";
  expect_same(pulled("kunshan", "jiading"), sent);
}

TEST_F(CrossPartnerTest, BaoshanCaseReachesJiading) {
  Envelope sent = case_from("baoshan", "BS-CASE-1", {"jiading"});
  HttpResult r = post_native(sent);
  ASSERT_EQ(r.status, 202) << r.body;
  Envelope got = pushed(*fed.jiading_rx, "jiading", "baoshan");
  expect_same(got, sent);
  EXPECT_EQ(got.body.at("parties").as_array()[0].at("name").as_string(), "张三");
  EXPECT_EQ(got.body.at("location").at("lat").to_number<double>(), 31.41);
}

TEST_F(CrossPartnerTest, KunshanAlertReachesTaicangAsACanonicalEnvelope) {
  Envelope sent = alert_from("kunshan", "KS-GB-1", {"taicang"});
  HttpResult r = post_native(sent);
  ASSERT_EQ(r.status, 202) << r.body;
  HttpResult page = fed.client("taicang")->request("GET", "/v1/inbox");
  auto m = json::parse(page.body).at("messages").as_array().at(0);
  EXPECT_EQ(m.at("content_type").as_string(), "application/json");
  auto e = parse_envelope(std::string(m.at("body").as_string()));
  ASSERT_TRUE(e.ok());
  expect_same(e.value(), sent);
  EXPECT_EQ(e.value().body.at("info").as_array()[0].at("severity").as_string(), "Extreme");
}

TEST_F(CrossPartnerTest, ANativeDocumentNamingAnotherSourceIsRefused) {
  Envelope spoof = case_from("kunshan", "KS-SPOOF", {"taicang"});
  NativeDocument doc = find_adapter("baoshan-json")->encode(spoof);  // Baoshan's format, Kunshan's unit
  HttpResult r = fed.client("baoshan")->request("POST", "/v1/messages", doc.bytes, doc.content_type);
  EXPECT_EQ(r.status, 403) << r.body;
}

// Sixlink-Recipients sent on two lines is one list (RFC 9110 §5.3): the second line once
// went unread, and the recipient it named silently got nothing.
TEST_F(CrossPartnerTest, ARecipientsHeaderOnSeveralLinesIsOneList) {
  // A plain CAP alert, as Jiading's own systems send it: without the envelope carrier, so
  // its recipients come from the header.
  NativeDocument doc = find_adapter("jiading-cap")->encode(alert_from("jiading", "JD-TWO-LINES", {}));
  const auto carrier = doc.bytes.find("<code>sixlink:envelope:");
  ASSERT_NE(carrier, std::string::npos) << doc.bytes;
  doc.bytes.erase(carrier, doc.bytes.find("</code>", carrier) + 7 - carrier);
  const std::string request = "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                              "Content-Type: " + doc.content_type + "\r\nContent-Length: " +
                              std::to_string(doc.bytes.size()) +
                              "\r\nSixlink-Recipients: kunshan\r\nSixlink-Recipients: baoshan\r\n\r\n" +
                              doc.bytes;
  const std::string answer = fed.client("jiading")->raw_exchange(request, 5s);
  ASSERT_NE(answer.find("HTTP/1.1 202"), std::string::npos) << answer;
  const json::value accepted = json::parse(answer.substr(answer.find("\r\n\r\n") + 4));
  std::vector<std::string> to;
  for (const auto& d : accepted.at("deliveries").as_array()) to.emplace_back(d.at("to").as_string());
  EXPECT_EQ(to, (std::vector<std::string>{"kunshan", "baoshan"})) << answer;
}

// A body may nest as deep as the canonical envelope allows, whatever format carries it:
// deeper was once answered 202 by the XML adapters, then could never be delivered,
// because every delivery reads the stored envelope back with parse_envelope's limit.
TEST_F(CrossPartnerTest, ABodyNestedDeeperThanTheEnvelopeAllowsIsRefusedInEveryFormat) {
  auto bulletin = [](const std::string& source, const std::string& id, int levels) {
    json::value nested = json::object{};
    for (int i = 1; i < levels; ++i) nested = json::array{nested};
    Envelope e = alert_from(source, id, {"taicang"});
    e.kind = "bulletin";
    e.body = json::object{{"title", "通报"}, {"data", nested}};
    return e;
  };
  const int deepest = kMaxEnvelopeDepth - 2;  // the envelope and its body are two levels
  for (const std::string source : {"jiading", "kunshan", "baoshan"}) {
    Envelope deep = bulletin(source, source + "-DEEP", deepest + 1);
    HttpResult r = post_native(deep);
    EXPECT_EQ(r.status, 400) << source << ": " << r.body;
    EXPECT_EQ(fed.client(source)->request("GET", "/v1/messages/" + deep.id).status, 404) << "nothing stored";
    Envelope fits = bulletin(source, source + "-FITS", deepest);
    r = post_native(fits);
    EXPECT_EQ(r.status, 202) << source << ": " << r.body;
  }
  HttpResult page = fed.client("taicang")->request("GET", "/v1/inbox");
  const auto messages = json::parse(page.body).at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u) << page.body;
  for (const auto& m : messages) {
    auto e = parse_envelope(std::string(m.at("body").as_string()));
    ASSERT_TRUE(e.ok()) << m;
    EXPECT_EQ(e.value().id, e.value().source + "-FITS");
    EXPECT_EQ(to_json_text(e.value()), to_json_text(bulletin(e.value().source, e.value().id, deepest)));
  }
}

}  // namespace
}  // namespace sixlink::testing
