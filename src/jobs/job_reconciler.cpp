// JobReconciler: a lost webhook must never strand an avatar. Stale TRAINING jobs are resolved from
// the inbox when their webhook arrived early, else by asking fal.

#include "faltrain/jobs/processor.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {

JobReconciler::JobReconciler(std::shared_ptr<JobStore> store, std::shared_ptr<JobProcessor> processor,
                             TrainingClient client, JobReconcilerOptions options,
                             std::shared_ptr<Clock> clock)
    : store_(std::move(store)), processor_(std::move(processor)), client_(std::move(client)),
      options_(std::move(options)), clock_(clock ? std::move(clock) : MakeSystemClock()) {}

void JobReconciler::Log(LogLevel level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

result<std::size_t> JobReconciler::RunOnce() {
  const WallTime cutoff = clock_->WallNow() - options_.stale_after;
  FALTRAIN_TRY(auto jobs, store_->ListStaleTraining(cutoff, options_.batch_size));
  std::size_t finished = 0;
  for (const auto& job : jobs) {
    const std::string& id = job.handle.request_id;
    std::optional<JobOutcome> outcome;

    // 1. A webhook already in the inbox (it may have come before the job had its request id).
    if (auto inbox = store_->FindWebhook(id)) {
      if (auto event = WebhookEvent::Parse(inbox.value().body, {inbox.value().body.size()})) {
        outcome = OutcomeOf(event.value());
      }
    }

    // 2. Ask fal.
    if (!outcome) {
      auto status = client_.GetStatus(job.handle, false);
      if (!status) {
        Log(LogLevel::kWarning, fmt::format("job {} ({}): status check failed: {}", job.id, id,
                                            status.error().message));
      } else if (status.value().terminal()) {
        if (!status.value().error.empty()) {
          outcome = JobOutcome{JobStatus::kFailed, "", status.value().error};
        } else if (auto output = client_.GetTrainingOutput(job.handle)) {
          outcome = JobOutcome{JobStatus::kCompleted, output.value().raw_json, ""};
        } else if (output.error().code == errc::request_failed) {
          outcome = JobOutcome{JobStatus::kFailed, "", output.error().message};
        } else {
          Log(LogLevel::kWarning, fmt::format("job {} ({}): result fetch failed: {}", job.id, id,
                                              output.error().message));
        }
      }
    }

    if (outcome) {
      FALTRAIN_TRY(bool changed, processor_->FinishJob(job, *outcome));
      if (changed) {
        ++finished;
        Log(LogLevel::kInfo, fmt::format("reconciled job {} ({}) as {}", job.id, id,
                                         to_string(outcome->status)));
      }
    } else {
      // Still running (or fal unreachable): look again after another `stale_after`.
      FALTRAIN_TRYV(store_->MarkChecked(job.id));
    }
  }
  return finished;
}

}  // namespace v1
}  // namespace faltrain
