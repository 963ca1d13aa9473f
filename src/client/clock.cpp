#include <faltrain/client/clock.hpp>

namespace faltrain {
inline namespace v1 {

struct CancelToken::State {
  std::mutex mu;
  std::condition_variable cv;
  bool cancelled = false;
};

CancelToken::CancelToken() : state_(std::make_shared<State>()) {}

void CancelToken::Cancel() const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->cancelled = true;
  }
  state_->cv.notify_all();
}

bool CancelToken::cancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->cancelled;
}

Clock::steady_time SystemClock::Now() { return std::chrono::steady_clock::now(); }
Clock::wall_time SystemClock::WallNow() { return std::chrono::system_clock::now(); }

bool SystemClock::SleepFor(std::chrono::nanoseconds d, CancelToken cancel) {
  auto& state = *cancel.state_;
  std::unique_lock<std::mutex> lock(state.mu);
  state.cv.wait_for(lock, d, [&] { return state.cancelled; });
  return !state.cancelled;
}

std::shared_ptr<Clock> MakeSystemClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

VirtualClock::VirtualClock(wall_time start) : start_(start) {}

Clock::steady_time VirtualClock::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return steady_time(std::chrono::duration_cast<steady_time::duration>(elapsed_));
}

Clock::wall_time VirtualClock::WallNow() {
  std::lock_guard<std::mutex> lock(mu_);
  return start_ + std::chrono::duration_cast<wall_time::duration>(elapsed_);
}

bool VirtualClock::SleepFor(std::chrono::nanoseconds d, CancelToken cancel) {
  if (cancel.cancelled()) return false;
  Advance(d);
  return !cancel.cancelled();
}

void VirtualClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  if (d.count() > 0) elapsed_ += d;
}

}  // namespace v1
}  // namespace faltrain
