#include "gateway/api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace sixlink {

RateLimiter::RateLimiter(const std::vector<std::string>& members) : buckets_(std::make_shared<const Buckets>()) {
  add_members(members);
}

void RateLimiter::add_members(const std::vector<std::string>& members) {
  std::lock_guard lock(add_mu_);
  auto next = std::make_shared<Buckets>(*buckets_.load());
  for (const auto& m : members)
    if (!next->count(m)) (*next)[m] = std::make_shared<Bucket>();
  buckets_.store(std::move(next));
}

bool RateLimiter::try_take(const std::string& member, const RateLimit& limit, int* retry_after_s) {
  if (limit.per_second <= 0) return true;
  auto buckets = buckets_.load();
  auto it = buckets->find(member);
  if (it == buckets->end()) return true;
  Bucket& b = *it->second;
  std::lock_guard lock(b.mu);
  // The clock is read under the lock: read before it, a later caller could apply an
  // earlier time and see negative elapsed time.
  auto now = std::chrono::steady_clock::now();
  if (!b.started) {
    b.started = true;
    b.tokens = limit.burst;
    b.last = now;
  }
  double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.last).count());
  b.tokens = std::min(limit.burst, b.tokens + elapsed * limit.per_second);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after_s = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / limit.per_second)));
  return false;
}

}  // namespace sixlink
