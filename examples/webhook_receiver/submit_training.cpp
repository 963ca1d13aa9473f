// faltrain-webhook-submit: the producer side of the receiver demo. Creates an avatar job in the
// receiver's job store, submits its training with the receiver's webhook URL, and marks it TRAINING,
// as an application (e.g. the Telegram bot) does. Public API only.
//
//   faltrain-webhook-submit --db FILE --webhook URL [--name NAME] [--user ID] [--images-url URL]
//                           [--style portrait|artistic] [--preset fast|balanced|quality]
// fal's endpoints and key come from the environment (FAL_KEY, FALTRAIN_QUEUE_URL, AVATAR_TEST_MODE...).

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

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
  auto store = faltrain::OpenSqliteJobStore(flags["--db"]);
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
  faltrain::SubmitOptions options;
  options.webhook_url = flags["--webhook"];
  options.avatar_id = std::to_string(job.value().id);
  auto submitted = client.value().SubmitTraining(request, options);
  if (!submitted) {
    (void)store.value()->Finish(job.value().id, {faltrain::JobStatus::kFailed, "", submitted.error().message});
    return fail(submitted.error());
  }
  auto training = store.value()->MarkTraining(job.value().id, submitted.value().handle);
  if (!training) return fail(training.error());
  std::cout << "job " << job.value().id << " TRAINING as request " << submitted.value().handle.request_id
            << " on " << trainer.value().endpoint_id << "\n";
  return 0;
}
