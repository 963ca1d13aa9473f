#pragma once
// Per-user flood control: a token bucket per user. A user who empties it is told once to slow
// down; further updates are dropped until the bucket refills.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace faltrain_bot {

class FloodGuard {
 public:
  enum class Verdict { kAllow, kWarn, kDrop };
  using time_point = std::chrono::steady_clock::time_point;

  /// `burst` updates at once (an album of 10 photos must fit), then `per_second` on average.
  FloodGuard(double burst, double per_second) : burst_(burst), per_second_(per_second) {}

  Verdict Check(std::int64_t user_id, time_point now);

 private:
  struct Bucket {
    double tokens;
    time_point last;
    bool warned = false;
  };
  double burst_;
  double per_second_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, Bucket> buckets_;
};

}  // namespace faltrain_bot
