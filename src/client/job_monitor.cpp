#include <faltrain/client/job_monitor.hpp>

#include "client/detail/queue_protocol.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace {

using std::chrono::milliseconds;

struct Watched {
  Watched(TrainingJob j, JobMonitor::Callbacks c, Clock::steady_time now, milliseconds first_interval)
      : job(std::move(j)),
        callbacks(std::move(c)),
        tracker(job.steps, job.estimate.midpoint()),
        started(now),
        next_poll(now),
        interval(first_interval) {}

  TrainingJob job;
  JobMonitor::Callbacks callbacks;
  ProgressTracker tracker;
  Clock::steady_time started;
  Clock::steady_time next_poll;
  milliseconds interval;
  std::size_t last_logs = 0;
  RequestPhase last_phase = RequestPhase::kInQueue;
  std::optional<int> last_position;
};

}  // namespace

struct JobMonitor::State {
  TrainingClient client;
  WatchOptions defaults;
  mutable std::mutex mu;
  std::vector<std::shared_ptr<Watched>> jobs;
  CancelToken cancel;  ///< Run's token: cuts a status poll's retry backoff short

  State(TrainingClient c, WatchOptions d) : client(std::move(c)), defaults(std::move(d)) {}

  // Polls one job; returns true when it is finished (callback already made).
  bool Poll(Watched& w) {
    Clock& clock = client.clock();
    auto finish = [&](result<TrainingOutput> outcome) {
      if (w.callbacks.on_done) w.callbacks.on_done(w.job.handle, std::move(outcome));
      return true;
    };
    auto status = client.GetStatus(w.job.handle, true, cancel);
    // Run was cancelled during a retry backoff: the job is not finished, it stays watched.
    if (!status && status.error().code == errc::cancelled) return false;
    if (!status) return finish(fail(std::move(status).error()));
    const RequestStatus& st = status.value();
    auto elapsed = std::chrono::duration_cast<milliseconds>(clock.Now() - w.started);
    Progress progress = w.tracker.Update(st, elapsed);
    if (w.callbacks.on_progress) w.callbacks.on_progress(w.job.handle, progress);
    if (st.terminal()) return finish(client.GetTrainingOutput(w.job.handle));
    if (st.phase == RequestPhase::kUnknown) detail::WarnUnknownStatus(client.options().log, st);
    if (defaults.timeout.count() > 0 && elapsed >= defaults.timeout) {
      error e(errc::deadline_exceeded, "training did not finish within the monitor's timeout");
      e.request_id = w.job.handle.request_id;
      if (defaults.cancel_request_on_stop) (void)client.Cancel(w.job.handle);
      return finish(fail(std::move(e)));
    }
    bool changed = st.phase != w.last_phase || st.queue_position != w.last_position ||
                   st.logs.size() != w.last_logs;
    w.last_phase = st.phase;
    w.last_position = st.queue_position;
    w.last_logs = st.logs.size();
    w.interval = changed ? defaults.min_interval
                         : std::clamp(milliseconds(w.interval.count() * 3 / 2), defaults.min_interval,
                                      defaults.max_interval);
    w.next_poll = clock.Now() + w.interval;
    return false;
  }
};

JobMonitor::JobMonitor(TrainingClient client, WatchOptions defaults)
    : state_(std::make_unique<State>(std::move(client), std::move(defaults))) {
  if (state_->defaults.min_interval.count() <= 0) state_->defaults.min_interval = milliseconds(1);
  if (state_->defaults.max_interval < state_->defaults.min_interval) {
    state_->defaults.max_interval = state_->defaults.min_interval;
  }
}

JobMonitor::~JobMonitor() = default;

void JobMonitor::Add(TrainingJob job, Callbacks callbacks) {
  auto w = std::make_shared<Watched>(std::move(job), std::move(callbacks),
                                     state_->client.clock().Now(), state_->defaults.min_interval);
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->jobs.push_back(std::move(w));
}

bool JobMonitor::Remove(std::string_view request_id) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = std::find_if(state_->jobs.begin(), state_->jobs.end(),
                         [&](const auto& w) { return w->job.handle.request_id == request_id; });
  if (it == state_->jobs.end()) return false;
  state_->jobs.erase(it);
  return true;
}

std::size_t JobMonitor::size() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->jobs.size();
}

std::optional<Clock::steady_time> JobMonitor::PollDue() {
  std::vector<std::shared_ptr<Watched>> due;
  auto now = state_->client.clock().Now();
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (const auto& w : state_->jobs) {
      if (w->next_poll <= now) due.push_back(w);
    }
  }
  // Poll outside the lock: callbacks may Add or Remove jobs.
  std::vector<const Watched*> finished;
  for (const auto& w : due) {
    if (state_->Poll(*w)) finished.push_back(w.get());
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->jobs.erase(std::remove_if(state_->jobs.begin(), state_->jobs.end(),
                                    [&](const auto& w) {
                                      return std::find(finished.begin(), finished.end(), w.get()) !=
                                             finished.end();
                                    }),
                     state_->jobs.end());
  if (state_->jobs.empty()) return std::nullopt;
  auto next = state_->jobs.front()->next_poll;
  for (const auto& w : state_->jobs) next = std::min(next, w->next_poll);
  return next;
}

result<void> JobMonitor::Run(CancelToken cancel) {
  Clock& clock = state_->client.clock();
  state_->cancel = cancel;
  for (;;) {
    if (cancel.cancelled()) return fail(errc::cancelled, "monitor cancelled");
    auto next = PollDue();
    if (!next) return success();
    auto wait = *next - clock.Now();
    if (wait.count() > 0 && !clock.SleepFor(wait, cancel)) {
      return fail(errc::cancelled, "monitor cancelled");
    }
  }
}

}  // namespace v1
}  // namespace faltrain
