// Uses an installed faltrain through find_package(faltrain) (every component, one header:
// <faltrain/faltrain.hpp>) and checks what it gets back.
// Exit code 0 only when every check holds.

#include <faltrain/faltrain.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace {

int failures = 0;

void Check(bool ok, const char* what, int line) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "consumer: check failed (line %d): %s\n", line, what);
  }
}
#define CHECK(...) Check(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__, __LINE__)

template <class R>
bool Ok(const R& r, const char* what) {
  if (!r) std::fprintf(stderr, "consumer: %s failed: %s\n", what, r.error().to_string().c_str());
  return static_cast<bool>(r);
}

void CheckPresets() {
  using faltrain::AvatarStyle;
  using faltrain::QualityPreset;
  auto fast = faltrain::GetPreset(AvatarStyle::kPortrait, QualityPreset::kFast);
  CHECK(fast.steps == 500);
  CHECK(fast.learning_rate == 0.0003);
  CHECK(fast.estimate.min.count() == 3 && fast.estimate.max.count() == 5);
  auto quality = faltrain::GetPreset(AvatarStyle::kArtistic, QualityPreset::kQuality);
  CHECK(quality.steps == 1000);
  CHECK(quality.learning_rate_text == "5e-5");
  CHECK(faltrain::AllPresets().size() == 6);
  auto parsed = faltrain::ParseQualityPreset("Balanced");
  CHECK(parsed && parsed.value() == QualityPreset::kBalanced);
  CHECK(!faltrain::ParseAvatarStyle("cubist"));
}

void CheckTrainers() {
  auto registry = faltrain::TrainerRegistry::WithBuiltins();
  auto portrait = registry.ForStyle(faltrain::AvatarStyle::kPortrait);
  CHECK(portrait && portrait.value().endpoint_id == "fal-ai/flux-lora-portrait-trainer");
  auto pro = registry.Find("fal-ai/flux-pro-trainer");
  CHECK(pro && pro.value().deprecated && pro.value().images_field == "data_url");
  CHECK(registry.List().size() >= 4);

  faltrain::TrainerSpec custom;
  custom.endpoint_id = "example/my-trainer";
  custom.images_field = "image_data_url";
  custom.steps_field = "steps";
  custom.default_steps = 700;
  custom.generation_endpoint = "fal-ai/flux-lora";
  CHECK(registry.Register(custom));
  auto found = registry.Find("example/my-trainer");
  CHECK(found && found.value().default_steps == 700);
  CHECK(registry.Find("example/unknown").error().code == faltrain::errc::not_found);
}

faltrain::TrainingSet MakePhotos(int count) {
  faltrain::TrainingSet set;
  for (int i = 0; i < count; ++i) {
    std::string jpeg("\xFF\xD8\xFF\xE0", 4);
    jpeg += "photo " + std::to_string(i);
    CHECK(set.AddImage("face" + std::to_string(i) + ".jpg", jpeg, i == 0 ? "[trigger]" : ""));
  }
  return set;
}

void CheckTrainingSet() {
  auto zip = MakePhotos(10).ToZip();
  CHECK(Ok(zip, "ToZip") && zip.value().compare(0, 2, "PK") == 0);
  CHECK(faltrain::DetectImageType("\x89PNG\r\n\x1A\n") == "image/png");
}

// The client against a scripted transport: a status call decoded from fal's JSON.
void CheckScriptedStatus() {
  auto transport = std::make_shared<faltrain::ScriptedTransport>();
  transport->ExpectResponse(
      202, R"({"status":"IN_QUEUE","request_id":"req-1","queue_position":2})");
  faltrain::ClientOptions config;
  config.api_key = "key-id:key-secret";
  auto client = faltrain::TrainingClient::Create(config, transport);
  if (!Ok(client, "Create")) return ++failures, void();
  faltrain::RequestHandle handle;
  handle.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  handle.request_id = "req-1";
  handle.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/req-1";
  handle.status_url = handle.response_url + "/status";
  handle.cancel_url = handle.response_url + "/cancel";
  auto status = client.value().GetStatus(handle);
  CHECK(Ok(status, "GetStatus"));
  if (status) {
    CHECK(status.value().phase == faltrain::RequestPhase::kInQueue);
    CHECK(status.value().queue_position == 2);
  }
  auto sent = transport->requests();
  CHECK(sent.size() == 1 &&
        sent[0].url.find("/fal-ai/flux-lora-portrait-trainer/requests/req-1/status") !=
            std::string::npos);
}

// Test mode: the whole story against the built-in simulator, on a virtual clock.
void CheckTestMode() {
  faltrain::ClientOptions config;
  config.test_mode = true;
  auto clock = std::make_shared<faltrain::VirtualClock>();
  auto client = faltrain::CreateTrainingClient(config, clock);
  if (!Ok(client, "Create (test mode)")) return ++failures, void();
  auto url = client.value().UploadTrainingSet(MakePhotos(10));
  if (!Ok(url, "UploadTrainingSet")) return ++failures, void();
  faltrain::TrainingRequest request;
  request.images_url = url.value();
  request.preset = faltrain::QualityPreset::kFast;
  request.trigger = "ohwx person";
  auto job = client.value().SubmitTraining(request);
  if (!Ok(job, "SubmitTraining")) return ++failures, void();
  CHECK(job.value().steps == 500);
  int progress_reports = 0;
  faltrain::WatchOptions watch;
  watch.on_progress = [&](const faltrain::Progress&) { ++progress_reports; };
  auto output = client.value().Wait(job.value(), watch);
  if (!Ok(output, "Wait")) return ++failures, void();
  CHECK(output.value().lora_file.has_value());
  CHECK(progress_reports > 0);
  faltrain::GenerateRequest generate;
  generate.prompt = "photo of ohwx person";
  auto images = client.value().Generate(output.value(), generate);
  CHECK(Ok(images, "Generate") && images.value().images.size() == 1);
}

// faltrain::preflight, when installed: links OpenCV through the installed package.
void CheckPreflight() {
#if __has_include(<faltrain/preflight.hpp>)
  faltrain::PreflightOptions options;
  options.detect_faces = false;
  auto report = faltrain::Preflight(faltrain::TrainingSet{}, options);
  CHECK(Ok(report, "Preflight"));
  CHECK(report && report.value().set_reasons.size() == 1 &&
        faltrain::to_string(report.value().set_reasons[0]) == "too_few_photos");
#endif
}

}  // namespace

int main() {
  CHECK(faltrain::version() == "0.1.0");
  CheckPresets();
  CheckTrainers();
  CheckTrainingSet();
  CheckScriptedStatus();
  CheckTestMode();
  CheckPreflight();
  if (failures == 0) std::puts("consumer: all checks passed");
  return failures == 0 ? 0 : 1;
}
