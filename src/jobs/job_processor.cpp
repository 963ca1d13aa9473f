// JobProcessor: inbox events → forward-only job updates → notifications, at least once.

#include "faltrain/jobs/processor.hpp"

#include "client/detail/queue_protocol.hpp"

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

std::string NotificationKey(const Job& job) {
  return fmt::format("job-{}-{}", job.id, to_string(job.status));
}

JobProcessor::JobProcessor(std::shared_ptr<JobStore> store, JobNotifier notifier,
                           JobProcessorOptions options, std::optional<TrainingClient> client)
    : store_(std::move(store)), notifier_(std::move(notifier)), options_(std::move(options)),
      client_(std::move(client)) {}

void JobProcessor::Log(LogLevel level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

// Lease, send, confirm. The lease keeps a concurrent sender off while this one works; a crash or a
// failure leaves the notification unconfirmed, and NotifyPending sends it again after the lease.
// Returns whether it was confirmed.
bool JobProcessor::Notify(std::int64_t job_id) {
  auto claimed = store_->ClaimNotification(job_id, options_.notify_lease);
  if (!claimed) {
    Log(LogLevel::kError, fmt::format("job {}: leasing its notification failed: {}", job_id,
                                      claimed.error().message));
    return false;
  }
  if (!claimed.value()) return false;  // confirmed already, or someone else is sending it
  auto job = store_->FindJob(job_id);
  if (!job) {
    Log(LogLevel::kError, fmt::format("job {}: {}", job_id, job.error().message));
    return false;
  }
  result<void> sent = success();
  if (notifier_) {
    JobNotification notification{job.value(), NotificationKey(job.value())};
    // The notifier is user code; an exception must not stop the processing loop.
    try {
      sent = notifier_(notification);
    } catch (const std::exception& e) {
      sent = fail(errc::io_error, fmt::format("notifier threw: {}", e.what()));
    } catch (...) {
      sent = fail(errc::io_error, "notifier threw");
    }
  }
  if (!sent) {
    Log(LogLevel::kWarning, fmt::format("job {}: notification not confirmed, sent again in {} s: {}", job_id,
                                        options_.notify_lease.count(), sent.error().message));
    return false;
  }
  if (auto confirmed = store_->ConfirmNotification(job_id); !confirmed) {
    Log(LogLevel::kError, fmt::format("job {}: recording its notification failed (it may be sent again): {}",
                                      job_id, confirmed.error().message));
    return false;
  }
  return true;
}

result<bool> JobProcessor::FinishJob(const Job& job, const JobOutcome& outcome) {
  FALTRAIN_TRY(bool changed, store_->Finish(job.id, outcome));
  if (changed) Notify(job.id);
  return changed;
}

// The event's job: by request id, else the SUBMITTING job its verified token names, which takes
// the request id now (the process that submitted it died or lost fal's answer). `note` says why
// there is none when the result is not_found.
result<Job> JobProcessor::FindJobFor(const InboxEvent& inbox, const WebhookEvent& event, std::string& note) {
  auto job = store_->FindJobByRequestId(inbox.request_id);
  if (job || job.error().code != errc::not_found) return job;
  note = "no job with this request id";
  if (!inbox.job_id) return job;
  auto named = store_->FindJob(*inbox.job_id);
  if (!named) {
    if (named.error().code == errc::not_found) note += "; its job token names no job";
    return named;
  }
  const Job& candidate = named.value();
  if (candidate.status != JobStatus::kSubmitting || !candidate.handle.request_id.empty()) {
    // A stale or replayed token: its job has its own request, or was never submitted.
    note += fmt::format("; its job token names job {}, which is {}", candidate.id, to_string(candidate.status));
    return fail(errc::not_found, note);
  }
  RequestHandle handle;
  handle.endpoint_id = candidate.trainer;
  if (client_) {
    if (auto endpoint = EndpointId::Parse(candidate.trainer)) {
      handle = detail::BuildHandle(client_->options().endpoints.queue_url, endpoint.value(), inbox.request_id);
    }
  }
  handle.request_id = inbox.request_id;
  handle.gateway_request_id = event.gateway_request_id;
  Log(LogLevel::kInfo, fmt::format("webhook {} matched SUBMITTING job {} by its job token", inbox.request_id,
                                   candidate.id));
  return store_->MarkTraining(candidate.id, handle);
}

// What processing `inbox` means: which job it finishes (if any) and the note to record. Writes
// nothing itself except a job token's MarkTraining (FindJobFor); the completion is committed later,
// with the rest of its batch.
result<WebhookCompletion> JobProcessor::Decide(const InboxEvent& inbox) {
  WebhookCompletion completion;
  completion.request_id = inbox.request_id;
  auto parsed = WebhookEvent::Parse(inbox.body, {inbox.body.size()});
  if (!parsed) {
    // It was verified and parsed before it was stored, so this only happens to a corrupted row.
    completion.note = "unparsable: " + parsed.error().message;
    return completion;
  }
  const WebhookEvent& event = parsed.value();
  std::string note;
  auto job = FindJobFor(inbox, event, note);
  if (!job) {
    if (job.error().code != errc::not_found) return fail(std::move(job).error());
    // A webhook can beat the job's own TRAINING update; the reconciler finds it here later.
    Log(LogLevel::kWarning, fmt::format("webhook for unknown request {}: {}", inbox.request_id, note));
    completion.note = std::move(note);
    return completion;
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
    completion.note = fmt::format("no outcome from status \"{}\"", event.status_text);
    return completion;
  }
  completion.note = "applied";
  completion.job_id = job.value().id;
  completion.outcome = std::move(outcome);
  return completion;
}

// Commits the completions in one transaction, then notifies each job it finished.
result<std::size_t> JobProcessor::Complete(const std::vector<WebhookCompletion>& completions) {
  if (completions.empty()) return std::size_t{0};
  FALTRAIN_TRY(auto changed, store_->CompleteWebhooks(completions));
  std::size_t finished = 0;
  for (std::size_t i = 0; i < completions.size() && i < changed.size(); ++i) {
    if (!changed[i]) continue;
    const WebhookCompletion& c = completions[i];
    ++finished;
    Log(LogLevel::kInfo, fmt::format("job {} ({}) is {}", *c.job_id, c.request_id, to_string(c.outcome->status)));
    Notify(*c.job_id);
  }
  return finished;
}

// Claims a batch, decides every event, and completes them all in one transaction (one fsync for
// the batch rather than one per event). An event that cannot be decided now is left claimed: its
// lease lapses and a later batch retries it.
result<std::size_t> JobProcessor::ProcessInbox() {
  FALTRAIN_TRY(auto events, store_->ClaimWebhooks(options_.batch_size, options_.claim_lease));
  std::vector<WebhookCompletion> completions;
  completions.reserve(events.size());
  for (const auto& event : events) {
    auto decided = Decide(event);
    if (decided) {
      completions.push_back(std::move(decided).value());
    } else {
      Log(LogLevel::kWarning, fmt::format("webhook {}: {} (retried later)", event.request_id,
                                          decided.error().message));
    }
  }
  FALTRAIN_TRYV(Complete(completions));
  return completions.size();
}

result<bool> JobProcessor::ProcessRequest(std::string_view request_id) {
  FALTRAIN_TRY(auto event, store_->FindWebhook(request_id));
  if (event.processed) return false;
  FALTRAIN_TRY(auto completion, Decide(event));
  FALTRAIN_TRY(auto finished, Complete({completion}));
  return finished > 0;
}

result<std::size_t> JobProcessor::NotifyPending() {
  FALTRAIN_TRY(auto jobs, store_->ListUnnotified(options_.batch_size));
  std::size_t confirmed = 0;
  for (const auto& job : jobs) confirmed += Notify(job.id) ? 1 : 0;
  return confirmed;
}

}  // namespace v1
}  // namespace faltrain
