#include <faltrain/client/job_monitor.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/queue_protocol.hpp"
#include "client/detail/timer_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace faltrain {
inline namespace v1 {
namespace {

using std::chrono::milliseconds;

/// One watched job: what its callbacks need and its polling state. No thread, no connection: a
/// few hundred bytes, plus one timer entry or one request in flight at a time.
struct Watched {
  Watched(TrainingJob&& j, JobMonitor::Callbacks&& c, Clock::steady_time now, milliseconds first_interval)
      : handle(std::move(j.handle)),
        callbacks(std::move(c)),
        tracker(j.steps, j.estimate.midpoint()),
        started(now),
        interval(first_interval) {}

  RequestHandle handle;
  std::string status_url;  // with logs; made (and the handle checked) at the first poll
  JobMonitor::Callbacks callbacks;
  ProgressTracker tracker;
  Clock::steady_time started;
  milliseconds interval;
  Clock::steady_time next_poll{};
  int failures = 0;  // transient poll failures in a row
  std::size_t last_logs = 0;
  RequestPhase last_phase = RequestPhase::kInQueue;
  std::optional<int> last_position;
  std::atomic<bool> removed{false};  // by Remove, or finished: no callback any more
};
using WatchedPtr = std::shared_ptr<Watched>;

}  // namespace

struct JobMonitor::State : std::enable_shared_from_this<JobMonitor::State> {
  TrainingClient client;
  std::shared_ptr<TrainingClient::Impl> impl;
  WatchOptions defaults;

  mutable std::mutex mu;  // jobs, timers
  std::unordered_map<std::string, WatchedPtr> jobs;
  detail::TimerQueue<WatchedPtr> timers;  // a job's next poll, or a retry of a call in flight
  // Held while a job's callback runs; Remove takes it so that, once it returns, no callback of
  // that job runs or will run. Recursive: callbacks may call Remove.
  std::recursive_mutex callback_mu;

  State(TrainingClient c, WatchOptions d)
      : client(std::move(c)), impl(client.impl_), defaults(std::move(d)) {}

  Clock& clock() { return *impl->clock; }

  void Schedule(Clock::steady_time when, WatchedPtr w) {
    std::lock_guard<std::mutex> lock(mu);
    timers.Add(when, std::move(w), nullptr);
  }

  TrainingClient::Impl::Defer Deferrer() {
    return [weak = weak_from_this()](Clock::steady_time when, std::function<void()> fn) {
      if (auto self = weak.lock()) {
        std::lock_guard<std::mutex> lock(self->mu);
        self->timers.Add(when, nullptr, std::move(fn));
      }
    };
  }

  /// Starts one request of a job; `then` gets the answer on the driving thread, unless the
  /// monitor is gone by then.
  template <typename Then>
  void Call(HttpRequest request, Repeatable repeatable, Then then) {
    TrainingClient::Impl::ExecuteAsync(impl, std::move(request), repeatable, nullptr, Deferrer(),
                                       [weak = weak_from_this(), then = std::move(then)](result<HttpResponse> r) {
                                         if (auto self = weak.lock()) then(*self, std::move(r));
                                       });
  }

  // A job's status GET. Its URL is built once: parsing URLs is most of a poll's own cost.
  result<HttpRequest> StatusRequest(Watched& w) const {
    if (!w.status_url.empty()) return impl->GetRequest(w.status_url);
    FALTRAIN_TRY(HttpRequest first, impl->StatusRequest(w.handle, /*with_logs=*/true));
    w.status_url = first.url;
    return first;
  }

  void StartPoll(const WatchedPtr& w) {
    if (w->removed) return;
    auto request = StatusRequest(*w);
    if (!request) return Finish(w, fail(std::move(request).error()));
    Call(std::move(request).value(), Repeatable::kYes, [w](State& self, result<HttpResponse> r) {
      self.OnStatus(w, TrainingClient::Impl::StatusFrom(std::move(r), w->handle));
    });
  }

  void OnStatus(const WatchedPtr& w, result<RequestStatus> status) {
    if (w->removed) return;
    const auto now = clock().Now();
    const auto elapsed = std::chrono::duration_cast<milliseconds>(now - w->started);
    if (defaults.timeout.count() > 0 && elapsed >= defaults.timeout) return Expire(w);
    if (!status) return OnPollFailed(w, std::move(status).error());
    w->failures = 0;
    const RequestStatus& st = status.value();
    Progress progress = w->tracker.Update(st, elapsed);
    Notify(w, [&](const Callbacks& c) {
      if (c.on_progress) c.on_progress(w->handle, progress);
    });
    if (st.terminal()) return FetchResult(w);
    if (st.phase == RequestPhase::kUnknown) detail::WarnUnknownStatus(impl->config.log, st);
    const bool changed = st.phase != w->last_phase || st.queue_position != w->last_position ||
                         st.logs.size() != w->last_logs;
    w->last_phase = st.phase;
    w->last_position = st.queue_position;
    w->last_logs = st.logs.size();
    w->interval = changed ? defaults.min_interval
                          : std::clamp(milliseconds(w->interval.count() * 3 / 2), defaults.min_interval,
                                       defaults.max_interval);
    w->next_poll = now + w->interval;
    Schedule(w->next_poll, w);
  }

  // The client already retried this poll; a transient failure still does not end the watch: the
  // job is polled again after a growing backoff. Anything else (404, 401, ...) is its outcome.
  void OnPollFailed(const WatchedPtr& w, error e) {
    if (!IsRetryable(e)) return Finish(w, fail(std::move(e)));
    ++w->failures;
    auto backoff = impl->config.retry.Backoff(w->failures, e, impl->Random01());
    auto delay = std::clamp(backoff, defaults.min_interval, std::max(defaults.max_interval, backoff));
    impl->Log(LogLevel::kWarning, fmt::format("monitor: status of {} failed ({}); polling again in {} ms",
                                              w->handle.request_id, e.to_string(), delay.count()));
    w->next_poll = clock().Now() + delay;
    Schedule(w->next_poll, w);
  }

  void FetchResult(const WatchedPtr& w) {
    auto request = impl->ResultRequest(w->handle);
    if (!request) return Finish(w, fail(std::move(request).error()));
    // Per call, as GetResultJson: a 500 the app answered is the request's outcome, never retried.
    Call(std::move(request).value(), Repeatable::kUnlessAppAnswered, [w](State& self, result<HttpResponse> r) {
      auto json = TrainingClient::Impl::ResultFrom(std::move(r), w->handle);
      if (!json) return self.Finish(w, fail(std::move(json).error()));
      auto output = TrainingOutput::Parse(json.value());
      if (!output) {
        error e = std::move(output).error();
        if (e.request_id.empty()) e.request_id = w->handle.request_id;
        return self.Finish(w, fail(std::move(e)));
      }
      self.Finish(w, std::move(output));
    });
  }

  void Expire(const WatchedPtr& w) {
    error e(errc::deadline_exceeded, "training did not finish within the monitor's timeout");
    e.request_id = w->handle.request_id;
    if (defaults.cancel_request_on_stop) (void)client.Cancel(w->handle);
    Finish(w, fail(std::move(e)));
  }

  template <typename Fn>
  void Notify(const WatchedPtr& w, Fn fn) {
    std::lock_guard<std::recursive_mutex> lock(callback_mu);
    if (!w->removed) fn(w->callbacks);
  }

  void Finish(const WatchedPtr& w, result<TrainingOutput> outcome) {
    std::lock_guard<std::recursive_mutex> lock(callback_mu);
    if (w->removed.exchange(true)) return;
    {
      std::lock_guard<std::mutex> jobs_lock(mu);
      auto it = jobs.find(w->handle.request_id);
      if (it != jobs.end() && it->second == w) jobs.erase(it);
    }
    if (w->callbacks.on_done) w->callbacks.on_done(w->handle, std::move(outcome));
  }

  /// Starts every poll and retry that is due.
  void RunDue() {
    auto due = [&] {
      std::lock_guard<std::mutex> lock(mu);
      return timers.TakeDue(clock().Now());
    }();
    for (auto& timer : due) {
      if (timer.job) {
        StartPoll(timer.job);
      } else if (timer.fn) {
        timer.fn();
      }
    }
  }

  std::optional<Clock::steady_time> NextDue() const {
    std::lock_guard<std::mutex> lock(mu);
    return timers.Next();
  }

  // No job left. Requests of removed jobs may still be in flight: their answers are dropped
  // whenever the transport is driven next (or with it).
  bool Idle() const {
    std::lock_guard<std::mutex> lock(mu);
    return jobs.empty();
  }
};

JobMonitor::JobMonitor(TrainingClient client, WatchOptions defaults)
    : state_(std::make_shared<State>(std::move(client), std::move(defaults))) {
  if (state_->defaults.min_interval.count() <= 0) state_->defaults.min_interval = milliseconds(1);
  if (state_->defaults.max_interval < state_->defaults.min_interval) {
    state_->defaults.max_interval = state_->defaults.min_interval;
  }
}

JobMonitor::~JobMonitor() = default;

void JobMonitor::Add(TrainingJob job, Callbacks callbacks) {
  auto w = std::make_shared<Watched>(std::move(job), std::move(callbacks), state_->clock().Now(),
                                     state_->defaults.min_interval);
  w->next_poll = w->started;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    auto& slot = state_->jobs[w->handle.request_id];
    if (slot) slot->removed = true;  // the same request added again: the new watch replaces it
    slot = w;
    state_->timers.Add(w->next_poll, w, nullptr);
  }
  state_->impl->transport->Wakeup();
}

bool JobMonitor::Remove(std::string_view request_id) {
  WatchedPtr w;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    auto it = state_->jobs.find(std::string(request_id));
    if (it == state_->jobs.end()) return false;
    w = std::move(it->second);
    state_->jobs.erase(it);
  }
  w->removed = true;
  // A callback of this job running on the polling thread right now finishes before we return.
  std::lock_guard<std::recursive_mutex> wait(state_->callback_mu);
  return true;
}

std::size_t JobMonitor::size() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->jobs.size();
}

std::optional<Clock::steady_time> JobMonitor::PollDue() {
  state_->RunDue();
  Transport& transport = *state_->impl->transport;
  // The polls just started finish here (a serial transport has finished them already).
  while (transport.in_flight() > 0) transport.Drive(milliseconds(100));
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->jobs.empty()) return std::nullopt;
  return state_->timers.Next();
}

result<void> JobMonitor::Run(CancelToken cancel) {
  Clock& clock = state_->clock();
  Transport& transport = *state_->impl->transport;
  // Short waits keep Add (from another thread) and `cancel` prompt while nothing is in flight.
  constexpr milliseconds kMaxWait(250);
  for (;;) {
    if (cancel.cancelled()) return fail(errc::cancelled, "monitor cancelled");
    state_->RunDue();
    if (state_->Idle()) return success();
    auto next = state_->NextDue();
    auto now = clock.Now();
    auto wait = next ? std::chrono::duration_cast<milliseconds>(*next - now) : kMaxWait;
    wait = std::clamp(wait, milliseconds(0), kMaxWait);
    if (transport.in_flight() > 0) {
      transport.Drive(wait);
    } else if (wait.count() > 0 && !clock.SleepFor(wait, cancel)) {
      return fail(errc::cancelled, "monitor cancelled");
    }
  }
}

}  // namespace v1
}  // namespace faltrain
