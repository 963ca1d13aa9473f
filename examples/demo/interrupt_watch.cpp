#include "interrupt_watch.hpp"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace faltrain_demo {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

InterruptWatch::InterruptWatch() {
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  thread_ = std::thread([this, signals] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done_.load()) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        if (signal_.load() == 0) signal_.store(sig);
        token_.Cancel();
      }
    }
  });
}

InterruptWatch::~InterruptWatch() {
  done_.store(true);
  thread_.join();
}

}  // namespace faltrain_demo
