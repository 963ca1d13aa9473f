#pragma once
/// @file
/// Time as a dependency: every wait in faltrain goes through a `Clock`, so tests and the simulator can
/// run a thirty-minute training in milliseconds, and a `CancelToken` can interrupt any wait.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace faltrain {
inline namespace v1 {

/// A thread-safe "please stop" flag that wakes sleepers. Copies share the same flag: a cheap
/// shared handle, so every API takes it by value. A default-constructed token is a new flag that
/// fires only when someone holding a copy calls `Cancel()` (as a default argument: never).
class CancelToken {
 public:
  /// A new, not yet cancelled flag.
  CancelToken();
  /// Requests cancellation and wakes every `Clock::SleepFor` waiting on this token.
  void Cancel() const;
  /// Whether `Cancel` was called on this token or a copy of it.
  bool cancelled() const;

 private:
  friend class SystemClock;
  struct State;
  std::shared_ptr<State> state_;
};

/// Source of time and of sleeping.
class Clock {
 public:
  using steady_time = std::chrono::steady_clock::time_point;  ///< a point on the monotonic clock
  using wall_time = std::chrono::system_clock::time_point;    ///< a calendar time point

  virtual ~Clock() = default;
  /// Monotonic time for deadlines and intervals.
  virtual steady_time Now() = 0;
  /// Calendar time (webhook timestamps).
  virtual wall_time WallNow() = 0;
  /// Sleeps for `d`, or less when `cancel` fires. Returns false when cancelled.
  virtual bool SleepFor(std::chrono::nanoseconds d, CancelToken cancel = {}) = 0;
};

/// The real clocks and a real, interruptible sleep. Shared process-wide.
class SystemClock final : public Clock {
 public:
  steady_time Now() override;
  wall_time WallNow() override;
  bool SleepFor(std::chrono::nanoseconds d, CancelToken cancel = {}) override;
};
/// The process-wide `SystemClock` (every call returns the same instance).
std::shared_ptr<Clock> MakeSystemClock();

/// A clock that only moves when told to (or when someone sleeps on it): sleeping advances time
/// instantly. For tests and for accelerated simulation. Thread-safe.
class VirtualClock final : public Clock {
 public:
  /// Starts at `start` wall time (default 2026-01-01T00:00:00Z) and steady time zero.
  explicit VirtualClock(wall_time start = wall_time(std::chrono::seconds(1767225600)));
  steady_time Now() override;
  wall_time WallNow() override;
  bool SleepFor(std::chrono::nanoseconds d, CancelToken cancel = {}) override;
  /// Moves both clocks forward by `d` (negative durations are ignored).
  void Advance(std::chrono::nanoseconds d);

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds elapsed_{0};
  wall_time start_;
};

}  // namespace v1
}  // namespace faltrain
