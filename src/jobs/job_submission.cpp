// SubmitJob: SUBMITTING before the POST, a job token in the webhook URL, one POST, and a verdict that
// fails the job only when fal provably never accepted it.

#include "faltrain/jobs/submission.hpp"

#include "faltrain/webhooks/job_token.hpp"

namespace faltrain {
inline namespace v1 {

bool SubmitNeverAccepted(const error& e) noexcept {
  if (e.http_status >= 400 && e.http_status < 500) return true;  // refused (validation, auth, 429)
  if (e.http_status != 0) return false;                          // 5xx, or a 2xx we could not read
  return e.code == errc::connect_failed || e.code == errc::invalid_argument ||
         e.code == errc::missing_credentials;
}

result<JobSubmission> SubmitJob(JobStore& store, TrainingClient& client, std::int64_t job_id,
                                const TrainingRequest& request, const JobSubmitOptions& options) {
  // Strictly PENDING → SUBMITTING: a job someone marked already is never POSTed again.
  FALTRAIN_TRY(auto submitting, store.MarkSubmitting(job_id));
  SubmitOptions submit = options.submit;
  if (submit.avatar_id.empty()) submit.avatar_id = std::to_string(job_id);
  const std::string& webhook = submit.webhook_url.empty() ? client.options().webhook_url : submit.webhook_url;
  if (!webhook.empty() && !submit.no_webhook && !options.job_token_secret.empty()) {
    FALTRAIN_TRY(submit.webhook_url, JobWebhookUrl(webhook, job_id, options.job_token_secret));
  }

  JobSubmission out;
  auto training = client.SubmitTraining(request, submit);
  if (!training) {
    if (SubmitNeverAccepted(training.error())) {
      FALTRAIN_TRYV(store.Finish(job_id, {JobStatus::kFailed, "", training.error().message}));
      return fail(std::move(training).error());
    }
    out.job = std::move(submitting);
    out.outcome_unknown = std::move(training).error();
    return out;
  }
  auto marked = store.MarkTraining(job_id, training.value().handle);
  if (!marked) {
    // fal accepted it: the job token (or a retry of this record by the caller) finds it later.
    out.job = std::move(submitting);
    out.outcome_unknown = std::move(marked).error();
    out.training = std::move(training).value();
    return out;
  }
  out.job = std::move(marked).value();
  out.training = std::move(training).value();
  return out;
}

}  // namespace v1
}  // namespace faltrain
