// Tests of the per-member token buckets (gateway/api/rate_limiter.*): burst and refusal,
// Retry-After, refill over real time, unlimited members, parameters that change between
// calls (a policy reload), and a concurrent smoke test.
#include "gateway/api/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sixlink {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class RateLimiterTest : public ::testing::Test {
 protected:
  // How many of `attempts` immediate takes succeed.
  int take_many(const std::string& member, RateLimit limit, int attempts) {
    int ok = 0, retry = 0;
    for (int i = 0; i < attempts; ++i) ok += limiter.try_take(member, limit, &retry) ? 1 : 0;
    return ok;
  }
  RateLimiter limiter{{"taicang", "baoshan", "jiading", "kunshan"}};
};

TEST_F(RateLimiterTest, BurstThenRefusalWithRetryAfter) {
  const RateLimit limit{1, 3};
  int retry = -1;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_take("kunshan", limit, &retry)) << i;
  EXPECT_EQ(retry, -1) << "untouched when a token is taken";
  EXPECT_FALSE(limiter.try_take("kunshan", limit, &retry));
  EXPECT_EQ(retry, 1);
  EXPECT_FALSE(limiter.try_take("kunshan", limit, &retry)) << "a refusal takes nothing and gives nothing";
  EXPECT_GE(retry, 1);
}

TEST_F(RateLimiterTest, RetryAfterIsTheWholeSecondsUntilATokenIsBack) {
  const RateLimit slow{0.25, 1};  // one token every four seconds
  int retry = 0;
  EXPECT_TRUE(limiter.try_take("baoshan", slow, &retry));
  EXPECT_FALSE(limiter.try_take("baoshan", slow, &retry));
  EXPECT_EQ(retry, 4);
  const RateLimit fast{20, 2};
  EXPECT_EQ(take_many("jiading", fast, 3), 2);
  EXPECT_FALSE(limiter.try_take("jiading", fast, &retry));
  EXPECT_EQ(retry, 1) << "never 0, even when the token is back within the second";
}

TEST_F(RateLimiterTest, TokensComeBackOverTimeUpToTheBurst) {
  const RateLimit limit{20, 2};  // one token per 50 ms
  EXPECT_EQ(take_many("kunshan", limit, 5), 2);
  std::this_thread::sleep_for(60ms);
  int retry = 0;
  EXPECT_TRUE(limiter.try_take("kunshan", limit, &retry)) << "one token back after 50 ms";
  std::this_thread::sleep_for(400ms);  // worth 8 tokens, capped at the burst of 2
  auto start = Clock::now();
  int ok = take_many("kunshan", limit, 10);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(ok, 2);
  EXPECT_LE(ok, 2 + static_cast<int>(elapsed * 20) + 1) << "the refill is capped at the burst";
}

TEST_F(RateLimiterTest, ZeroRateIsUnlimited) {
  EXPECT_EQ(take_many("taicang", RateLimit{0, 0}, 10000), 10000);
  EXPECT_EQ(take_many("taicang", RateLimit{0, 1}, 10000), 10000);
}

TEST_F(RateLimiterTest, UnknownMemberIsUnlimited) {
  EXPECT_EQ(take_many("minhang", RateLimit{1, 1}, 1000), 1000);
}

TEST_F(RateLimiterTest, EachMemberHasItsOwnBucket) {
  const RateLimit limit{1, 2};
  EXPECT_EQ(take_many("kunshan", limit, 5), 2);
  EXPECT_EQ(take_many("baoshan", limit, 5), 2);
  EXPECT_EQ(take_many("kunshan", limit, 5), 0);
}

TEST_F(RateLimiterTest, NewParametersTakeEffectAtTheNextCall) {
  // A lower burst clamps the tokens at once.
  EXPECT_EQ(take_many("kunshan", RateLimit{1, 100}, 1), 1);
  EXPECT_EQ(take_many("kunshan", RateLimit{1, 3}, 10), 3);
  // A higher rate refills faster from the next call on.
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(take_many("kunshan", RateLimit{1, 3}, 1), 0) << "at 1/s, 30 ms give nothing";
  std::this_thread::sleep_for(30ms);
  EXPECT_GE(take_many("kunshan", RateLimit{1000, 3}, 1), 1) << "at 1000/s, 30 ms fill the bucket";
  // Unlimited while the rate is 0; limited again afterwards, with the bucket's fill kept.
  EXPECT_EQ(take_many("baoshan", RateLimit{1, 2}, 10), 2);
  EXPECT_EQ(take_many("baoshan", RateLimit{0, 0}, 50), 50);
  EXPECT_EQ(take_many("baoshan", RateLimit{1, 2}, 10), 0) << "the empty bucket stays empty";
}

// Regression guard (was a bug, fixed): gateway/api/rate_limiter.cpp:17-19 reads the clock before taking the bucket's lock,
// so under contention a thread can apply a negative elapsed time; the tokens then drop
// below 0, which the next call mistakes for "bucket not started" and refills to the whole
// burst. Two threads already take ~3x the allowance, eight ~25x.
TEST_F(RateLimiterTest, ConcurrentTakersNeverExceedBurstPlusRefill) {
  const RateLimit limit{200, 50};
  std::atomic<int> taken{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const auto run_for = 300ms;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      auto end = Clock::now() + run_for;
      int retry = 0;
      while (Clock::now() < end)
        if (limiter.try_take("jiading", limit, &retry)) taken.fetch_add(1);
    });
  auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(taken.load(), 50) << "at least the burst";
  EXPECT_LE(taken.load(), 50 + static_cast<int>(200 * elapsed) + 1) << "elapsed " << elapsed << " s";
  EXPECT_GE(taken.load(), 50 + static_cast<int>(200 * 0.3 * 0.5)) << "and the refill is not lost";
}

}  // namespace
}  // namespace sixlink
