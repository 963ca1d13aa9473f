#pragma once
// A queue of timers ordered by due time (a binary heap): JobMonitor's polls and retry waits. Not
// thread-safe; the owner locks.

#include <faltrain/client/clock.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

template <typename Job>
class TimerQueue {
 public:
  /// A timer: `job` (cheap to hold, e.g. a shared_ptr) or a function to run.
  struct Timer {
    Clock::steady_time when;
    std::uint64_t order;  // equal times keep their insertion order
    Job job;
    std::function<void()> fn;
  };

  void Add(Clock::steady_time when, Job job, std::function<void()> fn) {
    heap_.push(Timer{when, next_order_++, std::move(job), std::move(fn)});
  }

  /// Removes and returns every timer due at `now`, earliest first.
  std::vector<Timer> TakeDue(Clock::steady_time now) {
    std::vector<Timer> due;
    while (!heap_.empty() && heap_.top().when <= now) {
      due.push_back(std::move(const_cast<Timer&>(heap_.top())));
      heap_.pop();
    }
    return due;
  }

  /// When the earliest timer is due.
  std::optional<Clock::steady_time> Next() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().when;
  }

  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.when != b.when ? a.when > b.when : a.order > b.order;
    }
  };
  std::priority_queue<Timer, std::vector<Timer>, Later> heap_;
  std::uint64_t next_order_ = 0;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
