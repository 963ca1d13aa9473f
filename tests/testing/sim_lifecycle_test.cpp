// SimTransport's queue API through raw HttpRequests and a VirtualClock: the whole lifecycle of
// every built-in trainer, generation endpoints, ids, determinism, validation, cancel and 404s.

#include "sim_test_helpers.hpp"

#include <faltrain/client/outputs.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/trainers.hpp>

#include <regex>

using namespace faltrain;
using namespace sim_test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  explicit Fixture(SimOptions options = Defaults())
      : clock(std::make_shared<VirtualClock>()), sim(std::move(options), clock) {}
  static SimOptions Defaults() {
    SimOptions o;
    o.seed = 42;
    o.training_duration = 30min;
    o.delivery = SimDelivery::kManual;
    return o;
  }
  std::shared_ptr<VirtualClock> clock;
  SimTransport sim;
};

std::string TrainingInput(const TrainerSpec& spec, std::int64_t steps) {
  std::string json = "{\"" + spec.images_field + "\":\"https://v3.fal.media/files/rabbit/abc_faces.zip\"";
  if (!spec.steps_field.empty()) json += ",\"" + spec.steps_field + "\":" + std::to_string(steps);
  if (!spec.trigger_field.empty()) json += ",\"" + spec.trigger_field + "\":\"ohwx person\"";
  for (const auto& field : spec.required_fields) json += ",\"" + field + "\":\"avatar 1\"";
  return json + "}";
}

std::string AppOf(const std::string& endpoint_id) {
  auto id = EndpointId::Parse(endpoint_id);
  REQUIRE(id.has_value());
  return id.value().App();
}

}  // namespace

TEST_CASE("every built-in trainer goes IN_QUEUE -> IN_PROGRESS with step logs -> COMPLETED") {
  auto trainers = TrainerRegistry::WithBuiltins().List();
  REQUIRE(trainers.size() >= 4);
  for (const auto& spec : trainers) {
    CAPTURE(spec.endpoint_id);
    Fixture f;
    HttpHeaders headers{{"X-Faltrain-Avatar-Id", "avatar-1234567890"}};
    auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/" + spec.endpoint_id,
                       TrainingInput(spec, 100), headers);
    REQUIRE(submit.status == 200);
    std::string id = At(submit.body, "/request_id");
    CHECK(std::regex_match(id, std::regex("test_avatar-1_[0-9a-f]{6}")));
    CHECK(submit.headers.Get("x-fal-request-id") == id);
    std::string response_url = std::string(kQueue) + "/" + AppOf(spec.endpoint_id) + "/requests/" + id;
    CHECK(At(submit.body, "/status") == "IN_QUEUE");
    CHECK(At(submit.body, "/response_url") == response_url);
    CHECK(At(submit.body, "/status_url") == response_url + "/status");
    CHECK(At(submit.body, "/cancel_url") == response_url + "/cancel");
    CHECK(At(submit.body, "/queue_position") == "2");

    // Queue positions count down while queued.
    std::vector<int> positions;
    for (int i = 0; i < 3; ++i) {
      auto status = Call(f.sim, HttpMethod::kGet, response_url + "/status?logs=1");
      CHECK(status.status == 202);
      CHECK(At(status.body, "/status") == "IN_QUEUE");
      positions.push_back(std::stoi(At(status.body, "/queue_position")));
      f.clock->Advance(1s);
    }
    CHECK(positions == std::vector<int>{2, 1, 0});

    // Running: logs carry step counters that only grow, up to N = the submitted steps.
    auto result_early = Call(f.sim, HttpMethod::kGet, response_url);
    CHECK(result_early.status == 400);
    f.clock->Advance(15min);
    auto running = Call(f.sim, HttpMethod::kGet, response_url + "/status?logs=1");
    CHECK(running.status == 202);
    CHECK(At(running.body, "/status") == "IN_PROGRESS");
    std::size_t log_count = ArraySize(running.body, "/logs");
    REQUIRE(log_count > 5);
    std::regex step("step (\\d+)/(\\d+).*");
    long last_step = -1;
    int step_lines = 0;
    for (std::size_t i = 0; i < log_count; ++i) {
      std::string message = At(running.body, "/logs/" + std::to_string(i) + "/message");
      CHECK(At(running.body, "/logs/" + std::to_string(i) + "/level") == "INFO");
      CHECK(At(running.body, "/logs/" + std::to_string(i) + "/source") == "USER");
      std::smatch m;
      if (std::regex_match(message, m, step)) {
        CHECK(m[2] == "100");
        CHECK(std::stol(m[1]) > last_step);
        last_step = std::stol(m[1]);
        ++step_lines;
      }
    }
    CHECK(step_lines > 10);
    CHECK(last_step > 20);
    CHECK(last_step < 100);
    // Without logs=1 no logs are sent.
    CHECK(At(Call(f.sim, HttpMethod::kGet, response_url + "/status").body, "/logs") == "<missing>");

    f.clock->Advance(15min);
    auto done = Call(f.sim, HttpMethod::kGet, response_url + "/status?logs=1");
    CHECK(done.status == 200);
    CHECK(At(done.body, "/status") == "COMPLETED");
    CHECK(std::stod(At(done.body, "/metrics/inference_time")) == doctest::Approx(1800.0));
    CHECK(At(done.body, "/error") == "<missing>");
    bool saw_final_step = false;
    for (std::size_t i = 0; i < ArraySize(done.body, "/logs"); ++i) {
      if (At(done.body, "/logs/" + std::to_string(i) + "/message").rfind("step 100/100", 0) == 0) {
        saw_final_step = true;
      }
    }
    CHECK(saw_final_step);

    auto result = Call(f.sim, HttpMethod::kGet, response_url);
    REQUIRE(result.status == 200);
    CHECK(result.headers.Get("x-fal-request-id") == id);
    auto parsed = TrainingOutput::Parse(result.body);
    REQUIRE(parsed.has_value());
    CHECK(parsed.value().kind == spec.output);
    if (spec.output == OutputKind::kFinetuneId) {
      CHECK(std::regex_match(parsed.value().finetune_id,
                             std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    } else {
      const FileRef& lora = parsed.value().lora_file.value();
      CHECK(lora.url.rfind("https://v3.fal.media/files/", 0) == 0);
      CHECK(lora.file_name == "pytorch_lora_weights.safetensors");
      REQUIRE(parsed.value().config_file.has_value());
      // The sim serves the files it names, with the sizes it reports.
      auto weights = Call(f.sim, HttpMethod::kGet, lora.url);
      CHECK(weights.status == 200);
      CHECK(weights.body.size() == lora.file_size.value());
      std::uint64_t header_length = 0;
      for (int i = 7; i >= 0; --i) header_length = header_length << 8 | static_cast<unsigned char>(weights.body[i]);
      CHECK(weights.body.substr(8, 2) == "{\"");
      CHECK(header_length + 8 < weights.body.size());
      auto config = Call(f.sim, HttpMethod::kGet, parsed.value().config_file->url);
      CHECK(config.status == 200);
      CHECK(At(config.body, "/steps") == "100");
      CHECK(At(config.body, "/trigger_phrase") == "ohwx person");
    }
  }
}

TEST_CASE("the default step count comes from the trainer spec when none is submitted") {
  Fixture f;
  auto spec = TrainerRegistry::WithBuiltins().Find("fal-ai/flux-pro-trainer").value();
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro-trainer",
                     R"({"data_url":"https://x/y.zip","finetune_comment":"me"})");
  std::string url = At(submit.body, "/status_url") + "?logs=1";
  f.clock->Advance(3s + 29min);
  auto status = Call(f.sim, HttpMethod::kGet, url);
  std::string last = At(status.body, "/logs/" + std::to_string(ArraySize(status.body, "/logs") - 1) + "/message");
  CHECK(last.find("/" + std::to_string(spec.default_steps)) != std::string::npos);
}

TEST_CASE("request ids are UUID-like without an avatar id and reproducible under a seed") {
  auto run = [](std::uint64_t seed) {
    SimOptions o = Fixture::Defaults();
    o.seed = seed;
    Fixture f(o);
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
      auto r = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer",
                    R"({"images_data_url":"https://x/y.zip"})");
      out.push_back(At(r.body, "/request_id"));
    }
    f.clock->Advance(1h);
    out.push_back(Call(f.sim, HttpMethod::kGet, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/" + out[0]).body);
    return out;
  };
  auto a = run(7), b = run(7), c = run(8);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::regex_match(a[0], std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  CHECK(a[0] != a[1]);
}

TEST_CASE("returned URLs follow the host the submit came to, sub-paths are dropped for status") {
  Fixture f;
  auto submit = Call(f.sim, HttpMethod::kPost, "http://127.0.0.1:8123/fal-ai/flux-lora/image-to-image",
                     R"({"prompt":"ohwx person","image_url":"https://x/y.png"})");
  CHECK(At(submit.body, "/status_url").rfind("http://127.0.0.1:8123/fal-ai/flux-lora/requests/", 0) == 0);
  // Status under the full id's path is a different app: not found, like fal.
  std::string id = At(submit.body, "/request_id");
  CHECK(Call(f.sim, HttpMethod::kGet, std::string(kQueue) + "/fal-ai/flux-lora/image-to-image/requests/" + id + "/status").status == 404);
  CHECK(Call(f.sim, HttpMethod::kGet, std::string(kQueue) + "/fal-ai/flux-lora/requests/" + id + "/status").status == 202);
}

TEST_CASE("generation endpoints return realistic images quickly, seeds beyond int64 intact") {
  Fixture f;
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora",
                     R"({"prompt":"photo of ohwx person","loras":[{"path":"https://x/l.safetensors","scale":1}],)"
                     R"("seed":17454220438242315174,"num_images":2,"image_size":"portrait_4_3"})");
  std::string url = At(submit.body, "/response_url");
  f.clock->Advance(3s);
  auto result = Call(f.sim, HttpMethod::kGet, url);
  REQUIRE(result.status == 200);
  CHECK(result.body.find("\"seed\":17454220438242315174") != std::string::npos);
  CHECK(ArraySize(result.body, "/images") == 2);
  CHECK(At(result.body, "/images/0/width") == "768");
  CHECK(At(result.body, "/images/0/height") == "1024");
  CHECK(At(result.body, "/images/0/content_type") == "image/jpeg");
  CHECK(At(result.body, "/prompt") == "photo of ohwx person");
  CHECK(At(result.body, "/has_nsfw_concepts") == "[false,false]");
  auto parsed = GenerationResult::Parse(result.body);
  REQUIRE(parsed.has_value());
  CHECK(parsed.value().seed == "17454220438242315174");
  auto image = Call(f.sim, HttpMethod::kGet, At(result.body, "/images/0/url"));
  CHECK(image.status == 200);
  CHECK(image.headers.Get("content-type") == "image/jpeg");
  CHECK(image.body.substr(0, 2) == "\xFF\xD8");

  auto ultra = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro/v1.1-ultra-finetuned",
                    R"({"prompt":"TOK portrait","finetune_id":"abc","finetune_strength":1.1,"output_format":"png"})");
  f.clock->Advance(3s);
  auto ultra_result = Call(f.sim, HttpMethod::kGet, At(ultra.body, "/response_url"));
  REQUIRE(ultra_result.status == 200);
  CHECK(At(ultra_result.body, "/images/0/width") == "2752");
  CHECK(At(ultra_result.body, "/images/0/content_type") == "image/png");
  CHECK(Call(f.sim, HttpMethod::kGet, At(ultra_result.body, "/images/0/url")).body.substr(1, 3) == "PNG");
}

TEST_CASE("unknown endpoints are a generic model that completes quickly") {
  Fixture f;
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/someone/some-model", R"({"x":1})");
  f.clock->Advance(2s);
  auto result = Call(f.sim, HttpMethod::kGet, At(submit.body, "/response_url"));
  CHECK(result.status == 200);
  CHECK(At(result.body, "/input/x") == "1");
}

TEST_CASE("invalid input: accepted by the queue, completed with fal's 422 detail") {
  Fixture f;
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer",
                     R"({"steps":"lots","learning_rate":[1],"trigger_phrase":{"a":1}})");
  REQUIRE(submit.status == 200);
  f.clock->Advance(4s);
  auto status = Call(f.sim, HttpMethod::kGet, At(submit.body, "/status_url"));
  CHECK(At(status.body, "/status") == "COMPLETED");
  CHECK(At(status.body, "/error") == "Invalid status code: 422");
  auto result = Call(f.sim, HttpMethod::kGet, At(submit.body, "/response_url"));
  CHECK(result.status == 422);
  CHECK(At(result.body, "/detail/0") ==
        R"({"loc":["body","images_data_url"],"msg":"field required","type":"value_error.missing"})");
  std::string all = At(result.body, "/detail");
  CHECK(all.find(R"({"loc":["body","steps"],"msg":"value is not a valid integer","type":"type_error.integer"})") != std::string::npos);
  CHECK(all.find(R"({"loc":["body","learning_rate"],"msg":"value is not a valid float","type":"type_error.float"})") != std::string::npos);
  CHECK(all.find(R"({"loc":["body","trigger_phrase"],"msg":"str type expected","type":"type_error.str"})") != std::string::npos);

  // pydantic coerces "1000" to an int: valid.
  auto coerced = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer",
                      R"({"images_data_url":"https://x/y.zip","steps":"1000"})");
  f.clock->Advance(1h);
  CHECK(Call(f.sim, HttpMethod::kGet, At(coerced.body, "/response_url")).status == 200);

  // Generation: prompt required; finetune endpoint needs finetune_id and finetune_strength.
  auto ultra = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro/v1.1-ultra-finetuned",
                    R"({"prompt":"x","finetune_strength":"strong"})");
  f.clock->Advance(1s);
  auto ultra_result = Call(f.sim, HttpMethod::kGet, At(ultra.body, "/response_url"));
  CHECK(ultra_result.status == 422);
  CHECK(At(ultra_result.body, "/detail/0/loc/1") == "finetune_id");
  CHECK(At(ultra_result.body, "/detail/1/type") == "type_error.float");
}

TEST_CASE("asked for logs, a status always has a logs list, empty while queued, and none when not asked") {
  Fixture f;
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer",
                     R"({"images_data_url":"https://x/y.zip","steps":100})");
  const std::string status_url = At(submit.body, "/status_url");
  auto queued = Call(f.sim, HttpMethod::kGet, status_url + "?logs=1");
  REQUIRE(At(queued.body, "/status") == "IN_QUEUE");
  CHECK(At(queued.body, "/logs") == "[]");
  CHECK(At(Call(f.sim, HttpMethod::kGet, status_url + "?logs=0").body, "/logs") == "<missing>");
  CHECK(At(Call(f.sim, HttpMethod::kGet, status_url).body, "/logs") == "<missing>");
  f.clock->Advance(10min);
  auto running = Call(f.sim, HttpMethod::kGet, status_url + "?logs=true");  // fal_client's spelling
  REQUIRE(At(running.body, "/status") == "IN_PROGRESS");
  CHECK(ArraySize(running.body, "/logs") > 0);
  f.clock->Advance(1h);
  auto done = Call(f.sim, HttpMethod::kGet, status_url + "?logs=1");
  REQUIRE(At(done.body, "/status") == "COMPLETED");
  CHECK(ArraySize(done.body, "/logs") > 0);
}

TEST_CASE("validate_on_submit rejects at once, and a non-JSON body is always rejected at submit") {
  SimOptions o = Fixture::Defaults();
  o.validate_on_submit = true;
  Fixture f(o);
  auto rejected = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro-trainer",
                       R"({"data_url":"https://x/y.zip"})");
  CHECK(rejected.status == 422);
  CHECK(At(rejected.body, "/detail/0/loc") == R"(["body","finetune_comment"])");
  CHECK(f.sim.ReceivedSubmissions().empty());
  Fixture g;
  auto not_json = Call(g.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora", "{oops");
  CHECK(not_json.status == 422);
  CHECK(At(not_json.body, "/detail/0/type") == "value_error.jsondecode");
}

TEST_CASE("cancel in every phase answers like fal") {
  Fixture f;
  std::string base = std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer";
  auto submit = [&] {
    return At(Call(f.sim, HttpMethod::kPost, base, R"({"images_data_url":"https://x/y.zip","steps":100})").body,
              "/response_url");
  };
  SUBCASE("queued: cancelled at once, completed with an error") {
    std::string url = submit();
    auto cancel = Call(f.sim, HttpMethod::kPut, url + "/cancel");
    CHECK(cancel.status == 202);
    CHECK(cancel.body == R"({"status":"CANCELLATION_REQUESTED"})");
    auto status = Call(f.sim, HttpMethod::kGet, url + "/status");
    CHECK(status.status == 200);
    CHECK(At(status.body, "/status") == "COMPLETED");
    CHECK(At(status.body, "/error") == "Request was cancelled");
    CHECK(At(status.body, "/error_type") == "client_cancelled");  // fal's documented type
    auto result = Call(f.sim, HttpMethod::kGet, url);
    CHECK(result.status == 400);
    CHECK(At(result.body, "/error_type") == "client_cancelled");
    CHECK(Call(f.sim, HttpMethod::kPut, url + "/cancel").status == 400);
  }
  SUBCASE("running: stops after the grace period") {
    std::string url = submit();
    f.clock->Advance(10min);
    CHECK(Call(f.sim, HttpMethod::kPut, url + "/cancel").status == 202);
    auto still = Call(f.sim, HttpMethod::kGet, url + "/status?logs=1");
    CHECK(At(still.body, "/status") == "IN_PROGRESS");
    CHECK(still.body.find("Cancellation requested") != std::string::npos);
    f.clock->Advance(2s);
    auto stopped = Call(f.sim, HttpMethod::kGet, url + "/status?logs=1");
    CHECK(At(stopped.body, "/status") == "COMPLETED");
    CHECK(stopped.body.find("Run stopped: request cancelled") != std::string::npos);
    CHECK(Call(f.sim, HttpMethod::kGet, url).status == 400);
  }
  SUBCASE("completed: 400 ALREADY_COMPLETED, the result stays") {
    std::string url = submit();
    f.clock->Advance(1h);
    auto cancel = Call(f.sim, HttpMethod::kPut, url + "/cancel");
    CHECK(cancel.status == 400);
    CHECK(cancel.body == R"({"status":"ALREADY_COMPLETED"})");
    CHECK(Call(f.sim, HttpMethod::kGet, url).status == 200);
  }
  SUBCASE("unknown ids: 404 for status, result and cancel") {
    std::string unknown = std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/nope";
    auto status = Call(f.sim, HttpMethod::kGet, unknown + "/status");
    CHECK(status.status == 404);
    CHECK(status.body == R"({"detail":"Request not found"})");
    CHECK(Call(f.sim, HttpMethod::kGet, unknown).status == 404);
    auto cancel = Call(f.sim, HttpMethod::kPut, unknown + "/cancel");
    CHECK(cancel.status == 404);
    CHECK(At(cancel.body, "/status") == "NOT_FOUND");
  }
}

TEST_CASE("a running request that ignores cancel completes normally when configured so") {
  SimOptions o = Fixture::Defaults();
  o.cancel_stops_running = false;
  Fixture f(o);
  auto submit = Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/turbo-flux-trainer",
                     R"({"images_data_url":"https://x/y.zip"})");
  std::string url = At(submit.body, "/response_url");
  f.clock->Advance(5min);
  CHECK(Call(f.sim, HttpMethod::kPut, url + "/cancel").status == 202);
  f.clock->Advance(1h);
  CHECK(Call(f.sim, HttpMethod::kGet, url).status == 200);
}

TEST_CASE("authorization: none is fine in test mode, a malformed key is not, api_key is enforced") {
  Fixture f;
  std::string url = std::string(kQueue) + "/someone/model";
  CHECK(Call(f.sim, HttpMethod::kPost, url, "{}").status == 200);
  CHECK(Call(f.sim, HttpMethod::kPost, url, "{}", {{"Authorization", "Key id:secret"}}).status == 200);
  auto bad = Call(f.sim, HttpMethod::kPost, url, "{}", {{"Authorization", "Key justonepart"}});
  CHECK(bad.status == 401);
  CHECK(At(bad.body, "/detail").find("Expected '<key_id>:<key_secret>'") != std::string::npos);
  CHECK(Call(f.sim, HttpMethod::kPost, url, "{}", {{"Authorization", "Basic abc"}}).status == 401);

  SimOptions o = Fixture::Defaults();
  o.api_key = "id:secret";
  Fixture g(o);
  CHECK(Call(g.sim, HttpMethod::kPost, url, "{}").status == 401);
  auto wrong = Call(g.sim, HttpMethod::kPost, url, "{}", {{"Authorization", "Key id:other"}});
  CHECK(wrong.status == 401);
  CHECK(At(wrong.body, "/detail") == "No user found for Key ID and Secret");
  CHECK(Call(g.sim, HttpMethod::kPost, url, "{}", {{"Authorization", "Key id:secret"}}).status == 200);
  // Files and the JWKS are public.
  CHECK(Call(g.sim, HttpMethod::kGet, "https://rest.fal.ai/.well-known/jwks.json").status == 200);
}
