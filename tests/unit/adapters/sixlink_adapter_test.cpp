// Tests of the canonical adapter (adapters/sixlink), the media-type parser it relies on
// (adapters/media_type) and the adapter registry (adapters/registry.cpp).
#include "adapters/sixlink/sixlink_adapter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "adapters/adapter.h"
#include "adapters/media_type.h"
#include "tests/unit/core/envelope_samples.h"

namespace sixlink {
namespace {

// ---------------------------------------------------------------- media type

struct MediaCase {
  const char* header;
  const char* type;
  const char* charset;
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const MediaCase& c, std::ostream* os) { *os << c.header; }

class MediaTypeTest : public ::testing::TestWithParam<MediaCase> {};

TEST_P(MediaTypeTest, Parses) {
  MediaType mt = parse_media_type(GetParam().header);
  EXPECT_EQ(mt.type, GetParam().type) << GetParam().header;
  EXPECT_EQ(mt.charset, GetParam().charset) << GetParam().header;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MediaTypeTest,
    ::testing::Values(
        MediaCase{"application/json", "application/json", ""},
        MediaCase{"Application/JSON", "application/json", ""},
        MediaCase{"application/json; charset=utf-8", "application/json", "utf-8"},
        MediaCase{"Application/JSON; charset=\"UTF-8\"", "application/json", "utf-8"},
        MediaCase{"application/xml; charset=GBK", "application/xml", "gbk"},
        MediaCase{"application/cap+xml", "application/cap+xml", ""},
        MediaCase{"  application/json  ;  charset = UTF-8  ", "application/json", "utf-8"},
        MediaCase{"application/json;charset=utf-8", "application/json", "utf-8"},
        MediaCase{"application/json; CHARSET=Utf-8", "application/json", "utf-8"},
        MediaCase{"application/json; boundary=x", "application/json", ""},
        MediaCase{"application/json; boundary=x; charset=gb2312", "application/json", "gb2312"},
        MediaCase{"application/json; flag; charset=utf-8", "application/json", "utf-8"},
        MediaCase{"application/json;", "application/json", ""},
        MediaCase{"text/xml; charset=\"\"", "text/xml", ""}, MediaCase{"", "", ""}));

// ---------------------------------------------------------------- sixlink adapter

struct DecodeCase {
  const char* content_type;
  int status;  // 0 = decodes
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const DecodeCase& c, std::ostream* os) { *os << c.content_type; }

class SixlinkAdapterMediaTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(SixlinkAdapterMediaTest, AcceptsOnlyUtf8Json) {
  SixlinkAdapter adapter;
  std::string body = to_json_text(test::alert_envelope());
  auto r = adapter.decode({GetParam().content_type, body, "", ""});
  if (GetParam().status == 0) {
    ASSERT_TRUE(r.ok()) << GetParam().content_type << ": " << r.error().to_json();
    EXPECT_TRUE(test::same_envelope(r.value(), test::alert_envelope()));
  } else {
    ASSERT_FALSE(r.ok()) << GetParam().content_type;
    EXPECT_EQ(r.error().status, GetParam().status);
    EXPECT_EQ(r.error().code, "unsupported_media_type");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SixlinkAdapterMediaTest,
    ::testing::Values(
        DecodeCase{"application/json", 0}, DecodeCase{"application/json; charset=UTF-8", 0},
        DecodeCase{"application/json; charset=utf-8", 0},
        DecodeCase{"Application/Json; charset=\"utf-8\"", 0}, DecodeCase{"application/xml", 415},
        DecodeCase{"application/cap+xml", 415}, DecodeCase{"application/xml; charset=GBK", 415},
        DecodeCase{"application/json; charset=gbk", 415},
        DecodeCase{"application/json; charset=GB18030", 415}, DecodeCase{"text/json", 415},
        DecodeCase{"text/plain", 415}, DecodeCase{"application/jsonx", 415}, DecodeCase{"", 415}));

TEST(SixlinkAdapterTest, MalformedBodyIs400) {
  SixlinkAdapter adapter;
  for (std::string body : {std::string("{"), std::string("<alert/>"), std::string("[]"),
                           std::string("{\"id\":\"\xB4\xAB\xB2\xD6\"}")}) {
    auto r = adapter.decode({"application/json", body, "", ""});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_json");
  }
  auto r = adapter.decode({"application/json", "{\"id\":\"a\",\"extra\":1}", "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "extra");
}

TEST(SixlinkAdapterTest, EncodeDecodeRoundTrip) {
  SixlinkAdapter adapter;
  for (const Envelope& e :
       {test::alert_envelope(), test::case_envelope("case.transfer"), test::patrol_envelope()}) {
    NativeDocument doc = adapter.encode(e);
    EXPECT_EQ(doc.content_type, "application/json");
    EXPECT_EQ(doc.bytes, to_json_text(e));
    auto back = adapter.decode({doc.content_type, doc.bytes, "", ""});
    ASSERT_TRUE(back.ok()) << back.error().to_json();
    EXPECT_TRUE(test::same_envelope(back.value(), e)) << doc.bytes;
    EXPECT_FALSE(validate_envelope(back.value()).has_value());
    EXPECT_EQ(adapter.encode(back.value()).bytes, doc.bytes);
  }
}

// The relay hands adapters the stored canonical text: the canonical adapter passes it
// through, every other adapter gives what encode() gives for the parsed envelope.
TEST(SixlinkAdapterTest, EncodeStoredEqualsEncodeOfTheParsedEnvelope) {
  for (const std::string& name : adapter_names()) {
    const Adapter* adapter = find_adapter(name);
    ASSERT_NE(adapter, nullptr) << name;
    for (const Envelope& e :
         {test::alert_envelope(), test::case_envelope("case.transfer"), test::patrol_envelope()}) {
      const std::string stored = to_json_text(e);
      std::optional<NativeDocument> doc = adapter->encode_stored(stored);
      ASSERT_TRUE(doc.has_value()) << name;
      NativeDocument expected = adapter->encode(parse_envelope(stored).value());
      EXPECT_EQ(doc->content_type, expected.content_type) << name;
      EXPECT_EQ(doc->bytes, expected.bytes) << name;
    }
    if (name != "sixlink") {
      EXPECT_FALSE(adapter->encode_stored("{not json").has_value()) << name;
    }
  }
}

TEST(SixlinkAdapterTest, DecodedEnvelopeIsNotYetValidated) {
  // decode checks syntax only; the rules on values are the caller's (validate_envelope).
  Envelope e = test::alert_envelope();
  e.classification = "secret";
  SixlinkAdapter adapter;
  auto r = adapter.decode({"application/json", to_json_text(e), "", ""});
  ASSERT_TRUE(r.ok());
  auto err = validate_envelope(r.value());
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->field, "classification");
}

// ---------------------------------------------------------------- registry

TEST(SixlinkAdapterTest, RegistryFindsSixlink) {
  const Adapter* a = find_adapter("sixlink");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name(), "sixlink");
  EXPECT_EQ(find_adapter("sixlink"), a);  // one stateless instance
  EXPECT_NE(dynamic_cast<const SixlinkAdapter*>(a), nullptr);
  for (const char* unknown : {"", "Sixlink", "sixlink ", "cap", "no-such-adapter"})
    EXPECT_EQ(find_adapter(unknown), nullptr) << unknown;
}

TEST(SixlinkAdapterTest, AdapterNamesListEveryRegisteredAdapterOnce) {
  std::vector<std::string> names = adapter_names();
  EXPECT_EQ(std::count(names.begin(), names.end(), "sixlink"), 1);
  for (const auto& n : names) {
    const Adapter* a = find_adapter(n);
    ASSERT_NE(a, nullptr) << n;
    EXPECT_EQ(a->name(), n);
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

}  // namespace
}  // namespace sixlink
