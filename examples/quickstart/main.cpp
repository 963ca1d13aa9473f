// faltrain in one page: photos -> training -> progress -> result -> an image with the new avatar.
//
//   faltrain-quickstart PHOTOS_DIR [portrait|artistic] [fast|balanced|quality]
//
// With AVATAR_TEST_MODE=true it runs offline against the built-in simulator (no key, no cost;
// FAL_MOCK_TRAINING_DURATION sets the simulated training time). Otherwise it needs FAL_KEY and
// trains on fal for real. PHOTOS_DIR holds JPEG/PNG/WebP photos, each optionally with a caption in
// <name>.txt. Exit code 0 on success, 1 on bad arguments, 2 on any other error.

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>

#include <cstdio>
#include <string>

namespace {

int Fail(const char* step, const faltrain::error& e) {
  // error::to_string carries the code, HTTP status, fal's error type, request id and field errors.
  std::fprintf(stderr, "quickstart: %s failed: %s\n", step, e.to_string().c_str());
  return 2;
}

int Usage(const char* program, const faltrain::error& e) {
  if (!e.message.empty()) std::fprintf(stderr, "quickstart: %s\n", e.message.c_str());
  std::fprintf(stderr, "usage: %s PHOTOS_DIR [portrait|artistic] [fast|balanced|quality]\n",
               program);
  return 1;
}

void PrintProgress(const faltrain::Progress& p) {
  std::printf("  %-13s %5.1f%%", p.phase_text.c_str(), p.percent);
  if (p.queue_position) std::printf("  queue position %d", *p.queue_position);
  if (p.step && p.total_steps) {
    std::printf("  step %lld/%lld", static_cast<long long>(*p.step),
                static_cast<long long>(*p.total_steps));
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) return Usage(argv[0], faltrain::error{});
  faltrain::TrainingRequest request;
  if (argc > 2) {
    auto style = faltrain::ParseAvatarStyle(argv[2]);
    if (!style) return Usage(argv[0], style.error());
    request.style = style.value();
  }
  if (argc > 3) {
    auto preset = faltrain::ParseQualityPreset(argv[3]);
    if (!preset) return Usage(argv[0], preset.error());
    request.preset = preset.value();
  }

  // FAL_KEY, AVATAR_TEST_MODE, FAL_WEBHOOK_URL, host overrides, timeouts: see README.md.
  auto config = faltrain::ClientOptions::FromEnvironment();
  if (!config) return Fail("reading the configuration", config.error());
  auto created = faltrain::CreateTrainingClient(config.value());
  if (!created) return Fail("creating the client", created.error());
  faltrain::TrainingClient& client = created.value();

  // 1. The photos: validated by content, zipped with their captions, uploaded to fal storage.
  faltrain::TrainingSet photos;
  if (auto added = photos.AddDirectory(argv[1]); !added) return Fail("reading the photos", added.error());
  auto zip_url = client.UploadTrainingSet(photos, request.style);
  if (!zip_url) return Fail("uploading the photos", zip_url.error());
  std::printf("uploaded %zu photos: %s\n", photos.images().size(), zip_url.value().c_str());

  // 2. The training: the trainer follows from the style, steps and learning rate from the preset.
  request.images_url = zip_url.value();
  auto job = client.SubmitTraining(request);
  if (!job) return Fail("submitting the training", job.error());
  std::printf("training %s with %s (%s preset, %lld steps), request id %s\n",
              std::string(faltrain::to_string(request.style)).c_str(),
              job.value().trainer.endpoint_id.c_str(),
              std::string(faltrain::to_string(request.preset)).c_str(),
              static_cast<long long>(job.value().steps), job.value().handle.request_id.c_str());

  // 3. Progress until fal says COMPLETED (adaptive polling; a product would rather wait for the
  //    webhook, see examples/webhook_receiver), then the typed output.
  faltrain::WatchOptions watch;
  watch.on_progress = PrintProgress;
  auto trained = client.Wait(job.value(), watch);
  if (!trained) return Fail("training", trained.error());
  if (trained.value().lora_file) {
    std::printf("LoRA weights: %s\n", trained.value().lora_file->url.c_str());
  } else {
    std::printf("finetune id: %s\n", trained.value().finetune_id.c_str());
  }

  // 4. An image with the new avatar: the prompt names it by its trigger phrase.
  const std::string& trigger =
      request.trigger.empty() ? job.value().trainer.default_trigger : request.trigger;
  faltrain::GenerateRequest generate;
  generate.prompt = "photo of " + trigger + " as an astronaut, studio light";
  auto images = client.Generate(trained.value(), generate);
  if (!images) return Fail("generating an image", images.error());
  for (const auto& image : images.value().images) {
    std::printf("image: %s (%dx%d)\n", image.url.c_str(), image.width, image.height);
  }
  return 0;
}
