#pragma once
/// @file
/// Watching many trainings from one thread. Each job is polled when it is due, with its own adaptive
/// interval; there is no thread per job. Drive it with `Run` or, inside your own event loop, with
/// `PollDue` and the wake-up time it returns.

#include <faltrain/client/training_client.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace faltrain {
inline namespace v1 {

/// Polls many `TrainingJob`s from one thread, each on its own adaptive interval (from
/// `WatchOptions::min_interval`, growing by half while nothing changes, up to `max_interval`).
/// Callbacks run on the polling thread and may `Add` or `Remove` jobs.
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
  /// Stops watching a request (no callback); returns whether it was watched.
  bool Remove(std::string_view request_id);
  /// How many jobs are being watched.
  std::size_t size() const;

  /// Polls every due job once. Returns when the next job is due, or nullopt when none is left.
  std::optional<Clock::steady_time> PollDue();
  /// Polls until every job is done, sleeping on the client's clock in between. Fails with
  /// errc::cancelled when `cancel` fires first (jobs left are kept).
  result<void> Run(CancelToken cancel = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace v1
}  // namespace faltrain
