#pragma once
/// @file
/// Turning webhooks into job updates, and making sure no job waits forever for one.
///
/// `JobProcessor` takes recorded inbox events, applies them to their jobs (forward-only) and calls a
/// notifier once per job that reaches a final status. `JobReconciler` polls fal for jobs still
/// TRAINING long after their last sign of life, so a lost webhook never strands an avatar.

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/clock.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/client/logging.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/webhooks/event.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace faltrain {
inline namespace v1 {

/// Called once per job that reaches a final status (at most once, even across restarts and
/// duplicate deliveries; a crash between claiming and calling loses that one call).
using JobNotifier = std::function<void(const Job& job)>;

/// How a `JobProcessor` claims inbox events and where it logs.
struct JobProcessorOptions {
  /// Inbox events claimed per `ProcessInbox`, and jobs notified per `NotifyPending`.
  std::size_t batch_size = 64;
  /// How long a claimed event stays reserved to this process.
  std::chrono::seconds claim_lease{std::chrono::seconds(30)};
  /// Applied events (info), events to retry (warning), notifier failures (error); empty = silent.
  LogSink log;
};

/// The outcome a webhook event means for its job, or nullopt when it decides nothing (an
/// unknown status, or OK without a payload and no client to fetch the result with).
std::optional<JobOutcome> OutcomeOf(const WebhookEvent& event);

/// Applies recorded webhooks to their jobs and notifies once per job that finishes.
/// Thread-safe; usually driven by one background thread.
///
/// Like `JobReconciler` and `JobMonitor`, it holds its `TrainingClient` by value (copies share one
/// connection pool); where a client is optional it is a `std::optional<TrainingClient>`.
class JobProcessor {
 public:
  /// `client` (optional) fetches the result when a webhook says OK without a payload.
  JobProcessor(std::shared_ptr<JobStore> store, JobNotifier notifier,
               JobProcessorOptions options = {},
               std::optional<TrainingClient> client = std::nullopt);

  /// Claims and applies up to `batch_size` inbox events; returns how many were processed.
  result<std::size_t> ProcessInbox();
  /// Applies one event for `request_id` if it is in the inbox and unprocessed.
  result<bool> ProcessRequest(std::string_view request_id);
  /// Notifies final jobs whose notification was never claimed (e.g. after a crash).
  result<std::size_t> NotifyPending();
  /// Records an outcome for a job and notifies when it changed the job.
  result<bool> FinishJob(const Job& job, const JobOutcome& outcome);

 private:
  result<bool> Apply(const InboxEvent& event);
  void Notify(std::int64_t job_id);
  void Log(LogLevel level, std::string_view message) const;

  std::shared_ptr<JobStore> store_;
  JobNotifier notifier_;
  JobProcessorOptions options_;
  std::optional<TrainingClient> client_;
};

/// When a TRAINING job counts as stale, how many are checked per pass, and where to log.
struct JobReconcilerOptions {
  /// A TRAINING job with no update and no check for this long is polled.
  std::chrono::seconds stale_after{std::chrono::minutes(30)};
  std::size_t batch_size = 50;  ///< stale jobs checked per `RunOnce`, oldest update first
  LogSink log;  ///< reconciled jobs (info) and failed checks (warning); empty = silent
};

/// Polls fal for stale TRAINING jobs and records their outcome through a `JobProcessor`.
class JobReconciler {
 public:
  /// `client` asks fal about stale jobs (held by value: copies share one connection pool).
  JobReconciler(std::shared_ptr<JobStore> store, std::shared_ptr<JobProcessor> processor,
                TrainingClient client, JobReconcilerOptions options = {},
                std::shared_ptr<Clock> clock = MakeSystemClock());

  /// One pass: for each stale job, applies an inbox event if one arrived (a webhook that came
  /// before the job knew its request id), else asks fal (status, then the result when complete).
  /// Returns how many jobs reached a final status.
  result<std::size_t> RunOnce();

 private:
  void Log(LogLevel level, std::string_view message) const;

  std::shared_ptr<JobStore> store_;
  std::shared_ptr<JobProcessor> processor_;
  TrainingClient client_;
  JobReconcilerOptions options_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace v1
}  // namespace faltrain
