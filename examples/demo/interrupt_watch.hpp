#pragma once
// Ctrl-C (SIGINT) and SIGTERM become a cancelled `faltrain::CancelToken`, so every wait of the demo
// returns promptly and the demo still stops the programs it started before it exits.

#include <faltrain/client/clock.hpp>

#include <atomic>
#include <thread>

namespace faltrain_demo {

/// Construct before any other thread exists: it blocks SIGINT and SIGTERM for the whole process and
/// takes them on its own thread with sigtimedwait.
class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  faltrain::CancelToken token() const { return token_; }
  /// The signal that arrived (SIGINT or SIGTERM), or 0.
  int signal() const { return signal_.load(); }

 private:
  faltrain::CancelToken token_;
  std::atomic<int> signal_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace faltrain_demo
