// JobReconciler: no job waits forever. Stale TRAINING jobs are resolved from the inbox when their
// webhook arrived early, else by asking fal; SUBMITTING and PENDING jobs that never got news are
// given a final, notified outcome.

#include "faltrain/jobs/processor.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {

JobReconciler::JobReconciler(std::shared_ptr<JobStore> store, std::shared_ptr<JobProcessor> processor,
                             std::optional<TrainingClient> client, JobReconcilerOptions options,
                             std::shared_ptr<Clock> clock)
    : store_(std::move(store)), processor_(std::move(processor)), client_(std::move(client)),
      options_(std::move(options)), clock_(clock ? std::move(clock) : MakeSystemClock()) {}

void JobReconciler::Log(LogLevel level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

result<std::size_t> JobReconciler::RunOnce() {
  FALTRAIN_TRY(std::size_t training, ReconcileTraining());
  // A SUBMITTING job may have reached fal: its webhook (matched by the job token) or this timeout
  // decides. A PENDING one never did: nothing was paid.
  FALTRAIN_TRY(std::size_t submitting, GiveUp(JobStatus::kSubmitting, options_.submit_timeout,
                                              "submission outcome unknown"));
  FALTRAIN_TRY(std::size_t pending, GiveUp(JobStatus::kPending, options_.pending_timeout,
                                           "never submitted"));
  return training + submitting + pending;
}

// The outcome fal reports for a TRAINING job, or nullopt while it runs (or fal is unreachable, or
// there is no client to ask).
std::optional<JobOutcome> JobReconciler::AskFal(const Job& job) {
  if (!client_) return std::nullopt;
  const std::string& id = job.handle.request_id;
  auto status = client_->GetStatus(job.handle, false);
  if (!status) {
    Log(LogLevel::kWarning, fmt::format("job {} ({}): status check failed: {}", job.id, id,
                                        status.error().message));
    return std::nullopt;
  }
  if (!status.value().terminal()) return std::nullopt;
  if (!status.value().error.empty()) return JobOutcome{JobStatus::kFailed, "", status.value().error};
  auto output = client_->GetTrainingOutput(job.handle);
  if (output) return JobOutcome{JobStatus::kCompleted, output.value().raw_json, ""};
  if (output.error().code == errc::request_failed) return JobOutcome{JobStatus::kFailed, "", output.error().message};
  Log(LogLevel::kWarning, fmt::format("job {} ({}): result fetch failed: {}", job.id, id, output.error().message));
  return std::nullopt;
}

result<std::size_t> JobReconciler::ReconcileTraining() {
  const WallTime cutoff = clock_->WallNow() - options_.stale_after;
  FALTRAIN_TRY(auto jobs, store_->ListStale(JobStatus::kTraining, cutoff, options_.batch_size));
  std::size_t finished = 0;
  for (const auto& job : jobs) {
    std::optional<JobOutcome> outcome;
    // 1. A webhook already in the inbox (it may have come before the job had its request id).
    if (auto inbox = store_->FindWebhook(job.handle.request_id)) {
      if (auto event = WebhookEvent::Parse(inbox.value().body, {inbox.value().body.size()})) {
        outcome = OutcomeOf(event.value());
      }
    }
    // 2. Ask fal.
    if (!outcome) outcome = AskFal(job);
    if (!outcome) {
      // Still running (or fal unreachable): look again after another `stale_after`.
      FALTRAIN_TRYV(store_->MarkChecked(job.id));
      continue;
    }
    FALTRAIN_TRY(bool changed, processor_->FinishJob(job, *outcome));
    if (changed) {
      ++finished;
      Log(LogLevel::kInfo, fmt::format("reconciled job {} ({}) as {}", job.id, job.handle.request_id,
                                       to_string(outcome->status)));
    }
  }
  return finished;
}

result<std::size_t> JobReconciler::GiveUp(JobStatus status, std::chrono::seconds after, std::string_view why) {
  const WallTime cutoff = clock_->WallNow() - after;
  FALTRAIN_TRY(auto jobs, store_->ListStale(status, cutoff, options_.batch_size));
  std::size_t finished = 0;
  for (const auto& job : jobs) {
    // Only from `status`: a webhook that moved the job on meanwhile wins.
    FALTRAIN_TRY(bool changed, processor_->FinishJob(job, {JobStatus::kFailed, "", std::string(why), status}));
    if (!changed) continue;
    ++finished;
    Log(LogLevel::kWarning, fmt::format("job {} was {} with no news for {} s: FAILED, {}", job.id,
                                        to_string(status), after.count(), why));
  }
  return finished;
}

}  // namespace v1
}  // namespace faltrain
