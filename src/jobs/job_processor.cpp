// JobProcessor: inbox events → forward-only job updates → one notification per finished job.

#include "faltrain/jobs/processor.hpp"

#include <fmt/format.h>

#include <exception>

namespace faltrain {
inline namespace v1 {

std::optional<JobOutcome> OutcomeOf(const WebhookEvent& event) {
  switch (event.status) {
    case WebhookStatus::kOk:
      if (!event.succeeded()) return std::nullopt;  // OK without a payload: fetch the result
      return JobOutcome{JobStatus::kCompleted, event.payload_json, ""};
    case WebhookStatus::kError: {
      std::string why = event.FailureSummary();
      return JobOutcome{JobStatus::kFailed, "", why.empty() ? "fal reported ERROR" : why};
    }
    case WebhookStatus::kUnknown: break;
  }
  return std::nullopt;
}

JobProcessor::JobProcessor(std::shared_ptr<JobStore> store, JobNotifier notifier,
                           JobProcessorOptions options, std::optional<TrainingClient> client)
    : store_(std::move(store)), notifier_(std::move(notifier)), options_(std::move(options)),
      client_(std::move(client)) {}

void JobProcessor::Log(LogLevel level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

void JobProcessor::Notify(std::int64_t job_id) {
  // Read the job before claiming its notification: a claim followed by a failed read (say, the
  // database restarting) would lose the notification for good, while a failed read before the
  // claim leaves the job unnotified for ListUnnotified to retry.
  auto job = store_->FindJob(job_id);
  if (!job) {
    Log(LogLevel::kError, fmt::format("job {}: {}", job_id, job.error().message));
    return;
  }
  auto claimed = store_->ClaimNotification(job_id);
  if (!claimed) {
    Log(LogLevel::kError, fmt::format("job {}: claiming its notification failed: {}", job_id,
                                      claimed.error().message));
    return;
  }
  if (!claimed.value()) return;  // someone already notified
  if (!notifier_) return;
  // The notifier is user code; an exception must not stop the processing loop.
  try {
    notifier_(job.value());
  } catch (const std::exception& e) {
    Log(LogLevel::kError, fmt::format("job {}: notifier threw: {}", job_id, e.what()));
  } catch (...) {
    Log(LogLevel::kError, fmt::format("job {}: notifier threw", job_id));
  }
}

result<bool> JobProcessor::FinishJob(const Job& job, const JobOutcome& outcome) {
  FALTRAIN_TRY(bool changed, store_->Finish(job.id, outcome));
  if (changed) Notify(job.id);
  return changed;
}

result<bool> JobProcessor::Apply(const InboxEvent& inbox) {
  auto parsed = WebhookEvent::Parse(inbox.body, {inbox.body.size()});
  if (!parsed) {
    // It was verified and parsed before it was stored, so this only happens to a corrupted row.
    FALTRAIN_TRYV(store_->CompleteWebhook(inbox.request_id,
                                          "unparsable: " + parsed.error().message));
    return false;
  }
  const WebhookEvent& event = parsed.value();
  auto job = store_->FindJobByRequestId(inbox.request_id);
  if (!job) {
    if (job.error().code != errc::not_found) return fail(std::move(job).error());
    // A webhook can beat the job's own TRAINING update; the reconciler finds it here later.
    Log(LogLevel::kWarning, fmt::format("webhook for unknown request {}", inbox.request_id));
    FALTRAIN_TRYV(store_->CompleteWebhook(inbox.request_id, "no job with this request id"));
    return false;
  }
  auto outcome = OutcomeOf(event);
  if (!outcome && event.status == WebhookStatus::kOk && client_) {
    auto output = client_->GetTrainingOutput(job.value().handle);
    if (output) {
      outcome = JobOutcome{JobStatus::kCompleted, output.value().raw_json, ""};
    } else if (output.error().code == errc::request_failed) {
      outcome = JobOutcome{JobStatus::kFailed, "", output.error().message};
    } else {
      return fail(std::move(output).error());  // transient: the claim lapses and it is retried
    }
  }
  if (!outcome) {
    FALTRAIN_TRYV(store_->CompleteWebhook(
        inbox.request_id, fmt::format("no outcome from status \"{}\"", event.status_text)));
    return false;
  }
  FALTRAIN_TRY(bool changed, store_->CompleteWebhook(
                                 inbox.request_id, "applied", job.value().id, outcome));
  if (changed) {
    Log(LogLevel::kInfo, fmt::format("job {} ({}) is {}", job.value().id, inbox.request_id,
                                     to_string(outcome->status)));
    Notify(job.value().id);
  }
  return changed;
}

result<std::size_t> JobProcessor::ProcessInbox() {
  FALTRAIN_TRY(auto events, store_->ClaimWebhooks(options_.batch_size, options_.claim_lease));
  std::size_t processed = 0;
  for (const auto& event : events) {
    auto applied = Apply(event);
    if (applied) {
      ++processed;
    } else {
      Log(LogLevel::kWarning, fmt::format("webhook {}: {} (retried later)", event.request_id,
                                          applied.error().message));
    }
  }
  return processed;
}

result<bool> JobProcessor::ProcessRequest(std::string_view request_id) {
  FALTRAIN_TRY(auto event, store_->FindWebhook(request_id));
  if (event.processed) return false;
  return Apply(event);
}

result<std::size_t> JobProcessor::NotifyPending() {
  FALTRAIN_TRY(auto jobs, store_->ListUnnotified(options_.batch_size));
  for (const auto& job : jobs) Notify(job.id);
  return jobs.size();
}

}  // namespace v1
}  // namespace faltrain
