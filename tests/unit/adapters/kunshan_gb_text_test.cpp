// Text through the kunshan-gb adapter: Chinese GBK <-> UTF-8 exactly, characters outside
// GBK as character references, invalid GBK as 400 (never mojibake), the charsets and media
// types it takes, and strings XML cannot carry literally (CR, white space only, control
// characters, odd member names).
#include <gtest/gtest.h>

#include <ostream>

#include "adapters/kunshan-gb/gbk.h"
#include "adapters/xml/safe_xml.h"
#include "tests/unit/adapters/kunshan_gb_samples.h"

namespace sixlink {
namespace {

namespace ks = test::kunshan;
namespace json = boost::json;

Envelope with_headline(const std::string& headline) {
  Envelope e = ks::rainstorm_red();
  e.body["info"].as_array()[0].as_object()["headline"] = headline;
  return e;
}

std::string headline_of(const Envelope& e) {
  return std::string(e.body.at("info").at(0).at("headline").as_string());
}

// ---------------------------------------------------------------- Chinese text

TEST(KunshanGbText, ChineseIsWrittenAsGbkBytesAndReadBackExactly) {
  const std::string text = "太仓、昆山、嘉定、宝山暴雨红色预警";
  NativeDocument doc = KunshanGbAdapter().encode(with_headline(text));
  auto gbk = xml::transcode(text, "UTF-8", "GBK");
  ASSERT_TRUE(gbk);
  EXPECT_NE(doc.bytes.find(*gbk), std::string::npos) << "headline is not in GBK";
  EXPECT_EQ(doc.bytes.find(text), std::string::npos) << "UTF-8 leaked into the GBK document";
  EXPECT_TRUE(doc.bytes.starts_with("<?xml version=\"1.0\" encoding=\"GBK\"?>\n"));
  auto back = ks::decode(doc.bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(headline_of(back.value()), text);
}

TEST(KunshanGbText, RareCharactersInGbkButNotGb2312StayGbk) {
  const std::string text = "堃喆 村居";  // U+5803, U+5586: GBK, not GB2312
  NativeDocument doc = KunshanGbAdapter().encode(with_headline(text));
  EXPECT_NE(doc.bytes.find("\x88\xd2\x86\xb4"), std::string::npos);
  EXPECT_EQ(doc.bytes.find("&#x"), std::string::npos);
  // Labelled GB2312 (as many systems label GBK text), it still reads: GB2312 is read as GBK.
  for (const char* type : {"application/xml; charset=GBK", "application/xml; charset=gb2312",
                           "text/xml; charset=\"GbK\""}) {
    auto back = ks::decode(doc.bytes, type);
    ASSERT_TRUE(back.ok()) << type << ": " << back.error().to_json();
    EXPECT_EQ(headline_of(back.value()), text) << type;
  }
}

TEST(KunshanGbText, CharactersOutsideGbkBecomeCharacterReferences) {
  const std::string text = "𠀀字 😀 ・";  // U+20000, U+1F600, U+30FB: none in GBK
  NativeDocument doc = KunshanGbAdapter().encode(with_headline(text));
  EXPECT_NE(doc.bytes.find("&#x20000;"), std::string::npos);
  EXPECT_NE(doc.bytes.find("&#x1F600;"), std::string::npos);
  EXPECT_NE(doc.bytes.find("&#x30FB;"), std::string::npos);
  ASSERT_TRUE(xml::transcode(doc.bytes, "GBK", "UTF-8")) << "the document must be pure GBK";
  auto back = ks::decode(doc.bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(headline_of(back.value()), text);
}

TEST(KunshanGbText, EveryGbkTwoByteCharacterRoundTrips) {
  // All of GBK's double-byte area, as one headline: what GBK holds comes back unchanged.
  std::string gbk;
  for (int lead = 0x81; lead <= 0xfe; ++lead)
    for (int trail = 0x40; trail <= 0xfe; ++trail) {
      if (trail == 0x7f) continue;
      std::string c{static_cast<char>(lead), static_cast<char>(trail)};
      if (xml::transcode(c, "GBK", "UTF-8")) gbk += c;
    }
  auto utf8 = xml::transcode(gbk, "GBK", "UTF-8");
  ASSERT_TRUE(utf8);
  ASSERT_GT(utf8->size(), 40000u);
  auto back = ks::decode(KunshanGbAdapter().encode(with_headline(*utf8)).bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(headline_of(back.value()), *utf8);
}

TEST(KunshanGbText, Gb18030DocumentsAreRead) {
  // A GB18030 sender may use its four-byte characters directly.
  std::string utf8 =
      *xml::transcode(KunshanGbAdapter().encode(with_headline("x")).bytes, "GBK", "UTF-8");
  utf8.replace(utf8.find("<headline>x<"), 12, "<headline>𠀀昆山<");
  utf8.replace(utf8.find("encoding=\"GBK\""), 14, "encoding=\"GB18030\"");
  auto gb18030 = xml::transcode(utf8, "UTF-8", "GB18030");
  ASSERT_TRUE(gb18030);
  auto back = ks::decode(*gb18030, "application/xml; charset=GB18030");
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(headline_of(back.value()), "𠀀昆山");
  // The same bytes labelled GBK are not GBK: refused, not mojibake.
  auto wrong = ks::decode(*gb18030, "application/xml; charset=GBK");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "invalid_xml");
}

// ---------------------------------------------------------------- invalid bytes

struct BadBytes {
  const char* name;
  std::string bytes;  // put in the headline, inside an otherwise valid GBK document
};
void PrintTo(const BadBytes& b, std::ostream* os) { *os << b.name; }

class KunshanGbInvalidGbkTest : public ::testing::TestWithParam<BadBytes> {};

TEST_P(KunshanGbInvalidGbkTest, IsA400NotMojibake) {
  std::string doc = KunshanGbAdapter().encode(with_headline("PLACEHOLDER")).bytes;
  doc.replace(doc.find("PLACEHOLDER"), 11, GetParam().bytes);
  auto r = ks::decode(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "invalid_xml");
  EXPECT_NE(r.error().message.find("GBK"), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(Bytes, KunshanGbInvalidGbkTest,
                         ::testing::Values(BadBytes{"lead_then_ascii", "\x81\x20"},
                                           BadBytes{"lone_ff", "\xff"},
                                           BadBytes{"trail_7f", "\xb0\x7f"},
                                           BadBytes{"lead_then_lt", "\xc0<"},
                                           BadBytes{"gb18030_four_byte", "\x95\x32\x82\x36"}));

TEST(KunshanGbText, TruncatedLeadByteAtTheEndIsA400) {
  std::string doc = KunshanGbAdapter().encode(ks::rainstorm_red()).bytes + "\xc0";
  auto r = ks::decode(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_xml");
}

// ---------------------------------------------------------------- media types

struct MediaCase {
  const char* content_type;
  int status;  // 0 = accepted
};
void PrintTo(const MediaCase& c, std::ostream* os) { *os << c.content_type; }

class KunshanGbMediaTest : public ::testing::TestWithParam<MediaCase> {};

TEST_P(KunshanGbMediaTest, AcceptsGbkFamilyXmlOnly) {
  std::string doc = KunshanGbAdapter().encode(ks::rainstorm_red()).bytes;
  auto r = ks::decode(doc, GetParam().content_type);
  if (GetParam().status == 0) {
    ASSERT_TRUE(r.ok()) << GetParam().content_type << ": " << r.error().to_json();
    EXPECT_EQ(to_json_text(r.value()), to_json_text(ks::rainstorm_red()));
    return;
  }
  ASSERT_FALSE(r.ok()) << GetParam().content_type;
  EXPECT_EQ(r.error().status, GetParam().status);
  EXPECT_EQ(r.error().code, "unsupported_media_type");
}

INSTANTIATE_TEST_SUITE_P(
    Types, KunshanGbMediaTest,
    ::testing::Values(MediaCase{"application/xml; charset=GBK", 0},
                      MediaCase{"application/xml;charset=gbk", 0},
                      MediaCase{"Application/XML; Charset=\"GBK\"", 0},
                      MediaCase{"application/xml; charset=GB2312", 0},
                      MediaCase{"text/xml; charset=gbk", 0},
                      MediaCase{"application/xml", 0},  // the declaration says GBK
                      MediaCase{"application/xml; charset=utf-8", 415},
                      MediaCase{"application/xml; charset=big5", 415},
                      MediaCase{"application/json", 415}, MediaCase{"application/cap+xml", 415},
                      MediaCase{"text/plain; charset=GBK", 415}, MediaCase{"", 415}));

TEST(KunshanGbText, DeclarationMustBeGbkFamily) {
  std::string doc = KunshanGbAdapter().encode(ks::rainstorm_red()).bytes;
  doc.replace(doc.find("encoding=\"GBK\""), 14, "encoding=\"UTF-8\"");
  auto r = ks::decode(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_xml");
  // Without a declaration and without a charset, nothing says GBK.
  std::string bare = KunshanGbAdapter().encode(ks::rainstorm_red()).bytes;
  bare.erase(0, bare.find('\n') + 1);
  r = ks::decode(bare, "application/xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_xml");
  EXPECT_TRUE(ks::decode(bare, "application/xml; charset=GBK").ok());
}

TEST(KunshanGbText, CharsetLabels) {
  EXPECT_EQ(kunshan_gb::gbk_family_codec("gbk"), "GBK");
  EXPECT_EQ(kunshan_gb::gbk_family_codec("GB2312"), "GBK");
  EXPECT_EQ(kunshan_gb::gbk_family_codec("gb18030"), "GB18030");
  EXPECT_EQ(kunshan_gb::gbk_family_codec("utf-8"), "");
  EXPECT_EQ(kunshan_gb::gbk_family_codec(""), "");
}

// ---------------------------------------------------------------- strings XML cannot carry as is

TEST(KunshanGbText, AwkwardStringsRoundTripExactly) {
  const std::vector<std::string> texts = {
      "a\r\nb\rc",
      " ",
      "\t\n ",
      "  lead and trail  ",
      "<&>\"'",
      "]]> and &amp;",
      "\x01\x1f",
      std::string("nul\0in", 6),
      "\xef\xbf\xbe",
      "end with CR\r",
      "",
  };
  for (const auto& text : texts) {
    Envelope e = with_headline(text);
    e.body["info"].as_array()[0].as_object()["x:" + text] = text;  // odd member names too
    e.body["note"] = text;
    ASSERT_FALSE(validate_envelope(e));
    NativeDocument doc = KunshanGbAdapter().encode(e);
    auto back = ks::decode(doc.bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_json();
    EXPECT_EQ(to_json_text(back.value()), to_json_text(e)) << json::serialize(json::value(text));
  }
}

TEST(KunshanGbText, ControlCharactersTravelAsBase64NotAsIllegalReferences) {
  Envelope e = ks::bulletin();
  e.body["text"] = "bell\x07";
  std::string doc = KunshanGbAdapter().encode(e).bytes;
  EXPECT_NE(doc.find("encoding=\"base64\""), std::string::npos);
  EXPECT_EQ(doc.find("&#7;"), std::string::npos);
  EXPECT_EQ(doc.find('\x07'), std::string::npos);
}

}  // namespace
}  // namespace sixlink
