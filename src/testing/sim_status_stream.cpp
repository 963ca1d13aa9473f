#include <faltrain/testing/sim_status_stream.hpp>

#include "testing/detail/sim_core.hpp"

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace {

// How often a waiting stream looks again, whatever it expects: a cancel can rewrite a request's
// future, and queue positions count down between the changes NextChange knows of.
constexpr std::chrono::milliseconds kLookAgain{250};

}  // namespace

SimStatusStream::SimStatusStream(detail::SimCore& core, HttpResponse head)
    : core_(core), head_(std::move(head)), cursor_(std::make_unique<detail::SimStreamCursor>()) {
  over_ = head_.status != 200;
}

SimStatusStream::~SimStatusStream() = default;

const HttpResponse& SimStatusStream::head() const { return head_; }

std::optional<std::string> SimStatusStream::Next(std::chrono::milliseconds keepalive, CancelToken cancel) {
  if (over_ || cursor_->finished) return std::nullopt;
  Clock& clock = core_.clock();
  const Clock::steady_time ping_at = clock.Now() + keepalive;
  for (;;) {
    if (cancel.cancelled()) return std::nullopt;
    Clock::steady_time now = clock.Now();
    if (cursor_->drop_at && now >= *cursor_->drop_at) {
      dropped_ = over_ = true;
      return std::nullopt;
    }
    Clock::steady_time next_change = Clock::steady_time::max();
    if (auto event = core_.NextStreamEvent(*cursor_, &next_change)) {
      if (cursor_->drop_after_first) cursor_->drop_at = now;
      return event;
    }
    now = clock.Now();
    if (now >= ping_at) return std::string(": ping\n\n");
    Clock::steady_time wake = std::min({next_change, ping_at, now + kLookAgain});
    if (cursor_->drop_at) wake = std::min(wake, *cursor_->drop_at);
    if (!clock.SleepFor(std::max(wake - now, Clock::steady_time::duration(1)), cancel)) return std::nullopt;
  }
}

}  // namespace v1
}  // namespace faltrain
