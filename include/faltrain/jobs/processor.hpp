#pragma once
/// @file
/// Turning webhooks into job updates, and making sure no job waits forever for one.
///
/// `JobProcessor` takes recorded inbox events, applies them to their jobs (forward-only) and notifies
/// each job that reaches a final status, at least once: a notification is leased, sent, and marked
/// done only when the notifier confirms it. `JobReconciler` resolves every job that is not final long
/// after its last sign of life: it polls fal for TRAINING jobs, and gives SUBMITTING (and PENDING)
/// jobs that never got news a final, notified outcome — a lost webhook or a crash never strands one.

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

/// One notification of a final job.
struct JobNotification {
  Job job;  ///< the job, in its final status
  /// Stable across re-sends of this notification (`NotificationKey`): a notifier that can
  /// deduplicate (an API taking idempotency keys, a table of sent keys) sends it once.
  std::string idempotency_key;
};

/// Sends one notification. Success confirms it; a failure, an exception or a crash before the
/// confirmation is recorded sends it again once its lease lapsed. So every final job is notified at
/// least once, and twice only when a crash or failure falls between sending and confirming.
using JobNotifier = std::function<result<void>(const JobNotification& notification)>;

/// "job-<id>-<STATUS>": the idempotency key of a final job's notification.
std::string NotificationKey(const Job& job);

/// How a `JobProcessor` claims inbox events and where it logs.
struct JobProcessorOptions {
  /// Events claimed (and notifications sent) per call.
  std::size_t batch_size = 64;
  /// How long a claimed event stays reserved to this process.
  std::chrono::seconds claim_lease{std::chrono::seconds(30)};
  /// How long a notification being sent stays reserved; after it, an unconfirmed one is re-sent.
  std::chrono::seconds notify_lease{std::chrono::seconds(60)};
  /// Receives the processor's log lines.
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

  /// Claims and applies up to `batch_size` inbox events, oldest first, completing them all in one
  /// transaction (`JobStore::CompleteWebhooks`); returns how many were processed. An event
  /// finds its job by request id or, failing that, by its verified job token (`InboxEvent::job_id`)
  /// when that job has no request id yet (it is then recorded as the job's request). Each job that
  /// an event finished is notified after the transaction committed.
  result<std::size_t> ProcessInbox();
  /// Applies one event for `request_id` if it is in the inbox and unprocessed.
  result<bool> ProcessRequest(std::string_view request_id);
  /// Sends notifications of final jobs that are neither confirmed nor leased (e.g. after a crash or
  /// a failed send); returns how many were confirmed.
  result<std::size_t> NotifyPending();
  /// Records an outcome for a job and notifies when it changed the job.
  result<bool> FinishJob(const Job& job, const JobOutcome& outcome);

 private:
  result<WebhookCompletion> Decide(const InboxEvent& event);
  result<std::size_t> Complete(const std::vector<WebhookCompletion>& completions);
  result<Job> FindJobFor(const InboxEvent& inbox, const WebhookEvent& event, std::string& note);
  bool Notify(std::int64_t job_id);
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
  /// A SUBMITTING job with no news for this long becomes FAILED, "submission outcome unknown" (its
  /// user is notified). Long enough for fal to finish a training and retry its webhook (~2 h).
  std::chrono::seconds submit_timeout{std::chrono::hours(24)};
  /// A PENDING job (never submitted: nothing was paid) older than this becomes FAILED.
  std::chrono::seconds pending_timeout{std::chrono::hours(24)};
  /// Jobs looked at per status and pass.
  std::size_t batch_size = 50;
  /// Receives the reconciler's log lines.
  LogSink log;
};

/// Resolves jobs that are not final long after their last sign of life, through a `JobProcessor`:
/// polls fal for stale TRAINING jobs; fails SUBMITTING and PENDING jobs past their timeouts.
class JobReconciler {
 public:
  /// `client` asks fal about stale TRAINING jobs (held by value: copies share one connection
  /// pool). Without one (no fal key), those jobs are only resolved from the inbox and looked at
  /// again later; SUBMITTING and PENDING jobs still reach their final status on time.
  JobReconciler(std::shared_ptr<JobStore> store, std::shared_ptr<JobProcessor> processor,
                std::optional<TrainingClient> client, JobReconcilerOptions options = {},
                std::shared_ptr<Clock> clock = MakeSystemClock());

  /// One pass: for each stale TRAINING job, applies an inbox event if one arrived (a webhook that
  /// came before the job knew its request id), else asks fal (status, then the result when
  /// complete); then gives up on SUBMITTING and PENDING jobs past their timeouts. Returns how many
  /// jobs reached a final status.
  result<std::size_t> RunOnce();

 private:
  result<std::size_t> ReconcileTraining();
  result<std::size_t> GiveUp(JobStatus status, std::chrono::seconds after, std::string_view why);
  std::optional<JobOutcome> AskFal(const Job& job);
  void Log(LogLevel level, std::string_view message) const;

  std::shared_ptr<JobStore> store_;
  std::shared_ptr<JobProcessor> processor_;
  std::optional<TrainingClient> client_;
  JobReconcilerOptions options_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace v1
}  // namespace faltrain
