#pragma once
/// @file
/// Durable job records: avatars and their fal trainings, plus an inbox of received webhooks.
///
/// `JobStore` is backend-neutral; the backends are `faltrain::sqlite` (<faltrain/sqlite.hpp>) and
/// `faltrain::postgres` (<faltrain/postgres.hpp>). A job moves forward only:
///   PENDING → SUBMITTING → TRAINING → COMPLETED | FAILED | CANCELLED
/// and any pre-final status may end directly. SUBMITTING is recorded before the submit POST, so a
/// crash or a lost answer after fal accepted it never leaves a paid training without its job.
/// The webhook inbox is keyed by request id, so a duplicate delivery is stored once and processed once.
/// Final jobs are also the notification outbox: a notification is leased, sent, then confirmed.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/webhooks/inbox.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// Where a job is in its life; see the forward-only rule above.
enum class JobStatus {
  kPending,     ///< created; nothing was sent to fal yet
  kSubmitting,  ///< about to be (or being) submitted: fal may have accepted it, the request id is unknown
  kTraining,    ///< fal accepted it; `Job::handle` names the request
  kCompleted,   ///< final: trained, `Job::output_json` holds the trainer output
  kFailed,      ///< final: `Job::error` says why
  kCancelled,   ///< final: cancelled by the user
};
/// "PENDING", "SUBMITTING", "TRAINING", "COMPLETED", "FAILED", "CANCELLED".
std::string_view to_string(JobStatus s) noexcept;
/// The inverse of `to_string(JobStatus)`; case-insensitive.
result<JobStatus> ParseJobStatus(std::string_view text);
/// COMPLETED, FAILED or CANCELLED: nothing changes the job any more.
bool IsFinal(JobStatus s) noexcept;
/// The forward-only rule: PENDING → SUBMITTING → TRAINING → final, any pre-final status → final;
/// nothing leaves a final state.
bool IsAllowedTransition(JobStatus from, JobStatus to) noexcept;

/// An avatar and its training.
struct Job {
  std::int64_t id = 0;  ///< assigned by the store at `CreateJob`: positive, never reused
  std::string user_id;  ///< the avatar's owner in the application (e.g. a chat id); opaque here
  std::string name;     ///< the avatar's name, as shown to its user
  std::string style;    ///< e.g. "portrait", "artistic"
  std::string preset;   ///< e.g. "balanced"
  std::string trainer;  ///< endpoint id
  JobStatus status = JobStatus::kPending;  ///< see `JobStatus`
  RequestHandle handle;        ///< request id and fal URLs once submitted
  double progress = 0;         ///< 0..1
  std::string output_json;     ///< the trainer output when COMPLETED
  std::string error;           ///< why it FAILED
  WallTime created_at{};                       ///< when `CreateJob` stored it
  WallTime updated_at{};                       ///< last change of status, progress or request
  std::optional<WallTime> training_started_at; ///< when it became TRAINING (`MarkTraining`)
  std::optional<WallTime> finished_at;         ///< when it reached its final status
  /// When the reconciler last asked fal about this job.
  std::optional<WallTime> last_checked_at;
  /// When the notifier confirmed the final-status notification (sent at least once).
  std::optional<WallTime> notified_at;
  /// Until when a notifier holds the lease on sending it (a crashed notifier's lease lapses).
  std::optional<WallTime> notify_claimed_until;
};

/// What `JobStore::CreateJob` needs; the fields are stored as given (see `Job`).
struct NewJob {
  std::string user_id;  ///< the application's owner of the avatar
  std::string name;     ///< the avatar's name
  std::string style;    ///< e.g. "portrait" (`to_string(AvatarStyle)`)
  std::string preset;   ///< e.g. "balanced" (`to_string(QualityPreset)`)
  std::string trainer;  ///< the trainer's endpoint id
};

/// A final outcome to record.
struct JobOutcome {
  JobOutcome() = default;
  /// `{status, output_json, error}` as an aggregate would take them, plus the optional `only_from`.
  JobOutcome(JobStatus status, std::string output_json, std::string error,
             std::optional<JobStatus> only_from = std::nullopt)
      : status(status), output_json(std::move(output_json)), error(std::move(error)),
        only_from(only_from) {}

  JobStatus status = JobStatus::kCompleted;  ///< COMPLETED, FAILED or CANCELLED
  std::string output_json;                   ///< the trainer output (COMPLETED)
  std::string error;                         ///< why (FAILED, CANCELLED)
  /// When set, the outcome applies only to a job still in this status (e.g. a timeout that must not
  /// override a webhook that moved the job on meanwhile).
  std::optional<JobStatus> only_from;
};

/// One event's `JobStore::CompleteWebhook`, for `JobStore::CompleteWebhooks`.
struct WebhookCompletion {
  std::string request_id;  ///< the inbox event to mark processed
  std::string note;        ///< what processing did ("applied", "no job with this request id", ...)
  std::optional<std::int64_t> job_id;  ///< with `outcome`: the job to finish in the same transaction
  std::optional<JobOutcome> outcome;   ///< the job's final outcome (see `JobStore::Finish`)
};

/// Storage of jobs and the webhook inbox. Implementations are thread-safe; every call is atomic.
class JobStore : public WebhookInbox {
 public:
  ~JobStore() override = default;

  // -- jobs ----------------------------------------------------------------------------------
  /// A new PENDING job.
  virtual result<Job> CreateJob(const NewJob& job) = 0;
  /// The job with that id, or `errc::not_found`.
  virtual result<Job> FindJob(std::int64_t id) = 0;
  /// The job whose fal request id is `request_id`, or `errc::not_found`.
  virtual result<Job> FindJobByRequestId(std::string_view request_id) = 0;
  /// Up to `limit` jobs in `status`, oldest (lowest id) first.
  virtual result<std::vector<Job>> ListJobs(JobStatus status, std::size_t limit = 1000) = 0;
  /// Jobs in the pre-final `status` neither updated nor checked since `cutoff` (oldest first).
  /// Fails with `errc::invalid_argument` for a final status.
  virtual result<std::vector<Job>> ListStale(JobStatus status, WallTime cutoff,
                                             std::size_t limit = 100) = 0;
  /// `ListStale(JobStatus::kTraining, cutoff, limit)`.
  result<std::vector<Job>> ListStaleTraining(WallTime cutoff, std::size_t limit = 100) {
    return ListStale(JobStatus::kTraining, cutoff, limit);
  }
  /// Final jobs whose notification is neither confirmed nor leased (oldest first).
  virtual result<std::vector<Job>> ListUnnotified(std::size_t limit = 100) = 0;

  /// PENDING → SUBMITTING: records the intent to submit before the POST. Fails with
  /// `errc::invalid_argument` from any other status (SUBMITTING included: whoever marked it owns
  /// the one POST).
  virtual result<Job> MarkSubmitting(std::int64_t id) = 0;
  /// PENDING or SUBMITTING → TRAINING with the submitted request. Idempotent: when the job already
  /// has this request id (a webhook came first), it succeeds and only fills URLs it lacked. Fails
  /// with `errc::invalid_argument` from any other status, or when the request id already belongs to
  /// another job.
  virtual result<Job> MarkTraining(std::int64_t id, const RequestHandle& handle) = 0;
  /// Progress of a TRAINING job (clamped to 0..1); ignored for final jobs.
  virtual result<void> UpdateProgress(std::int64_t id, double progress) = 0;
  /// Records a final outcome. Returns true when this call moved the job to `outcome.status`,
  /// false when the job already was final (anything: the first final status wins) or was not in
  /// `outcome.only_from`.
  virtual result<bool> Finish(std::int64_t id, const JobOutcome& outcome) = 0;
  /// Notes that the reconciler asked fal about the job now.
  virtual result<void> MarkChecked(std::int64_t id) = 0;
  /// Leases the right to send a final job's notification for `lease`: true when this caller holds
  /// it now (not confirmed, no live lease); false otherwise. A lapsed lease can be taken again.
  virtual result<bool> ClaimNotification(std::int64_t id, std::chrono::seconds lease) = 0;
  /// Marks the notification delivered (after the notifier confirmed it); it is never sent again.
  virtual result<void> ConfirmNotification(std::int64_t id) = 0;
  /// Drops notification leases of processes that are gone, so their unconfirmed notifications are
  /// sent at once (at startup). SQLite: every lease (one consumer); PostgreSQL: those of this
  /// instance and of instances with no open session, as `ReleaseWebhookClaims`.
  virtual result<void> ReleaseNotificationClaims() = 0;

  // -- webhook inbox -------------------------------------------------------------------------
  // RecordWebhook comes from WebhookInbox.
  /// The stored event for a request id, or `errc::not_found`.
  virtual result<InboxEvent> FindWebhook(std::string_view request_id) = 0;
  /// Unprocessed events not claimed by someone else in the last `lease`, oldest first; claims
  /// them for `lease`. An event claimed by a crashed process is claimable again after its lease.
  virtual result<std::vector<InboxEvent>> ClaimWebhooks(std::size_t limit,
                                                        std::chrono::seconds lease) = 0;
  /// Drops every claim (at startup, when this process is the only consumer).
  virtual result<void> ReleaseWebhookClaims() = 0;
  /// Marks an event processed. With `job_id` and `outcome`, the job's `Finish` happens in the same
  /// transaction; returns whether the job changed (as `Finish`).
  virtual result<bool> CompleteWebhook(std::string_view request_id, std::string_view note,
                                       std::optional<std::int64_t> job_id = std::nullopt,
                                       const std::optional<JobOutcome>& outcome = std::nullopt) = 0;
  /// `CompleteWebhook` for many events in one transaction, in order (so of two outcomes for one job
  /// the first wins, as one by one); returns, per completion, whether its job changed. An event
  /// already processed (by another instance) or not in the inbox changes nothing and yields false.
  /// SQLite and PostgreSQL: all or nothing. This default completes them one by one.
  virtual result<std::vector<bool>> CompleteWebhooks(const std::vector<WebhookCompletion>& completions);
  /// Counts for health checks and tests.
  virtual result<std::size_t> CountWebhooks(bool unprocessed_only) = 0;
};

}  // namespace v1
}  // namespace faltrain
