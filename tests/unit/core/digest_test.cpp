// Tests of gateway/core/digest: sha256_hex against the FIPS 180-2 vectors, repeatedly and
// on several threads (each keeps its own context).
#include "gateway/core/digest.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sixlink {
namespace {

constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kTwoBlocks =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(DigestTest, Sha256HexOfKnownVectorsOnEveryThread) {
  auto check = [] {
    for (int i = 0; i < 3; ++i) {  // the context is reused from the second call on
      EXPECT_EQ(sha256_hex(""), kEmpty);
      EXPECT_EQ(sha256_hex("abc"), kAbc);
      EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), kTwoBlocks);
    }
  };
  check();
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(check);
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace sixlink
