// A log-linear latency histogram in the manner of HdrHistogram: values (nanoseconds)
// below 256 are counted exactly; above, each power-of-two range is split into 128
// equal sub-buckets, so any recorded value is reported within 1/128 (< 0.8 %) of its
// true value, from 1 ns to 2^64 ns, in a fixed 7,424-slot array (58 KiB). Recording is
// one count_leading_zeros and an increment: cheap enough for every request.
// Shared by sixlink-loadgen and sixlink-bench-receiver; header-only, no Asio.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>

namespace sixlink::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;                 // 128 sub-buckets per power of two
  static constexpr uint64_t kSub = 1ull << kSubBits;
  static constexpr std::size_t kSlots = (64 - kSubBits + 1) * kSub;  // 7424

  void record(uint64_t ns) {
    ++counts_[slot_of(ns)];
    ++total_;
    sum_ += static_cast<double>(ns);
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }

  void merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < kSlots; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }

  void reset() { *this = LatencyHistogram(); }

  uint64_t count() const { return total_; }
  uint64_t max() const { return total_ ? max_ : 0; }
  uint64_t min() const { return total_ ? min_ : 0; }
  double mean() const { return total_ ? sum_ / static_cast<double>(total_) : 0.0; }

  // The value at percentile p (0..100): the highest value equivalent to the slot that
  // holds the ceil(p% * count)-th smallest recording, capped at the exact maximum.
  uint64_t percentile(double p) const {
    if (total_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (std::size_t i = 0; i < kSlots; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(highest_in_slot(i), max_);
    }
    return max_;
  }

  // {"count":…,"p50_ms":…,…}: the summary both programs print.
  std::string summary_json(const std::string& prefix = "") const {
    std::string s;
    auto add = [&](const char* name, double ms) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "\"%s%s_ms\":%.3f,", prefix.c_str(), name, ms);
      s += buf;
    };
    add("mean", mean() / 1e6);
    add("p50", static_cast<double>(percentile(50)) / 1e6);
    add("p90", static_cast<double>(percentile(90)) / 1e6);
    add("p99", static_cast<double>(percentile(99)) / 1e6);
    add("p99_9", static_cast<double>(percentile(99.9)) / 1e6);
    add("max", static_cast<double>(max()) / 1e6);
    s.pop_back();
    return s;
  }

  static std::size_t slot_of(uint64_t v) {
    if (v < 2 * kSub) return static_cast<std::size_t>(v);
    const int msb = 63 - std::countl_zero(v);      // >= kSubBits + 1
    const int shift = msb - kSubBits;              // >= 1
    return static_cast<std::size_t>(shift) * kSub + static_cast<std::size_t>(v >> shift);  // top in [128, 255]
  }

  static uint64_t highest_in_slot(std::size_t slot) {
    if (slot < 2 * kSub) return slot;
    const uint64_t shift = slot / kSub - 1;
    const uint64_t top = slot - shift * kSub;
    return ((top + 1) << shift) - 1;
  }

 private:
  std::array<uint64_t, kSlots> counts_{};
  uint64_t total_ = 0;
  double sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace sixlink::bench
