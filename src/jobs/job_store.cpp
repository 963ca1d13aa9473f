// Job statuses and the forward-only transition rule shared by every JobStore backend.

#include "faltrain/jobs/job_store.hpp"

#include "client/detail/enum_text.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {

std::string_view to_string(JobStatus s) noexcept {
  switch (s) {
    case JobStatus::kPending: return "PENDING";
    case JobStatus::kSubmitting: return "SUBMITTING";
    case JobStatus::kTraining: return "TRAINING";
    case JobStatus::kCompleted: return "COMPLETED";
    case JobStatus::kFailed: return "FAILED";
    case JobStatus::kCancelled: return "CANCELLED";
  }
  return "PENDING";
}

result<JobStatus> ParseJobStatus(std::string_view text) {
  return detail::ParseEnum(text, "job status",
                           {JobStatus::kPending, JobStatus::kSubmitting, JobStatus::kTraining,
                            JobStatus::kCompleted, JobStatus::kFailed, JobStatus::kCancelled});
}

result<std::vector<bool>> JobStore::CompleteWebhooks(const std::vector<WebhookCompletion>& completions) {
  std::vector<bool> changed;
  changed.reserve(completions.size());
  for (const auto& c : completions) {
    auto one = CompleteWebhook(c.request_id, c.note, c.job_id, c.outcome);
    if (!one && one.error().code != errc::not_found) return fail(std::move(one).error());
    changed.push_back(one && one.value());
  }
  return changed;
}

bool IsFinal(JobStatus s) noexcept {
  return s == JobStatus::kCompleted || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

bool IsAllowedTransition(JobStatus from, JobStatus to) noexcept {
  switch (from) {
    case JobStatus::kPending: return to != JobStatus::kPending;
    case JobStatus::kSubmitting: return to == JobStatus::kTraining || IsFinal(to);
    case JobStatus::kTraining: return IsFinal(to);
    default: return false;  // final states are final
  }
}

}  // namespace v1
}  // namespace faltrain
