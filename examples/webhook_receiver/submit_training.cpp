// faltrain-webhook-submit: the producer side of the receiver demo. Creates an avatar job in the
// receiver's job store and submits its training with the receiver's webhook URL through `SubmitJob`,
// as an application (e.g. the Telegram bot) does: SUBMITTING before the POST, the job token
// (FALTRAIN_JOB_TOKEN_SECRET) in the webhook URL, TRAINING once fal accepted it. Public API only.
//
//   faltrain-webhook-submit --db FILE|URL --webhook URL [--name NAME] [--user ID] [--images-url URL]
//                           [--style portrait|artistic] [--preset fast|balanced|quality]
// fal's endpoints and key come from the environment (FAL_KEY, FALTRAIN_QUEUE_URL, AVATAR_TEST_MODE...).
// Exit status: 0 TRAINING; 3 SUBMITTING (fal may have it: the webhook or the receiver's reconciler
// decides — do not submit again); 1 failed (the job is FAILED when fal provably never got it).

#include "fault_point.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/jobs/submission.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include "job_store_url.hpp"

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags = {{"--name", "demo avatar"},
                                              {"--user", "demo-user"},
                                              {"--images-url", "https://v3.fal.media/files/demo/faces.zip"},
                                              {"--style", "portrait"},
                                              {"--preset", "fast"}};
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  if (argc % 2 == 0 || flags["--db"].empty() || flags["--webhook"].empty()) {
    std::cerr << "usage: faltrain-webhook-submit --db FILE --webhook URL [--name NAME] [--user ID]\n"
                 "       [--images-url URL] [--style portrait|artistic] [--preset fast|balanced|quality]\n";
    return 2;
  }
  auto fail = [](const faltrain::error& e) {
    std::cerr << "faltrain-webhook-submit: " << e.to_string() << "\n";
    return 1;
  };
  auto config = faltrain::ClientOptions::FromEnvironment();
  if (!config) return fail(config.error());
  auto client = faltrain::CreateTrainingClient(config.value());
  if (!client) return fail(client.error());
  const std::string& db = flags["--db"];
  auto store = faltrain_examples::OpenJobStoreUrl(db, {});
  if (!store) return fail(store.error());

  faltrain::TrainingRequest request;
  request.images_url = flags["--images-url"];
  request.style = flags["--style"] == "artistic" ? faltrain::AvatarStyle::kArtistic : faltrain::AvatarStyle::kPortrait;
  request.preset = flags["--preset"] == "quality"    ? faltrain::QualityPreset::kQuality
                   : flags["--preset"] == "balanced" ? faltrain::QualityPreset::kBalanced
                                                     : faltrain::QualityPreset::kFast;
  auto trainer = client.value().trainers().ForStyle(request.style);
  if (!trainer) return fail(trainer.error());

  // The job exists before the submission, so a fast webhook always finds it.
  auto job = store.value()->CreateJob({flags["--user"], flags["--name"], flags["--style"], flags["--preset"],
                                       trainer.value().endpoint_id});
  if (!job) return fail(job.error());
  FaultPoint("after_create");  // PENDING, nothing sent
  faltrain::JobSubmitOptions options;
  options.submit.webhook_url = flags["--webhook"];
  if (const char* secret = std::getenv("FALTRAIN_JOB_TOKEN_SECRET")) options.job_token_secret = secret;
  auto submitted = faltrain::SubmitJob(*store.value(), client.value(), job.value().id, request, options);
  if (!submitted) return fail(submitted.error());
  FaultPoint("after_submit");
  if (submitted.value().outcome_unknown) {
    std::cout << "job " << job.value().id << " SUBMITTING: outcome unknown ("
              << submitted.value().outcome_unknown->to_string() << "); the webhook or the reconciler decides\n";
    return 3;
  }
  std::cout << "job " << job.value().id << " TRAINING as request "
            << submitted.value().job.handle.request_id << " on " << trainer.value().endpoint_id << "\n";
  return 0;
}
