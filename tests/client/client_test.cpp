// TrainingClient against a ScriptedTransport and a VirtualClock: what goes on the wire, how fal's
// answers are read, and when requests are (not) repeated.

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include <doctest/doctest.h>

#include <limits>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "key-id-1234:secret-5678";
constexpr const char* kQueue = "https://queue.fal.run";

struct Fixture {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::vector<std::string> logs;
  TrainingClient client = Make();

  TrainingClient Make(std::function<void(ClientOptions&)> tweak = nullptr) {
    ClientOptions config;
    config.api_key = std::string(kKey) + "\n";  // a trailing newline must not reach the header
    config.retry.initial_backoff = 100ms;
    config.log = [this](LogLevel, std::string_view m) { logs.emplace_back(m); };
    if (tweak) tweak(config);
    auto c = TrainingClient::Create(config, transport, clock);
    REQUIRE(c.has_value());
    return c.value();
  }
};

std::string SubmitBody(std::string_view id, std::string_view app) {
  std::string base = std::string(kQueue) + "/" + std::string(app) + "/requests/" + std::string(id);
  return R"({"status":"IN_QUEUE","request_id":")" + std::string(id) + R"(","response_url":")" + base +
         R"(","status_url":")" + base + R"(/status","cancel_url":")" + base + R"(/cancel","queue_position":3})";
}

RequestHandle Handle() {
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = "req-1";
  h.response_url = std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/req-1";
  h.status_url = h.response_url + "/status";
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

}  // namespace

TEST_CASE("Create needs a key unless in test mode") {
  ClientOptions config;
  auto c = TrainingClient::Create(config, std::make_shared<ScriptedTransport>());
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == errc::missing_credentials);
  CHECK(c.error().message.find("FAL_KEY") != std::string::npos);
  config.test_mode = true;
  CHECK(TrainingClient::Create(config, std::make_shared<ScriptedTransport>()).has_value());
  config.endpoints.queue_url = "ftp://nope";
  CHECK(TrainingClient::Create(config, std::make_shared<ScriptedTransport>()).error().code ==
        errc::invalid_argument);
}

TEST_CASE("a key that is not key_id:key_secret is refused before any request is sent") {
  auto transport = std::make_shared<ScriptedTransport>();
  for (const char* key : {"just-a-secret", ":s3cret", "abc123:", "abc:s3cret:extra", "abc :s3cret"}) {
    CAPTURE(key);
    ClientOptions config;
    config.api_key = key;
    auto c = TrainingClient::Create(config, transport);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == errc::missing_credentials);
    CHECK(c.error().message.find("key_id:key_secret") != std::string::npos);
    CHECK(c.error().message.find(key) == std::string::npos);  // the key itself is never echoed
  }
  CHECK(transport->requests().empty());
  ClientOptions good;
  good.api_key = " 4c46f3ab-1111:0bd24b7e\n";
  CHECK(TrainingClient::Create(good, transport).has_value());
}

TEST_CASE("test mode without a transport is refused: the simulator lives in faltrain::testing") {
  ClientOptions config;
  config.test_mode = true;
  auto c = TrainingClient::Create(config);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == errc::invalid_argument);
  CHECK(c.error().message.find("CreateTrainingClient") != std::string::npos);
}

TEST_CASE("the configured timeouts travel on every request, so a caller's own transport gets them") {
  Fixture f;
  f.client = f.Make([](ClientOptions& c) {
    c.connect_timeout = 1234ms;
    c.request_timeout = 5678ms;
  });
  f.transport->ExpectResponse(200, SubmitBody("req-1", "fal-ai/flux-lora-portrait-trainer"));
  f.transport->ExpectResponse(202, R"({"status":"IN_QUEUE","request_id":"req-1"})");
  f.transport->ExpectResponse(202, R"({"status":"CANCELLATION_REQUESTED"})");
  REQUIRE(f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}").has_value());
  REQUIRE(f.client.GetStatus(Handle()).has_value());
  REQUIRE(f.client.Cancel(Handle()).has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 3);
  for (const auto& request : sent) {
    CHECK(request.connect_timeout == 1234ms);
    CHECK(request.timeout == 5678ms);
  }
  // The defaults travel too: a transport never has to guess.
  Fixture d;
  d.transport->ExpectResponse(202, R"({"status":"IN_QUEUE","request_id":"req-1"})");
  REQUIRE(d.client.GetStatus(Handle()).has_value());
  CHECK(d.transport->requests().at(0).connect_timeout == ClientOptions{}.connect_timeout);
  CHECK(d.transport->requests().at(0).timeout == ClientOptions{}.request_timeout);
}

TEST_CASE("submit sends fal's URL, headers, webhook and body, and keeps the returned URLs") {
  Fixture f;
  f.transport->ExpectResponse(200, SubmitBody("req-1", "fal-ai/flux-lora-portrait-trainer"));
  SubmitOptions options;
  options.webhook_url = "https://app.example/hooks/fal?a=1&b=2";
  options.priority = QueuePriority::kLow;
  options.start_timeout = 30s;
  options.no_server_retry = true;
  options.store_io = false;
  options.runner_hint = "warm";
  options.object_lifecycle_json = R"({"expiration_duration_seconds":604800})";
  auto handle = f.client.Submit("fal-ai/flux-lora-portrait-trainer", R"({"x":1})", options);
  REQUIRE(handle.has_value());
  CHECK(handle.value().request_id == "req-1");
  CHECK(handle.value().queue_position == 3);
  CHECK(handle.value().status_url == std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/req-1/status");

  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 1);
  const HttpRequest& r = sent[0];
  CHECK(r.method == HttpMethod::kPost);
  CHECK(r.url == "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer?fal_webhook=https%3A%2F%2Fapp.example%2Fhooks%2Ffal%3Fa%3D1%26b%3D2");
  CHECK(r.headers.Get("Authorization") == std::string("Key ") + kKey);
  CHECK(r.headers.Get("content-type") == "application/json");
  CHECK(r.headers.Get("X-Fal-Queue-Priority") == "low");
  CHECK(r.headers.Get("X-Fal-Request-Timeout") == "30");
  CHECK(r.headers.Get("X-Fal-No-Retry") == "1");
  CHECK(r.headers.Get("X-Fal-Store-IO") == "0");
  CHECK(r.headers.Get("X-Fal-Runner-Hint") == "warm");
  CHECK(r.headers.Get("X-Fal-Object-Lifecycle-Preference") == options.object_lifecycle_json);
  CHECK(r.headers.Get("User-Agent").substr(0, 9) == "faltrain/");
  CHECK_FALSE(r.headers.Has("X-Faltrain-Avatar-Id"));  // only in test mode
  CHECK(r.body == R"({"x":1})");
}

TEST_CASE("submit: extra headers and x-app-fal-disable-fallback, while headers the client owns are refused") {
  Fixture f;
  f.transport->ExpectResponse(200, SubmitBody("req-h", "fal-ai/flux-lora-portrait-trainer"));
  SubmitOptions options;
  options.disable_fallback = true;
  options.extra_headers = {{"X-Fal-Retry-Config", R"({"max_retries":0})"}, {"X-Trace-Id", "abc-123"}};
  REQUIRE(f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}", options).has_value());
  const auto requests = f.transport->requests();
  const auto& sent = requests.at(0);
  CHECK(sent.headers.Get("x-app-fal-disable-fallback") == "true");
  CHECK(sent.headers.Get("X-Fal-Retry-Config") == R"({"max_retries":0})");
  CHECK(sent.headers.Get("X-Trace-Id") == "abc-123");
  CHECK(sent.headers.Get("Authorization") == std::string("Key ") + kKey);

  SubmitOptions plain;
  f.transport->ExpectResponse(200, SubmitBody("req-p", "fal-ai/flux-lora-portrait-trainer"));
  REQUIRE(f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}", plain).has_value());
  CHECK_FALSE(f.transport->requests().at(1).headers.Has("x-app-fal-disable-fallback"));

  for (std::pair<std::string, std::string> bad :
       {std::pair<std::string, std::string>{"authorization", "Key other:key"}, {"Content-Type", "text/plain"},
        {"Bad Name", "x"}, {"X-Ok", "line\r\nInjected: yes"}, {"", "x"}}) {
    CAPTURE(bad.first);
    SubmitOptions o;
    o.extra_headers = {bad};
    CHECK(f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}", o).error().code == errc::invalid_argument);
  }
  CHECK(f.transport->requests().size() == 2);  // refused ones never reached the transport
}

TEST_CASE("sub-paths are kept on submit and stripped for status, result and cancel") {
  Fixture f;
  f.transport->ExpectResponse(200, R"({"request_id":"abc"})");  // no URLs: the client builds them
  auto handle = f.client.Submit("fal-ai/wan-trainer/t2v", "{}");
  REQUIRE(handle.has_value());
  CHECK(f.transport->requests()[0].url == "https://queue.fal.run/fal-ai/wan-trainer/t2v");
  CHECK(handle.value().endpoint_id == "fal-ai/wan-trainer/t2v");
  CHECK(handle.value().status_url == "https://queue.fal.run/fal-ai/wan-trainer/requests/abc/status");
  CHECK(handle.value().response_url == "https://queue.fal.run/fal-ai/wan-trainer/requests/abc");
  CHECK(handle.value().cancel_url == "https://queue.fal.run/fal-ai/wan-trainer/requests/abc/cancel");

  f.transport->ExpectResponse(200, R"({"request_id":"w1"})");
  auto wf = f.client.Submit("workflows/me/my-flow/run", "{}");
  REQUIRE(wf.has_value());
  CHECK(wf.value().status_url == "https://queue.fal.run/workflows/me/my-flow/requests/w1/status");
}

TEST_CASE("submit input and ids are checked before anything is sent") {
  Fixture f;
  CHECK(f.client.Submit("fal-ai", "{}").error().code == errc::invalid_argument);
  CHECK(f.client.Submit("fal-ai/x", "{not json").error().code == errc::invalid_argument);
  SubmitOptions bad;
  bad.webhook_url = "not a url";
  CHECK(f.client.Submit("fal-ai/x", "{}", bad).error().code == errc::invalid_argument);
  bad = {};
  bad.start_timeout = 1s;
  CHECK(f.client.Submit("fal-ai/x", "{}", bad).error().code == errc::invalid_argument);
  CHECK(f.transport->requests().empty());
}

TEST_CASE("submit is never repeated once it may have reached fal") {
  Fixture f;
  f.transport->ExpectFailure(errc::network_error, "connection reset after send");
  auto r = f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::network_error);
  CHECK(f.transport->requests().size() == 1);

  f.transport->ExpectResponse(503, "<html>nginx</html>");
  CHECK(f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}").error().http_status == 503);
  CHECK(f.transport->requests().size() == 2);
}

TEST_CASE("submit is repeated when fal provably did not take it: no connection, or 429") {
  Fixture f;
  f.transport->ExpectFailure(errc::connect_failed, "connection refused");
  f.transport->ExpectResponse(429, R"({"detail":"Too many requests"})", {{"Retry-After", "7"}});
  f.transport->ExpectResponse(200, R"({"request_id":"ok-1"})");
  auto before = f.clock->Now();
  auto r = f.client.Submit("fal-ai/flux-lora-portrait-trainer", "{}");
  REQUIRE(r.has_value());
  CHECK(r.value().request_id == "ok-1");
  CHECK(f.transport->requests().size() == 3);
  CHECK(f.clock->Now() - before >= 7s);  // Retry-After was honoured
}

TEST_CASE("status reads each phase, logs, queue position and metrics") {
  Fixture f;
  f.transport->ExpectResponse(202, R"({"status":"IN_QUEUE","request_id":"req-1","queue_position":2})");
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS","request_id":"req-1","logs":[
      {"message":"step 10/100","level":"INFO","source":"USER","timestamp":"2024-12-20T15:37:17.120314"},
      {"message":"old style","labels":{"level":"WARN"}}],"metrics":{}})");
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED","request_id":"req-1","logs":null,"metrics":{"inference_time":null}})");
  f.transport->ExpectResponse(200, R"({"status":"FAILED","request_id":"req-1"})");

  auto q = f.client.GetStatus(Handle());
  REQUIRE(q.has_value());
  CHECK(q.value().phase == RequestPhase::kInQueue);
  CHECK(q.value().queue_position == 2);
  CHECK(q.value().http_status == 202);
  CHECK(f.transport->requests().back().url == Handle().status_url + "?logs=1");

  auto p = f.client.GetStatus(Handle());
  REQUIRE(p.has_value());
  CHECK(p.value().phase == RequestPhase::kInProgress);
  REQUIRE(p.value().logs.size() == 2);
  CHECK(p.value().logs[0].message == "step 10/100");
  CHECK(p.value().logs[0].source == "USER");
  CHECK(p.value().logs[1].level == "WARN");

  auto c = f.client.GetStatus(Handle(), false);
  REQUIRE(c.has_value());
  CHECK(c.value().phase == RequestPhase::kCompleted);
  CHECK_FALSE(c.value().inference_time.has_value());
  CHECK(f.transport->requests().back().url == Handle().status_url + "?logs=0");

  auto u = f.client.GetStatus(Handle());
  REQUIRE(u.has_value());
  CHECK(u.value().phase == RequestPhase::kUnknown);
  CHECK_FALSE(u.value().terminal());  // fal-js keeps polling on a status it does not know
}

TEST_CASE("status is retried on 503 and network errors, with backoff on the clock") {
  Fixture f;
  f.transport->ExpectResponse(503, "<html>nginx</html>");
  f.transport->ExpectFailure(errc::network_error);
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  auto before = f.clock->Now();
  auto s = f.client.GetStatus(Handle());
  REQUIRE(s.has_value());
  CHECK(s.value().request_id == "req-1");
  CHECK(f.transport->requests().size() == 3);
  CHECK(f.clock->Now() > before);
}

TEST_CASE("errors carry status, fal type, request id and field errors") {
  Fixture f;
  f.transport->ExpectResponse(401, R"({"detail":"No user found for Key ID and Secret"})");
  auto unauthorized = f.client.GetStatus(Handle());
  REQUIRE_FALSE(unauthorized.has_value());
  CHECK(unauthorized.error().code == errc::unauthorized);
  CHECK(unauthorized.error().http_status == 401);
  CHECK(unauthorized.error().message == "No user found for Key ID and Secret");
  CHECK(unauthorized.error().request_id == "req-1");
  CHECK_FALSE(unauthorized.error().retryable);

  f.transport->ExpectResponse(422, R"({"detail":[{"loc":["body","images_data_url"],"msg":"field required","type":"value_error.missing"},{"loc":["body","loras",0,"scale"],"msg":"bad","type":"type_error.float"}]})",
                              {{"x-fal-request-id", "req-422"}});
  auto invalid = f.client.GetResultJson(Handle());
  REQUIRE_FALSE(invalid.has_value());
  CHECK(invalid.error().code == errc::request_failed);
  CHECK(invalid.error().http_status == 422);
  CHECK(invalid.error().request_id == "req-422");
  REQUIRE(invalid.error().field_errors.size() == 2);
  CHECK(invalid.error().field_errors[0].loc == std::vector<std::string>{"body", "images_data_url"});
  CHECK(invalid.error().field_errors[0].type == "value_error.missing");
  CHECK(invalid.error().field_errors[1].loc == std::vector<std::string>{"body", "loras", "0", "scale"});

  f.transport->ExpectResponse(422, R"({"detail":"prompt is too long"})");
  auto plain = f.client.GetResultJson(Handle());
  REQUIRE(plain.error().field_errors.size() == 1);
  CHECK(plain.error().field_errors[0].msg == "prompt is too long");
  CHECK(plain.error().field_errors[0].loc == std::vector<std::string>{"body"});

  // A user's own start timeout is final, whatever the retry policy says.
  f.transport->ExpectResponse(504, R"({"detail":"Request timed out","error_type":"request_timeout"})",
                              {{"X-Fal-Request-Timeout-Type", "user"}, {"X-Fal-Error-Type", "request_timeout"}});
  auto timed_out = f.client.GetResultJson(Handle());
  CHECK(timed_out.error().fal_error_type == "request_timeout");
  CHECK_FALSE(timed_out.error().retryable);
  CHECK(f.transport->pending() == 0);
}

TEST_CASE("malformed and non-JSON answers are reported, not crashed on") {
  Fixture f;
  f.transport->ExpectResponse(200, R"({"status":)");
  CHECK(f.client.GetStatus(Handle()).error().code == errc::malformed_response);
  f.transport->ExpectResponse(200, R"([1,2])");
  CHECK(f.client.GetStatus(Handle()).error().code == errc::malformed_response);
  f.transport->ExpectResponse(200, R"({"no_status":true})");
  CHECK(f.client.GetStatus(Handle()).error().code == errc::malformed_response);
  f.transport->ExpectResponse(200, "not json at all");
  CHECK(f.client.GetResultJson(Handle()).error().code == errc::malformed_response);
  f.transport->ExpectResponse(200, R"({"status":"IN_QUEUE"})");
  CHECK(f.client.Submit("fal-ai/x", "{}").error().code == errc::malformed_response);
  RequestHandle empty;
  CHECK(f.client.GetStatus(empty).error().code == errc::invalid_argument);
}

TEST_CASE("cancel distinguishes requested, already completed and not found") {
  Fixture f;
  f.transport->ExpectResponse(202, R"({"status":"CANCELLATION_REQUESTED"})");
  f.transport->ExpectResponse(400, R"({"status":"ALREADY_COMPLETED"})");
  f.transport->ExpectResponse(200, R"({"status":"OK"})");
  f.transport->ExpectResponse(404, R"({"status":"NOT_FOUND"})");
  f.transport->ExpectResponse(400, R"({"detail":"bad request"})");
  CHECK(f.client.Cancel(Handle()).value() == CancelOutcome::kRequested);
  CHECK(f.transport->requests().back().method == HttpMethod::kPut);
  CHECK(f.transport->requests().back().url == Handle().cancel_url);
  CHECK(f.client.Cancel(Handle()).value() == CancelOutcome::kAlreadyCompleted);
  CHECK(f.client.Cancel(Handle()).value() == CancelOutcome::kCancelled);
  CHECK(f.client.Cancel(Handle()).error().code == errc::not_found);
  auto bad = f.client.Cancel(Handle());
  CHECK(bad.error().code == errc::http_error);
  CHECK(bad.error().message == "bad request");
}

TEST_CASE("the training input follows the style's trainer and the preset table") {
  Fixture f;
  TrainingRequest portrait;
  portrait.images_url = "https://v3.fal.media/files/rabbit/faces.zip";
  portrait.trigger = "ohwx person";
  portrait.preset = QualityPreset::kFast;
  CHECK(f.client.BuildTrainingInput(portrait).value() ==
        R"({"images_data_url":"https://v3.fal.media/files/rabbit/faces.zip","trigger_phrase":"ohwx person","steps":500,"learning_rate":0.0003})");

  TrainingRequest artistic = portrait;
  artistic.style = AvatarStyle::kArtistic;
  artistic.preset = QualityPreset::kQuality;
  std::string a = f.client.BuildTrainingInput(artistic).value();
  CHECK(a.find(R"("data_url":"https://v3.fal.media/files/rabbit/faces.zip")") != std::string::npos);
  CHECK(a.find(R"("iterations":1000)") != std::string::npos);
  CHECK(a.find(R"("learning_rate":0.00005)") != std::string::npos);
  CHECK(a.find(R"("trigger_word":"ohwx person")") != std::string::npos);
  CHECK(a.find(R"("finetune_comment":)") != std::string::npos);
  // The artistic rates are LoRA rates; fal's default finetune_type is "full" (lr 1e-5).
  CHECK(a.find(R"("finetune_type":"lora")") != std::string::npos);
  for (auto preset : {QualityPreset::kFast, QualityPreset::kBalanced}) {
    artistic.preset = preset;
    CHECK(f.client.BuildTrainingInput(artistic).value().find(R"("finetune_type":"lora")") != std::string::npos);
  }
  TrainingRequest full = artistic;
  full.extra.SetString("finetune_type", "full");  // a caller can still ask for a full finetune
  CHECK(f.client.BuildTrainingInput(full).value().find(R"("finetune_type":"full")") != std::string::npos);
  CHECK(f.client.BuildTrainingInput(portrait).value().find("finetune_type") == std::string::npos);

  TrainingRequest custom = portrait;
  custom.steps = 42;
  custom.extra.SetBool("subject_crop", false).SetInt("steps", 77).SetRaw("nested", R"({"a":[1,2]})");
  std::string c = f.client.BuildTrainingInput(custom).value();
  CHECK(c.find(R"("steps":77)") != std::string::npos);  // extras win
  CHECK(c.find(R"("subject_crop":false)") != std::string::npos);
  CHECK(c.find(R"("nested":{"a":[1,2]})") != std::string::npos);

  TrainingRequest broken = portrait;
  broken.extra.SetRaw("x", "{oops");
  CHECK(f.client.BuildTrainingInput(broken).error().code == errc::invalid_argument);
  TrainingRequest no_url;
  CHECK(f.client.BuildTrainingInput(no_url).error().code == errc::invalid_argument);
  TrainingRequest unknown = portrait;
  unknown.trainer = "someone/unknown-trainer";
  CHECK(f.client.BuildTrainingInput(unknown).error().code == errc::not_found);
  TrainingRequest negative = portrait;
  negative.steps = 0;
  CHECK(f.client.BuildTrainingInput(negative).error().code == errc::invalid_argument);
}

TEST_CASE("SubmitTraining warns about deprecated trainers and records what progress needs") {
  Fixture f;
  f.transport->ExpectResponse(200, SubmitBody("req-9", "fal-ai/flux-pro-trainer"));
  TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/x.zip";
  request.style = AvatarStyle::kArtistic;
  auto job = f.client.SubmitTraining(request);
  REQUIRE(job.has_value());
  CHECK(job.value().trainer.endpoint_id == "fal-ai/flux-pro-trainer");
  CHECK(job.value().steps == 500);
  CHECK(job.value().estimate.min == 10min);
  bool warned = false;
  for (const auto& line : f.logs) warned = warned || line.find("deprecated") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("Wait polls until completion, reports progress and returns the typed output") {
  Fixture f;
  f.transport->ExpectResponse(202, R"({"status":"IN_QUEUE","queue_position":1})");
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS","logs":[{"message":"step 250/1000"}]})");
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS","logs":[{"message":"step 250/1000"},{"message":"step 750/1000"}]})");
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED","logs":[]})");
  f.transport->ExpectResponse(200, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/w.safetensors","file_name":"w.safetensors","file_size":89745224},"config_file":{"url":"https://v3.fal.media/files/c.json"}})");
  TrainingJob job;
  job.handle = Handle();
  job.steps = 1000;
  job.estimate = {5min, 15min};
  std::vector<Progress> seen;
  WatchOptions options;
  options.on_progress = [&](const Progress& p) { seen.push_back(p); };
  auto output = f.client.Wait(job, options);
  REQUIRE(output.has_value());
  CHECK(output.value().lora_file->url == "https://v3.fal.media/files/w.safetensors");
  CHECK(output.value().lora_file->file_size == 89745224u);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].queue_position == 1);
  CHECK(seen[1].percent == doctest::Approx(25));
  CHECK(seen[2].percent == doctest::Approx(75));
  CHECK(seen[3].percent == doctest::Approx(100));
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].percent >= seen[i - 1].percent);
}

TEST_CASE("Wait stops at its deadline and cancels the request when asked") {
  Fixture f;
  f.transport->SetFallback([](const HttpRequest& r) -> result<HttpResponse> {
    if (r.method == HttpMethod::kPut) return HttpResponse{202, {}, R"({"status":"CANCELLATION_REQUESTED"})"};
    return HttpResponse{202, {}, R"({"status":"IN_PROGRESS"})"};
  });
  TrainingJob job;
  job.handle = Handle();
  WatchOptions options;
  options.timeout = 1min;
  options.cancel_request_on_stop = true;
  auto before = f.clock->Now();
  auto r = f.client.Wait(job, options);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::deadline_exceeded);
  CHECK(r.error().request_id == "req-1");
  CHECK(f.clock->Now() - before <= 1min + 1s);
  CHECK(f.transport->requests().back().method == HttpMethod::kPut);

  CancelToken token;
  token.Cancel();
  options.cancel = token;
  options.timeout = 0ms;
  options.cancel_request_on_stop = false;
  CHECK(f.client.Wait(job, options).error().code == errc::cancelled);
}

TEST_CASE("a failed training surfaces as request_failed with fal's details") {
  Fixture f;
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED","error":"Invalid status code: 422","error_type":"validation"})");
  f.transport->ExpectResponse(422, R"({"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]})");
  TrainingJob job;
  job.handle = Handle();
  auto r = f.client.Wait(job);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::request_failed);
  CHECK(r.error().field_errors.size() == 1);
}

TEST_CASE("upload: initiate with the key, PUT without it") {
  Fixture f;
  f.transport->ExpectResponse(200, R"({"upload_url":"https://upload.example/signed?sig=1","file_url":"https://v3.fal.media/files/rabbit/faces.zip"})");
  f.transport->ExpectResponse(200, "");
  auto url = f.client.Upload("PK\x03\x04zipbytes", "application/zip", "faces.zip");
  REQUIRE(url.has_value());
  CHECK(url.value() == "https://v3.fal.media/files/rabbit/faces.zip");
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].url == "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3");
  CHECK(sent[0].body == R"({"content_type":"application/zip","file_name":"faces.zip"})");
  CHECK(sent[0].headers.Has("Authorization"));
  CHECK(sent[1].method == HttpMethod::kPut);
  CHECK(sent[1].url == "https://upload.example/signed?sig=1");
  CHECK(sent[1].headers.Get("Content-Type") == "application/zip");
  CHECK_FALSE(sent[1].headers.Has("Authorization"));
  CHECK(sent[1].body == "PK\x03\x04zipbytes");
  CHECK(f.client.Upload("", "application/zip", "x.zip").error().code == errc::invalid_argument);
}

TEST_CASE("a training set is checked against the trainer's photo counts before anything is sent") {
  Fixture f;
  TrainerSpec capped = f.client.trainers().Find("fal-ai/flux-lora-fast-training").value();
  capped.endpoint_id = "fal-ai/capped-trainer";
  capped.min_images = 2;
  capped.max_images = 3;
  REQUIRE(f.client.trainers().Register(capped));
  REQUIRE(f.client.trainers().SetStyleTrainer(AvatarStyle::kArtistic, "fal-ai/capped-trainer"));
  TrainingSet set;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(set.AddImage("p" + std::to_string(i) + ".png", std::string("\x89PNG\r\n\x1A\n", 8) + char('a' + i)));
  }
  auto too_many = f.client.UploadTrainingSet(set, AvatarStyle::kArtistic);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().code == errc::invalid_argument);
  CHECK(too_many.error().message == "fal-ai/capped-trainer takes at most 3 images; the set has 4");
  TrainingSet one;
  REQUIRE(one.AddImage("p.png", std::string("\x89PNG\r\n\x1A\n", 8) + "x"));
  CHECK(f.client.UploadTrainingSet(one, AvatarStyle::kArtistic).error().code == errc::invalid_argument);
  CHECK(f.transport->requests().empty());
}

TEST_CASE("upload above the threshold goes multipart in numbered parts") {
  Fixture f;
  TrainingClient client = f.Make([](ClientOptions& c) {
    c.multipart_threshold = 10;
    c.multipart_part_size = 4;
  });
  f.transport->ExpectResponse(200, R"({"upload_url":"https://up.example/u/abc?token=t","file_url":"https://v3.fal.media/files/big.bin"})");
  f.transport->ExpectResponse(200, R"({"partNumber":1,"etag":"e1"})");
  f.transport->ExpectResponse(200, R"({"partNumber":2,"etag":"e2"})");
  f.transport->ExpectResponse(200, "", {{"ETag", "e3"}});
  f.transport->ExpectResponse(200, "{}");
  auto url = client.Upload("0123456789A", "application/octet-stream", "big.bin");
  REQUIRE(url.has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 5);
  CHECK(sent[0].url == "https://rest.fal.ai/storage/upload/initiate-multipart?storage_type=fal-cdn-v3");
  CHECK(sent[1].url == "https://up.example/u/abc/1?token=t");
  CHECK(sent[1].body == "0123");
  CHECK(sent[3].url == "https://up.example/u/abc/3?token=t");
  CHECK(sent[3].body == "89A");
  CHECK(sent[4].url == "https://up.example/u/abc/complete?token=t");
  CHECK(sent[4].body == R"({"parts":[{"partNumber":1,"etag":"e1"},{"partNumber":2,"etag":"e2"},{"partNumber":3,"etag":"e3"}]})");
}

TEST_CASE("generation input for a LoRA and for a finetune, seeds beyond int64 survive") {
  Fixture f;
  TrainingOutput lora;
  lora.kind = OutputKind::kLoraFile;
  lora.lora_file = FileRef{"https://v3.fal.media/files/w.safetensors", "", "", std::nullopt};
  GenerateRequest request;
  request.prompt = "photo of ohwx person, \"quoted\"";
  request.seed = std::numeric_limits<std::uint64_t>::max();
  request.lora_scale = 0.8;
  request.width = 768;
  request.height = 1024;
  auto in = f.client.BuildGenerationInput(lora, request);
  REQUIRE(in.has_value());
  CHECK(in->endpoint_id == "fal-ai/flux-lora");
  CHECK(in->input_json ==
        R"({"prompt":"photo of ohwx person, \"quoted\"","loras":[{"path":"https://v3.fal.media/files/w.safetensors","scale":0.8}],"image_size":{"width":768,"height":1024},"num_images":1,"seed":18446744073709551615})");

  TrainingOutput finetune;
  finetune.kind = OutputKind::kFinetuneId;
  finetune.finetune_id = "ft-123";
  GenerateRequest ultra;
  ultra.prompt = "TOK as a painting";
  ultra.finetune_strength = 1.2;
  ultra.aspect_ratio = "1:1";
  ultra.extra.SetString("safety_tolerance", "2").SetInt("num_images", 2);
  auto fin = f.client.BuildGenerationInput(finetune, ultra);
  REQUIRE(fin.has_value());
  CHECK(fin->endpoint_id == "fal-ai/flux-pro/v1.1-ultra-finetuned");
  CHECK(fin->input_json ==
        R"({"prompt":"TOK as a painting","finetune_id":"ft-123","finetune_strength":1.2,"aspect_ratio":"1:1","num_images":2,"safety_tolerance":"2"})");

  // The finetuned Ultra endpoint has no enable_safety_checker field: it is never sent there.
  ultra.enable_safety_checker = false;
  auto ultra_checked = f.client.BuildGenerationInput(finetune, ultra);
  REQUIRE(ultra_checked.has_value());
  CHECK(ultra_checked->input_json.find("enable_safety_checker") == std::string::npos);
  request.enable_safety_checker = false;
  CHECK(f.client.BuildGenerationInput(lora, request)->input_json.find(R"("enable_safety_checker":false)") !=
        std::string::npos);

  GenerateRequest no_prompt;
  CHECK(f.client.BuildGenerationInput(lora, no_prompt).error().code == errc::invalid_argument);
  TrainingOutput empty;
  CHECK(f.client.BuildGenerationInput(empty, request).error().code == errc::invalid_argument);
}

TEST_CASE("Generate submits, waits and parses the images") {
  Fixture f;
  f.client = f.Make([](ClientOptions& c) { c.webhook_url = "https://app.example/hooks/training"; });
  f.transport->ExpectResponse(200, SubmitBody("gen-1", "fal-ai/flux-lora"));
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  f.transport->ExpectResponse(200, R"({"images":[{"url":"https://v3.fal.media/files/lion/O853q.jpeg","width":1024,"height":768,"content_type":"image/jpeg"}],"timings":{"inference":2.1},"seed":17454220438242315174,"has_nsfw_concepts":[false],"prompt":"photo of ohwx person"})");
  TrainingOutput lora;
  lora.lora_file = FileRef{"https://v3.fal.media/files/w.safetensors", "", "", std::nullopt};
  GenerateRequest request;
  request.prompt = "photo of ohwx person";
  auto images = f.client.Generate(lora, request);
  REQUIRE(images.has_value());
  REQUIRE(images.value().images.size() == 1);
  CHECK(images.value().images[0].width == 1024);
  CHECK(images.value().seed == "17454220438242315174");
  // The training webhook is not attached to generations.
  CHECK(f.transport->requests()[0].url == "https://queue.fal.run/fal-ai/flux-lora");
}

TEST_CASE("the API key never reaches the logs") {
  Fixture f;
  f.transport->ExpectResponse(503, "oops");
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  REQUIRE(f.client.GetStatus(Handle()).has_value());
  REQUIRE_FALSE(f.logs.empty());
  for (const auto& line : f.logs) {
    CHECK(line.find("secret-5678") == std::string::npos);
    CHECK(line.find("key-id-1234") == std::string::npos);
  }
  CHECK(f.client.options().Describe().find("secret-5678") == std::string::npos);
}

TEST_CASE("signed URL queries never reach the logs") {
  // A storage upload URL carries its signature in the query; a webhook URL may carry a token.
  Fixture f;
  f.transport->ExpectResponse(200, R"({"upload_url":"https://upload.example/signed?sig=SIGNATURE","file_url":"https://v3.fal.media/files/rabbit/faces.zip"})");
  f.transport->ExpectResponse(503, "busy");  // the PUT is retried: both log lines name the URL
  f.transport->ExpectResponse(200, "");
  REQUIRE(f.client.Upload("PK\x03\x04zipbytes", "application/zip", "faces.zip").has_value());
  REQUIRE(f.transport->requests().size() == 3);
  bool named_upload = false;
  for (const auto& line : f.logs) {
    CHECK(line.find("SIGNATURE") == std::string::npos);
    CHECK(line.find("storage_type") == std::string::npos);
    if (line.find("https://upload.example/signed") != std::string::npos) named_upload = true;
  }
  CHECK(named_upload);  // still says where the request went
}

TEST_CASE("request handles round-trip through JSON") {
  RequestHandle h = Handle();
  h.gateway_request_id = "gw";
  h.queue_position = 4;
  auto back = RequestHandle::Parse(h.ToJson());
  REQUIRE(back.has_value());
  CHECK(back.value().request_id == h.request_id);
  CHECK(back.value().status_url == h.status_url);
  CHECK(back.value().cancel_url == h.cancel_url);
  CHECK(back.value().gateway_request_id == "gw");
  CHECK(back.value().queue_position == 4);
  CHECK(RequestHandle::Parse("{}").error().code == errc::invalid_argument);
  CHECK(RequestHandle::Parse("nope").error().code == errc::invalid_argument);
}

TEST_CASE("endpoint ids parse by fal's rules") {
  auto e = EndpointId::Parse("fal-ai/flux-lora/image-to-image").value();
  CHECK(e.owner == "fal-ai");
  CHECK(e.alias == "flux-lora");
  CHECK(e.path == "image-to-image");
  CHECK(e.App() == "fal-ai/flux-lora");
  CHECK(e.Full() == "fal-ai/flux-lora/image-to-image");
  auto legacy = EndpointId::Parse("123-my-app").value();
  CHECK(legacy.App() == "123/my-app");
  auto comfy = EndpointId::Parse("comfy/me/flow").value();
  CHECK(comfy.App() == "comfy/me/flow");
  CHECK_FALSE(EndpointId::Parse("").has_value());
  CHECK_FALSE(EndpointId::Parse("single").has_value());
  CHECK_FALSE(EndpointId::Parse("a//b").has_value());
  CHECK_FALSE(EndpointId::Parse("workflows/x").has_value());
  CHECK_FALSE(EndpointId::Parse("a/../b").has_value());
  CHECK_FALSE(EndpointId::Parse("fal-ai/flux/").has_value());
  CHECK_FALSE(EndpointId::Parse("/fal-ai/flux").has_value());
}
