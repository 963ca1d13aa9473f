// TrainingClient driven over SimTransport with a VirtualClock: whole trainings with progress,
// generation with the result, uploads, cancel, 422s, retries under injected 429/503, and no
// duplicate submission when the connection drops after the submit reached the simulator.

#include "sim_test_helpers.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>

#include <atomic>
#include <cstdlib>
#include <regex>

using namespace faltrain;
using namespace sim_test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  explicit Fixture(std::vector<SimFault> faults = {}, bool validate_on_submit = false)
      : clock(std::make_shared<VirtualClock>()) {
    SimOptions o;
    o.seed = 2024;
    o.training_duration = 20min;
    o.delivery = SimDelivery::kManual;
    o.faults = std::move(faults);
    o.validate_on_submit = validate_on_submit;
    o.on_event = [this](const std::string& line) {
      if (line.rfind("fault ", 0) == 0) ++faults_fired;
    };
    sim = std::make_shared<SimTransport>(o, clock);
    ClientOptions config;
    config.test_mode = true;
    config.retry.initial_backoff = 1s;
    auto created = TrainingClient::Create(config, sim, clock);
    REQUIRE(created.has_value());
    client = std::make_unique<TrainingClient>(std::move(created).value());
  }
  std::shared_ptr<VirtualClock> clock;
  std::atomic<int> faults_fired{0};
  std::shared_ptr<SimTransport> sim;
  std::unique_ptr<TrainingClient> client;
};

TrainingRequest Portrait(QualityPreset preset = QualityPreset::kFast) {
  TrainingRequest r;
  r.images_url = "https://v3.fal.media/files/rabbit/abc_faces.zip";
  r.style = AvatarStyle::kPortrait;
  r.preset = preset;
  return r;
}

SubmitOptions ForAvatar(std::string avatar) {
  SubmitOptions o;
  o.avatar_id = std::move(avatar);
  return o;
}

}  // namespace

TEST_CASE("a portrait training runs to completion with queue positions, steps and rising progress") {
  Fixture f;
  auto job = f.client->SubmitTraining(Portrait(), ForAvatar("avatar-42-xyz"));
  REQUIRE_MESSAGE(job.has_value(), ErrorText(job));
  CHECK(std::regex_match(job.value().handle.request_id, std::regex("test_avatar-4_[0-9a-f]{6}")));
  CHECK(job.value().steps == 500);  // the seed's "fast" portrait preset

  std::vector<Progress> seen;
  WatchOptions watch;
  watch.on_progress = [&](const Progress& p) { seen.push_back(p); };
  auto output = f.client->Wait(job.value(), watch);
  REQUIRE_MESSAGE(output.has_value(), ErrorText(output));
  CHECK(output.value().kind == OutputKind::kLoraFile);
  REQUIRE(output.value().lora_file.has_value());
  CHECK(output.value().lora_file->url.rfind("https://v3.fal.media/files/", 0) == 0);
  CHECK(output.value().config_file.has_value());

  REQUIRE(seen.size() > 3);
  bool saw_queue_position = false, saw_step = false;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (i > 0) CHECK(seen[i].percent >= seen[i - 1].percent);
    if (seen[i].queue_position) saw_queue_position = true;
    if (seen[i].step) {
      saw_step = true;
      CHECK(seen[i].total_steps.value_or(0) == 500);
      CHECK(*seen[i].step <= 500);
    }
  }
  CHECK(saw_queue_position);
  CHECK(saw_step);
  CHECK(seen.back().phase == RequestPhase::kCompleted);
  CHECK(seen.back().percent == doctest::Approx(100.0));
  // Some report falls strictly between start and end: progress really moved.
  CHECK(std::any_of(seen.begin(), seen.end(), [](const Progress& p) { return p.percent > 5 && p.percent < 95; }));

  // Generate with the LoRA: flux-lora through the same simulator.
  GenerateRequest generate;
  generate.prompt = "photo of ohwx person on a beach";
  generate.seed = 17454220438242315174ull;
  auto images = f.client->Generate(output.value(), generate);
  REQUIRE_MESSAGE(images.has_value(), ErrorText(images));
  REQUIRE(images.value().images.size() == 1);
  CHECK(images.value().seed == "17454220438242315174");
  CHECK(images.value().images[0].width > 0);
}

TEST_CASE("an artistic training yields a finetune id, and generation uses the finetuned endpoint") {
  Fixture f;
  TrainingRequest r = Portrait(QualityPreset::kBalanced);
  r.style = AvatarStyle::kArtistic;
  r.extra.SetString("finetune_comment", "avatar 7");
  auto job = f.client->SubmitTraining(r);
  REQUIRE_MESSAGE(job.has_value(), ErrorText(job));
  CHECK(job.value().trainer.endpoint_id == "fal-ai/flux-pro-trainer");
  auto output = f.client->Wait(job.value());
  REQUIRE_MESSAGE(output.has_value(), ErrorText(output));
  CHECK(output.value().kind == OutputKind::kFinetuneId);
  CHECK_FALSE(output.value().finetune_id.empty());
  GenerateRequest generate;
  generate.prompt = "TOK as a watercolour";
  auto images = f.client->Generate(output.value(), generate);
  REQUIRE_MESSAGE(images.has_value(), ErrorText(images));
  CHECK(images.value().images.at(0).width == 2752);
}

TEST_CASE("status retries ride out injected 429s and 503s") {
  // One call meets a 429 and then a 503 (two retries of the default four attempts).
  SimFault limit{SimFaultKind::kRateLimit, SimOperation::kStatus};
  limit.delay = 2s;
  SimFault unavailable{SimFaultKind::kServiceUnavailable, SimOperation::kStatus};
  SimFault bad_gateway{SimFaultKind::kBadGateway, SimOperation::kResult};
  Fixture f({limit, unavailable, bad_gateway});
  auto job = f.client->SubmitTraining(Portrait());
  REQUIRE(job.has_value());
  WatchOptions polling;  // the faults hit status polls, not the status stream
  polling.use_status_stream = false;
  auto output = f.client->Wait(job.value(), polling);
  REQUIRE_MESSAGE(output.has_value(), ErrorText(output));
  CHECK(output.value().lora_file.has_value());
  CHECK(f.faults_fired == 3);
}

TEST_CASE("a dropped submit is not repeated: the simulator saw exactly one submission") {
  Fixture f({SimFault{SimFaultKind::kDropConnection, SimOperation::kSubmit}});
  auto job = f.client->SubmitTraining(Portrait(), ForAvatar("avatar-1"));
  REQUIRE_FALSE(job.has_value());
  CHECK(job.error().code == errc::network_error);
  auto received = f.sim->ReceivedSubmissions();
  REQUIRE(received.size() == 1);
  CHECK(received[0].rfind("test_avatar-1_", 0) == 0);
}

TEST_CASE("submit: a 503 ingress error is not retried, a 429 is (it was refused, not accepted)") {
  {
    Fixture f({SimFault{SimFaultKind::kServiceUnavailable, SimOperation::kSubmit}});
    auto job = f.client->SubmitTraining(Portrait());
    REQUIRE_FALSE(job.has_value());
    CHECK(job.error().http_status == 503);
    CHECK(f.sim->ReceivedSubmissions().empty());
  }
  {
    Fixture f({SimFault{SimFaultKind::kRateLimit, SimOperation::kSubmit}});
    auto job = f.client->SubmitTraining(Portrait());
    REQUIRE_MESSAGE(job.has_value(), ErrorText(job));
    CHECK(f.sim->ReceivedSubmissions().size() == 1);
    CHECK(f.faults_fired == 1);
  }
}

TEST_CASE("a failing training surfaces as request_failed with fal's detail") {
  Fixture f({SimFault{SimFaultKind::kTrainingFailure}});
  auto job = f.client->SubmitTraining(Portrait());
  REQUIRE(job.has_value());
  auto output = f.client->Wait(job.value());
  REQUIRE_FALSE(output.has_value());
  CHECK(output.error().code == errc::request_failed);
  CHECK(output.error().message.find("Training failed") != std::string::npos);
}

TEST_CASE("invalid input: the 422 detail comes back as field errors") {
  Fixture f;
  auto handle = f.client->Submit("fal-ai/flux-lora-portrait-trainer", R"({"steps":"many"})");
  REQUIRE(handle.has_value());
  f.clock->Advance(10s);
  auto result = f.client->GetResultJson(handle.value());
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == errc::request_failed);
  CHECK(result.error().http_status == 422);
  REQUIRE(result.error().field_errors.size() == 2);
  CHECK(result.error().field_errors[0].loc == std::vector<std::string>{"body", "images_data_url"});
  CHECK(result.error().field_errors[0].type == "value_error.missing");
  CHECK(result.error().field_errors[1].type == "type_error.integer");
}

TEST_CASE("invalid input at either validation time reaches the caller with fal's field errors") {
  // fal may refuse invalid input at submit or accept it and fail the request (reference §9).
  SUBCASE("at submit (--validate-on-submit): a 422 from Submit, nothing queued") {
    Fixture f({}, /*validate_on_submit=*/true);
    auto handle = f.client->Submit("fal-ai/flux-lora-portrait-trainer", R"({"steps":"many"})");
    REQUIRE_FALSE(handle.has_value());
    CHECK(handle.error().code == errc::validation_failed);
    CHECK(handle.error().field_errors.size() == 2);
    CHECK(f.sim->ReceivedSubmissions().empty());
  }
  SUBCASE("at run time (default): queued, then Wait ends in request_failed with the 422 detail") {
    Fixture f;
    auto handle = f.client->Submit("fal-ai/flux-lora-portrait-trainer", R"({"steps":"many"})");
    REQUIRE(handle.has_value());
    auto result = f.client->WaitForResultJson(handle.value());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::request_failed);
    CHECK(result.error().http_status == 422);
    CHECK(result.error().field_errors.size() == 2);
  }
}

TEST_CASE("a failing training's result is asked for once and carries fal's runner_server_error") {
  Fixture f({SimFault{SimFaultKind::kTrainingFailure}});
  auto job = f.client->SubmitTraining(Portrait());
  REQUIRE(job.has_value());
  f.clock->Advance(2h);
  auto output = f.client->GetTrainingOutput(job.value().handle);
  REQUIRE_FALSE(output.has_value());
  CHECK(output.error().code == errc::request_failed);
  CHECK(output.error().http_status == 500);
  CHECK(output.error().fal_error_type == "runner_server_error");
  CHECK_FALSE(output.error().retryable);
}

TEST_CASE("cancel through the client: requested while queued, already completed afterwards") {
  Fixture f;
  auto job = f.client->SubmitTraining(Portrait());
  REQUIRE(job.has_value());
  auto cancel = f.client->Cancel(job.value().handle);
  REQUIRE_MESSAGE(cancel.has_value(), ErrorText(cancel));
  CHECK(cancel.value() == CancelOutcome::kRequested);
  auto again = f.client->Cancel(job.value().handle);
  REQUIRE(again.has_value());
  CHECK(again.value() == CancelOutcome::kAlreadyCompleted);
  auto status = f.client->GetStatus(job.value().handle);
  REQUIRE(status.has_value());
  CHECK(status.value().phase == RequestPhase::kCompleted);
  CHECK(status.value().error == "Request was cancelled");
}

TEST_CASE("uploads through the client land in the simulator, single PUT and multipart") {
  Fixture f;
  auto url = f.client->Upload(std::string("PK\x03\x04 tiny", 9), "application/zip", "faces.zip");
  REQUIRE_MESSAGE(url.has_value(), ErrorText(url));
  CHECK(Call(*f.sim, HttpMethod::kGet, url.value()).body == std::string("PK\x03\x04 tiny", 9));

  ClientOptions config;
  config.test_mode = true;
  config.multipart_threshold = 1000;
  config.multipart_part_size = 300;
  auto small_parts = TrainingClient::Create(config, f.sim, f.clock);
  REQUIRE(small_parts.has_value());
  std::string big(2500, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  auto big_url = small_parts.value().Upload(big, "application/zip", "big.zip");
  REQUIRE_MESSAGE(big_url.has_value(), ErrorText(big_url));
  CHECK(Call(*f.sim, HttpMethod::kGet, big_url.value()).body == big);
}

TEST_CASE("AVATAR_TEST_MODE=true: CreateTrainingClient selects the simulator, FAL_MOCK_TRAINING_DURATION sets its pace") {
  ::setenv("AVATAR_TEST_MODE", "true", 1);
  ::setenv("FAL_MOCK_TRAINING_DURATION", "90", 1);
  auto config = ClientOptions::FromEnvironment();
  ::unsetenv("AVATAR_TEST_MODE");
  REQUIRE(config.has_value());
  CHECK(config.value().test_mode);
  auto clock = std::make_shared<VirtualClock>();
  auto client = CreateTrainingClient(config.value(), clock);
  ::unsetenv("FAL_MOCK_TRAINING_DURATION");
  REQUIRE_MESSAGE(client.has_value(), ErrorText(client));
  auto job = client.value().SubmitTraining(Portrait(), ForAvatar("demo-avatar"));
  REQUIRE(job.has_value());
  CHECK(job.value().handle.request_id.rfind("test_demo-ava_", 0) == 0);
  auto start = clock->Now();
  auto output = client.value().Wait(job.value());
  REQUIRE_MESSAGE(output.has_value(), ErrorText(output));
  // 3 s queue + 90 s run, observed through polling on the virtual clock.
  CHECK(clock->Now() - start >= 93s);
  CHECK(clock->Now() - start < 93s + 30s);
}

TEST_CASE("CreateTrainingClient outside test mode is TrainingClient::Create: a key is needed") {
  ClientOptions config;
  auto without_key = CreateTrainingClient(config);
  REQUIRE_FALSE(without_key.has_value());
  CHECK(without_key.error().code == errc::missing_credentials);
  config.api_key = "key-id:key-secret";
  auto with_key = CreateTrainingClient(config);
  REQUIRE_MESSAGE(with_key.has_value(), ErrorText(with_key));
  CHECK_FALSE(with_key.value().options().test_mode);
}
