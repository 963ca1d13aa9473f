#include "flood_guard.hpp"

#include <algorithm>

namespace faltrain_bot {

FloodGuard::Verdict FloodGuard::Check(std::int64_t user_id, time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(user_id, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double seconds = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, seconds) * per_second_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    b.warned = false;
    return Verdict::kAllow;
  }
  if (b.warned) return Verdict::kDrop;
  b.warned = true;
  return Verdict::kWarn;
}

}  // namespace faltrain_bot
