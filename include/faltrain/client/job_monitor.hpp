#pragma once
/// @file
/// Watching many trainings from one thread. Each job is polled when it is due, with its own adaptive
/// interval, and the polls of all jobs run concurrently on the transport's asynchronous path
/// (`Transport::SendAsync`: with `CurlTransport`, thousands of requests in flight from the one
/// thread). There is no thread and no connection per job. Drive it with `Run` or, inside your own
/// event loop, with `PollDue` and the wake-up time it returns.

#include <faltrain/client/training_client.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace faltrain {
inline namespace v1 {

/// Polls many `TrainingJob`s from one thread, each on its own adaptive interval (from
/// `WatchOptions::min_interval`, growing by half while nothing changes, up to `max_interval`).
/// Callbacks run on the polling thread and may `Add` or `Remove` jobs.
///
/// A slow, hanging or failing job never delays another: each poll is its own request, retried per
/// `ClientOptions::retry` (the waits on the monitor's timers, not in a sleep). A poll that still
/// fails transiently (network error, timeout, 429, 5xx) does not end the watch: the job is polled
/// again after a growing backoff. Other errors (e.g. 404, 401) end it through `on_done`. The
/// result is fetched with the result's own rule (a 500 the app answered is the outcome, at once).
/// A status this library does not know keeps the job polled, with a warning through
/// `ClientOptions::log`. Retry waits are timers, so `Run`'s cancel token ends one at once (the
/// job stays watched).
/// Memory per job is small and bounded: its handle, progress state and one timer or request.
/// With a serial transport (the default `Transport::SendAsync`, e.g. `SimTransport`) polls run one
/// after the other, as before.
class JobMonitor {
 public:
  /// What to call for one job.
  struct Callbacks {
    /// After every poll of the job (optional).
    std::function<void(const RequestHandle&, const Progress&)> on_progress;
    /// Called once per job: its output, or why it failed (request_failed, deadline_exceeded, ...).
    std::function<void(const RequestHandle&, result<TrainingOutput>)> on_done;
  };

  /// `defaults` gives the intervals and the per-job timeout; its callbacks and cancel are unused.
  /// `client` is held by value, as by `JobProcessor` and `JobReconciler` (copies share one pool).
  explicit JobMonitor(TrainingClient client, WatchOptions defaults = {});
  ~JobMonitor();
  JobMonitor(const JobMonitor&) = delete;
  JobMonitor& operator=(const JobMonitor&) = delete;

  /// Starts watching a job; thread-safe. Its first poll is due at once.
  void Add(TrainingJob job, Callbacks callbacks);
  /// Stops watching a request; returns whether it was watched. Once it returns, no callback of that
  /// job runs (one running on the polling thread at that moment is waited for, unless `Remove` is
  /// called from a callback), even if its poll is still in flight.
  bool Remove(std::string_view request_id);
  /// How many jobs are being watched.
  std::size_t size() const;

  /// Starts every due poll and waits for the transport's requests in flight. Returns when the
  /// next job (or retry) is due, or nullopt when none is left.
  std::optional<Clock::steady_time> PollDue();
  /// Polls until every job is done: waits in `Transport::Drive` while requests are in flight, else
  /// sleeps on the client's clock. Fails with errc::cancelled when `cancel` fires first (jobs left
  /// are kept).
  result<void> Run(CancelToken cancel = {});

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the callbacks of requests in flight (weakly)
};

}  // namespace v1
}  // namespace faltrain
