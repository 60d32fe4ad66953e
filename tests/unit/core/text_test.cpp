// Tests of gateway/core/text: UTF-8 validity (the byte patterns an adapter edge meets:
// CJK, emoji, truncation, overlong forms, surrogates, GBK) and base64 (RFC 4648 vectors,
// binary round trips, malformed input).
#include "gateway/core/text.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace sixlink {
namespace {

struct Utf8Case {
  const char* name;
  std::string bytes;
  bool valid;
};

// Names the case in gtest output (the default printer dumps raw bytes).
void PrintTo(const Utf8Case& c, std::ostream* os) { *os << c.name; }

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

class TextUtf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(TextUtf8Test, ClassifiesBytes) {
  const Utf8Case& c = GetParam();
  EXPECT_EQ(is_valid_utf8(c.bytes), c.valid) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TextUtf8Test,
    ::testing::Values(
        Utf8Case{"empty", "", true}, Utf8Case{"ascii", "KS-20260412-000731 {\"a\":1}\n", true},
        Utf8Case{"nul_byte_is_ascii", std::string("a\0b", 3), true},
        Utf8Case{"taicang_chinese", "太仓市", true},
        Utf8Case{"taicang_bytes", bytes({0xE5, 0xA4, 0xAA, 0xE4, 0xBB, 0x93}), true},
        Utf8Case{"two_byte_e_acute", bytes({0xC3, 0xA9}), true},
        Utf8Case{"smallest_two_byte_U80", bytes({0xC2, 0x80}), true},
        Utf8Case{"smallest_three_byte_U800", bytes({0xE0, 0xA0, 0x80}), true},
        Utf8Case{"last_before_surrogates_UD7FF", bytes({0xED, 0x9F, 0xBF}), true},
        Utf8Case{"first_after_surrogates_UE000", bytes({0xEE, 0x80, 0x80}), true},
        Utf8Case{"emoji_4_bytes", "\xF0\x9F\x9A\xA8", true},  // U+1F6A8 police light
        Utf8Case{"max_code_point_U10FFFF", bytes({0xF4, 0x8F, 0xBF, 0xBF}), true},
        Utf8Case{"mixed", "警报 alert 🚨 ok", true},
        Utf8Case{"lone_continuation", bytes({0x80}), false},
        Utf8Case{"truncated_two_byte", bytes({0xC3}), false},
        Utf8Case{"truncated_three_byte", bytes({0xE5, 0xA4}), false},
        Utf8Case{"truncated_four_byte", bytes({0xF0, 0x9F, 0x9A}), false},
        Utf8Case{"truncated_in_middle", bytes({'a', 0xE5, 0xA4, 'b'}), false},
        Utf8Case{"overlong_slash_C0_AF", bytes({0xC0, 0xAF}), false},
        Utf8Case{"overlong_C1_BF", bytes({0xC1, 0xBF}), false},
        Utf8Case{"overlong_three_byte_E0_80_AF", bytes({0xE0, 0x80, 0xAF}), false},
        Utf8Case{"overlong_four_byte_F0_80_80_AF", bytes({0xF0, 0x80, 0x80, 0xAF}), false},
        Utf8Case{"surrogate_high_ED_A0_80", bytes({0xED, 0xA0, 0x80}), false},
        Utf8Case{"surrogate_low_ED_BF_BF", bytes({0xED, 0xBF, 0xBF}), false},
        Utf8Case{"above_U10FFFF_F4_90_80_80", bytes({0xF4, 0x90, 0x80, 0x80}), false},
        Utf8Case{"lead_F5", bytes({0xF5, 0x80, 0x80, 0x80}), false},
        Utf8Case{"lead_F8_five_byte_form", bytes({0xF8, 0x88, 0x80, 0x80, 0x80}), false},
        Utf8Case{"byte_FF", bytes({0xFF}), false}, Utf8Case{"byte_FE", bytes({0xFE}), false},
        Utf8Case{"gbk_taicang_B4_AB_B2_D6", bytes({0xB4, 0xAB, 0xB2, 0xD6}), false},
        Utf8Case{"bad_continuation", bytes({0xE5, 0x41, 0xAA}), false}),
    [](const ::testing::TestParamInfo<Utf8Case>& info) { return std::string(info.param.name); });

// Text that quotes request input (error messages, log lines) keeps every valid sequence and
// replaces each byte that starts none with U+FFFD, so it is always valid UTF-8.
TEST(TextTest, ToValidUtf8ReplacesEachInvalidByteAndKeepsTheRest) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(to_valid_utf8("警报 alert 🚨"), "警报 alert 🚨");
  EXPECT_EQ(to_valid_utf8(bytes({'a', 0xFF, 'b'})), "a" + fffd + "b");
  EXPECT_EQ(to_valid_utf8(bytes({0xC0, 0xAF})), fffd + fffd) << "an overlong form, byte by byte";
  EXPECT_EQ(to_valid_utf8(bytes({0xE5, 0xA4})), fffd + fffd) << "truncated at the end";
  EXPECT_EQ(to_valid_utf8(bytes({0xED, 0xA0, 0x80, 'x'})), fffd + fffd + fffd + "x") << "a surrogate";
  EXPECT_EQ(to_valid_utf8(bytes({0xB4, 0xAB, 0xB2, 0xD6})), fffd + fffd + fffd + fffd) << "GBK";
  EXPECT_EQ(to_valid_utf8(bytes({0xE5, 0xA4, 0xAA, 0x80})), "太" + fffd);
  for (const std::string& s : {bytes({0xF0, 0x9F, 0x9A}), bytes({0xFF, 0xFE}), std::string("a\0b", 3)})
    EXPECT_TRUE(is_valid_utf8(to_valid_utf8(s)));
}

TEST(TextTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain) << encoded;
  }
}

TEST(TextTest, Base64RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  // Every length from 0 to 256 exercises all three padding cases many times.
  for (std::size_t n = 0; n <= all.size(); ++n) {
    std::string in = all.substr(all.size() - n);  // ends with 0xFF: high bytes kept
    std::string enc = base64_encode(in);
    EXPECT_EQ(enc.size(), 4 * ((n + 2) / 3)) << n;
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << n;
    EXPECT_EQ(*dec, in) << n;
  }
}

TEST(TextTest, Base64KeepsTrailingZeroBytes) {
  // Padding removal must not eat real zero bytes at the end.
  for (std::string in : {std::string(1, '\0'), std::string(2, '\0'), std::string(3, '\0'),
                         std::string("a\0\0", 3), std::string("ab\0", 3)}) {
    auto dec = base64_decode(base64_encode(in));
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(*dec, in);
  }
}

TEST(TextTest, Base64OfGbkDocument) {
  // Kunshan's GBK XML travels in inbox pages as base64 (DESIGN §4).
  std::string gbk = "<t>" + bytes({0xB4, 0xAB, 0xB2, 0xD6}) + "</t>";
  std::string enc = base64_encode(gbk);
  EXPECT_TRUE(is_valid_utf8(enc));
  EXPECT_EQ(enc, "PHQ+tKuy1jwvdD4=");
  EXPECT_EQ(base64_decode(enc).value_or("?"), gbk);
}

TEST(TextTest, Base64RejectsMalformedInput) {
  for (std::string_view bad :
       {"Z", "Zm", "Zm9", "Zm9vY", "Zm9v!A==", "@@@@", "Zm 9v", "Zm9v\n", "é=="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

// Regression guard (was a bug, fixed): base64_decode accepts '=' in positions where padding is not allowed:
// OpenSSL's EVP_DecodeBlock decodes '=' as the value 0 and the code only counts '='
// among the last two characters, so "QQ=A" decodes to two bytes, "====" to one zero
// byte and "Zm9v====" to "foo\0". EVP_DecodeBlock also trims trailing whitespace, so
// "Zm9v    " decodes to "foo" (leading whitespace is refused by the size check).
// None of these is base64 (RFC 4648 §3.3): each must give nullopt.
TEST(TextTest, Base64RejectsMisplacedPaddingAndTrailingBlanks) {
  for (std::string_view bad :
       {"QQ=A", "====", "Zm9v====", "Z===", "Zg==Zg==", "Zm9v    ", "Zm9v\r\n\r\n"}) {
    auto dec = base64_decode(bad);
    EXPECT_FALSE(dec.has_value()) << bad << " decoded to " << dec->size() << " bytes";
  }
}

}  // namespace
}  // namespace sixlink
