// Per-member token buckets (DESIGN §7 rate limits). The parameters come from the policy
// in force at each call, so a reload changes them at once; the buckets' fill survives it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "policies/policy.h"

namespace sixlink {

class RateLimiter {
 public:
  explicit RateLimiter(const std::vector<std::string>& members);
  // Gives members not seen before a bucket (reload); existing buckets keep their fill.
  void add_members(const std::vector<std::string>& members);
  // Takes one token from `member`'s bucket. False when it is empty, with the whole
  // seconds until a token is back in *retry_after_s.
  bool try_take(const std::string& member, const RateLimit& limit, int* retry_after_s);

 private:
  struct Bucket {
    std::mutex mu;
    bool started = false;  // fills to the burst on first use
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  using Buckets = std::map<std::string, std::shared_ptr<Bucket>, std::less<>>;
  std::mutex add_mu_;
  std::atomic<std::shared_ptr<const Buckets>> buckets_;  // replaced whole by add_members
};

}  // namespace sixlink
