#pragma once
/// @file
/// Submitting a job's training so that no outcome strands it and nothing is paid twice:
///
///   1. the job is recorded SUBMITTING before the POST (a crash from here on leaves a trace);
///   2. the webhook URL carries the job's token (job_token.hpp), so fal's webhook finds the job even
///      if this process never learns the request id;
///   3. the POST is sent once (the client retries a submit only when fal provably never got it);
///   4. accepted: the job becomes TRAINING with its request. Provably refused (no connection, a 4xx):
///      the job becomes FAILED. Anything else (a timeout or a lost answer after the body went out):
///      the job stays SUBMITTING and the webhook or the reconciler decides — never submit it again.

#include <faltrain/client/error.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/training_client.hpp>
#include <faltrain/jobs/job_store.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace faltrain {
inline namespace v1 {

/// How `SubmitJob` submits: the submit options and the job-token secret.
struct JobSubmitOptions {
  /// Other submit options. Its `webhook_url` (else `ClientOptions::webhook_url`) gets the job token;
  /// its `avatar_id`, when empty, becomes the job id.
  SubmitOptions submit;
  /// The secret of job tokens (configuration, never logged); empty: the webhook URL has no token.
  std::string job_token_secret;
};

/// What became of a submission that did not fail.
struct JobSubmission {
  /// The job: TRAINING, or SUBMITTING when `outcome_unknown` is set.
  Job job;
  /// What fal accepted (set whenever fal accepted it, even if recording TRAINING failed).
  std::optional<TrainingJob> training;
  /// Why the job stays SUBMITTING: the POST may have reached fal but its answer was lost, or fal
  /// accepted it and recording that failed. The webhook or the reconciler decides.
  std::optional<error> outcome_unknown;
};

/// True when a failed submit provably never started a training on fal: no connection was made, the
/// request was refused before it was sent (bad input, no key), or fal answered 4xx.
bool SubmitNeverAccepted(const error& e) noexcept;

/// Submits PENDING job `job_id` as described at the top of this header. Fails without a POST when
/// the job is not PENDING or the store cannot record SUBMITTING; fails with the submit's error,
/// after recording the job FAILED, when fal provably never accepted it.
result<JobSubmission> SubmitJob(JobStore& store, TrainingClient& client, std::int64_t job_id,
                                const TrainingRequest& request, const JobSubmitOptions& options = {});

}  // namespace v1
}  // namespace faltrain
