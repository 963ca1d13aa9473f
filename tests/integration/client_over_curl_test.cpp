// TrainingClient + the real CurlTransport against the in-process fake fal server (127.0.0.1 only).
// Retries sleep on a VirtualClock, so backoffs and Retry-After cost no real time.

#include "fake_fal_server.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using faltrain::AvatarStyle;
using faltrain::CancelOutcome;
using faltrain::ClientOptions;
using faltrain::CurlTransport;
using faltrain::CurlTransportOptions;
using faltrain::errc;
using faltrain::QueuePriority;
using faltrain::RequestHandle;
using faltrain::RequestPhase;
using faltrain::SubmitOptions;
using faltrain::TrainingClient;
using faltrain::VirtualClock;
using faltrain_testing::FakeFalServer;
using faltrain_testing::FakeFalServerOptions;
using faltrain_testing::Fault;
using faltrain_testing::Route;
using namespace std::chrono_literals;

constexpr const char* kKey = "test:key";
constexpr const char* kEndpoint = "fal-ai/flux-lora-portrait-trainer";
constexpr const char* kInput = R"({"images_data_url":"https://v3.fal.media/files/rabbit/faces.zip","steps":2500})";

FakeFalServerOptions ServerOptions() {
  FakeFalServerOptions o;
  o.expected_key = kKey;  // the server rejects any other key with fal's 401
  return o;
}

ClientOptions Config(const FakeFalServer& server) {
  ClientOptions c;
  c.api_key = kKey;
  c.endpoints.queue_url = server.base_url();
  c.endpoints.rest_url = server.base_url();
  c.endpoints.jwks_url = server.base_url() + "/.well-known/jwks.json";
  c.retry.max_attempts = 4;
  c.retry.initial_backoff = 1ms;
  c.retry.max_backoff = 5ms;
  return c;
}

/// A client over a real CurlTransport (kept for its stats) and a virtual clock.
struct Fixture {
  explicit Fixture(CurlTransportOptions transport_options = {},
                   FakeFalServerOptions server_options = ServerOptions())
      : server(server_options),
        transport(std::make_shared<CurlTransport>(transport_options)),
        clock(std::make_shared<VirtualClock>()),
        client(TrainingClient::Create(Config(server), transport, clock).value()) {}

  RequestHandle Submit() {
    auto handle = client.Submit(kEndpoint, kInput);
    REQUIRE(handle);
    return handle.value();
  }

  FakeFalServer server;
  std::shared_ptr<CurlTransport> transport;
  std::shared_ptr<VirtualClock> clock;
  TrainingClient client;
};

void CheckNoKey(const faltrain::error& e) {
  CHECK(e.to_string().find(kKey) == std::string::npos);
}

}  // namespace

TEST_CASE("submit sends the input, webhook query and queue headers, and keeps the returned URLs") {
  Fixture f;
  SubmitOptions options;
  options.webhook_url = "https://app.example/hooks/fal?avatar=42";
  options.priority = QueuePriority::kLow;
  options.start_timeout = 30s;
  options.no_server_retry = true;
  options.store_io = false;
  options.runner_hint = "eu-1";
  auto handle = f.client.Submit(kEndpoint, kInput, options);
  REQUIRE(handle);

  auto seen = f.server.received(Route::kSubmit);
  REQUIRE(seen.size() == 1);
  const auto& r = seen[0];
  CHECK(r.path == std::string("/") + kEndpoint);
  CHECK(r.Param("fal_webhook") == "https://app.example/hooks/fal?avatar=42");
  CHECK(r.body == kInput);
  CHECK(r.Header("Authorization") == std::string("Key ") + kKey);
  CHECK(r.Header("Content-Type") == "application/json");
  CHECK(r.Header("X-Fal-Queue-Priority") == "low");
  CHECK(r.Header("X-Fal-Request-Timeout") == "30");
  CHECK(r.Header("X-Fal-No-Retry") == "1");
  CHECK(r.Header("X-Fal-Store-IO") == "0");
  CHECK(r.Header("X-Fal-Runner-Hint") == "eu-1");
  CHECK(r.Header("User-Agent").value_or("").rfind("faltrain/", 0) == 0);

  const auto& h = handle.value();
  CHECK(h.endpoint_id == kEndpoint);
  CHECK_FALSE(h.request_id.empty());
  const std::string response_url =
      f.server.base_url() + "/" + kEndpoint + "/requests/" + h.request_id;
  CHECK(h.response_url == response_url);
  CHECK(h.status_url == response_url + "/status");
  CHECK(h.cancel_url == response_url + "/cancel");
  CHECK(h.queue_position == 0);
}

TEST_CASE("SubmitTraining builds the trainer input from the style and preset") {
  Fixture f;
  faltrain::TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/rabbit/faces.zip";
  request.style = AvatarStyle::kPortrait;
  auto job = f.client.SubmitTraining(request);
  REQUIRE(job);
  auto seen = f.server.received(Route::kSubmit);
  REQUIRE(seen.size() == 1);
  auto expected = f.client.BuildTrainingInput(request);
  REQUIRE(expected);
  CHECK(seen[0].body == expected.value());
  CHECK(seen[0].path == "/" + job.value().trainer.endpoint_id);
  CHECK(seen[0].body.find(request.images_url) != std::string::npos);
}

TEST_CASE("status through every phase, then the result, over one reused connection") {
  Fixture f;
  auto h = f.Submit();

  auto queued = f.client.GetStatus(h);
  REQUIRE(queued);
  CHECK(queued.value().phase == RequestPhase::kInQueue);
  CHECK(queued.value().http_status == 202);
  CHECK(queued.value().queue_position == 0);
  CHECK(queued.value().request_id == h.request_id);

  auto running = f.client.GetStatus(h, /*with_logs=*/true);
  REQUIRE(running);
  CHECK(running.value().phase == RequestPhase::kInProgress);
  CHECK(running.value().http_status == 202);
  REQUIRE(running.value().logs.size() == 2);
  CHECK(running.value().logs[0].message == "Preprocessing images...");
  CHECK(running.value().logs[0].level == "INFO");
  CHECK(running.value().logs[1].message.find("Training step") == 0);

  auto done = f.client.GetStatus(h, /*with_logs=*/false);
  REQUIRE(done);
  CHECK(done.value().phase == RequestPhase::kCompleted);
  CHECK(done.value().http_status == 200);
  CHECK(done.value().logs.empty());
  REQUIRE(done.value().inference_time.has_value());
  CHECK(*done.value().inference_time == doctest::Approx(17.795265674591064));
  auto statuses = f.server.received(Route::kStatus);
  REQUIRE(statuses.size() == 3);
  CHECK(statuses[0].Param("logs") == "1");
  CHECK(statuses[2].Param("logs") == "0");

  auto json = f.client.GetResultJson(h);
  REQUIRE(json);
  CHECK(json.value() == faltrain_testing::DefaultTrainingResultJson(f.server.base_url()));
  auto output = f.client.GetTrainingOutput(h);
  REQUIRE(output);
  REQUIRE(output.value().lora_file.has_value());
  CHECK(output.value().lora_file->url ==
        f.server.base_url() + "/files/out/pytorch_lora_weights.safetensors");
  CHECK(output.value().lora_file->file_size == 89745224u);
  REQUIRE(output.value().config_file.has_value());

  // The submit's own connection, then one reused for every GET.
  CHECK(f.transport->stats().connections_opened == 2);
  CHECK(f.server.connections_seen() == 2);
}

TEST_CASE("Wait polls to completion and returns the parsed output") {
  FakeFalServerOptions options = ServerOptions();
  options.polls_in_queue = 2;
  options.polls_in_progress = 3;
  Fixture f({}, options);
  faltrain::TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/rabbit/faces.zip";
  auto job = f.client.SubmitTraining(request);
  REQUIRE(job);
  int reports = 0;
  faltrain::WatchOptions watch;
  watch.on_progress = [&](const faltrain::Progress&) { ++reports; };
  auto output = f.client.Wait(job.value(), watch);
  REQUIRE(output);
  CHECK(output.value().lora_file.has_value());
  CHECK(f.server.count(Route::kStatus) == 6);
  CHECK(reports == 6);
  CHECK(f.server.count(Route::kResult) == 1);
}

TEST_CASE("cancel: requested while running, already completed afterwards") {
  Fixture f;
  auto h = f.Submit();
  auto first = f.client.Cancel(h);
  REQUIRE(first);
  CHECK(first.value() == CancelOutcome::kRequested);

  f.server.SetStatusScript(0, 0);
  auto h2 = f.Submit();
  REQUIRE(f.client.GetStatus(h2));  // completes it
  auto second = f.client.Cancel(h2);
  REQUIRE(second);
  CHECK(second.value() == CancelOutcome::kAlreadyCompleted);
  CHECK(f.server.count(Route::kCancel) == 2);
}

TEST_CASE("upload: initiate with the key, PUT to the signed URL without it") {
  Fixture f;
  std::string bytes("PK\x03\x04 zip bytes \0 with a NUL", 27);
  auto url = f.client.Upload(bytes, "application/zip", "faces.zip");
  REQUIRE(url);
  CHECK(f.server.uploaded(url.value()) == bytes);
  auto initiate = f.server.received(Route::kUploadInitiate);
  REQUIRE(initiate.size() == 1);
  CHECK(initiate[0].Param("storage_type") == "fal-cdn-v3");
  CHECK(initiate[0].Header("Authorization") == std::string("Key ") + kKey);
  CHECK(initiate[0].body.find("\"file_name\":\"faces.zip\"") != std::string::npos);
  auto put = f.server.received(Route::kUploadPut);
  REQUIRE(put.size() == 1);
  CHECK_FALSE(put[0].Header("Authorization").has_value());
  CHECK(put[0].Header("Content-Type") == "application/zip");
}

TEST_CASE("multipart upload: parts in order, completed with their etags") {
  FakeFalServer server(ServerOptions());
  ClientOptions config = Config(server);
  config.multipart_threshold = 1000;
  config.multipart_part_size = 400;
  auto client = TrainingClient::Create(config, std::make_shared<CurlTransport>(),
                                       std::make_shared<VirtualClock>());
  REQUIRE(client);
  std::string bytes;
  for (int i = 0; i < 1500; ++i) bytes.push_back(static_cast<char>('a' + i % 26));
  auto url = client.value().Upload(bytes, "application/zip", "big.zip");
  REQUIRE(url);
  CHECK(server.uploaded(url.value()) == bytes);
  CHECK(server.count(Route::kUploadPut) == 4);
  CHECK(server.count(Route::kUploadComplete) == 1);
}

TEST_CASE("ClientOptions's request timeout applies to a caller's own CurlTransport") {
  FakeFalServer server(ServerOptions());
  server.AddFault(Route::kStatus, Fault::Slow(10s));
  ClientOptions config = Config(server);
  config.retry.max_attempts = 1;
  config.request_timeout = 300ms;
  // The caller's transport has its own (long) defaults; the client's settings win per request.
  auto client = TrainingClient::Create(config, std::make_shared<CurlTransport>(),
                                       std::make_shared<VirtualClock>());
  REQUIRE(client);
  auto handle = client.value().Submit(kEndpoint, kInput);
  REQUIRE(handle);
  const auto start = std::chrono::steady_clock::now();
  auto status = client.value().GetStatus(handle.value());
  REQUIRE_FALSE(status);
  CHECK(status.error().code == errc::timeout);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("401 becomes errc::unauthorized with fal's detail, not retried, key not in the message") {
  Fixture f;
  f.server.AddFault(Route::kSubmit, Fault::Unauthorized());
  auto r = f.client.Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::unauthorized);
  CHECK(r.error().http_status == 401);
  CHECK(r.error().message.find("No user found for Key ID and Secret") != std::string::npos);
  CheckNoKey(r.error());
  CHECK(f.server.count(Route::kSubmit) == 1);
}

TEST_CASE("a wrong key is refused by the server as fal would") {
  FakeFalServer server(ServerOptions());
  ClientOptions config = Config(server);
  config.api_key = "other:key\n";  // trimmed by the client, still wrong
  auto client = TrainingClient::Create(config, std::make_shared<CurlTransport>(),
                                       std::make_shared<VirtualClock>());
  REQUIRE(client);
  auto r = client.value().Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::unauthorized);
  CHECK(r.error().to_string().find("other:key") == std::string::npos);
}

TEST_CASE("422 carries the field errors") {
  Fixture f;
  f.server.AddFault(Route::kSubmit, Fault::Validation());
  auto r = f.client.Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::validation_failed);
  CHECK(r.error().http_status == 422);
  REQUIRE(r.error().field_errors.size() == 2);
  CHECK(r.error().field_errors[0].loc == std::vector<std::string>{"body", "images_data_url"});
  CHECK(r.error().field_errors[0].type == "value_error.missing");
  CHECK(r.error().field_errors[0].msg == "field required");
  CHECK(r.error().field_errors[1].loc == std::vector<std::string>{"body", "steps"});
  CHECK(f.server.count(Route::kSubmit) == 1);
}

TEST_CASE("429 with Retry-After is waited out (on the virtual clock), then succeeds") {
  Fixture f;
  SUBCASE("status") {
    auto h = f.Submit();
    f.server.AddFault(Route::kStatus, Fault::RateLimited(3, 1));
    const auto before = f.clock->Now();
    auto s = f.client.GetStatus(h);
    REQUIRE(s);
    CHECK(s.value().phase == RequestPhase::kInQueue);
    CHECK(f.server.count(Route::kStatus) == 2);
    CHECK(f.clock->Now() - before >= 3s);  // Retry-After beat the 1-5 ms backoff
  }
  SUBCASE("submit: a 429 is a refusal, so it is safe to send again") {
    f.server.AddFault(Route::kSubmit, Fault::RateLimited(2, 1));
    auto h = f.client.Submit(kEndpoint, kInput);
    REQUIRE(h);
    CHECK(f.server.count(Route::kSubmit) == 2);
  }
}

TEST_CASE("503 once on status, then success") {
  Fixture f;
  auto h = f.Submit();
  f.server.AddFault(Route::kStatus, Fault::Unavailable(1));
  auto s = f.client.GetStatus(h);
  REQUIRE(s);
  CHECK(s.value().phase == RequestPhase::kInQueue);
  CHECK(f.server.count(Route::kStatus) == 2);
}

TEST_CASE("503 on every try gives up after max_attempts with the server's error type") {
  Fixture f;
  auto h = f.Submit();
  f.server.AddFault(Route::kStatus, Fault::Unavailable(-1));
  auto s = f.client.GetStatus(h);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == errc::server_error);
  CHECK(s.error().http_status == 503);
  CHECK(s.error().fal_error_type == "runner_scheduling_failure");
  CHECK(s.error().request_id == h.request_id);
  CHECK(f.server.count(Route::kStatus) == 4);
}

TEST_CASE("a connection dropped after the server read the submit: an error, never a second POST") {
  Fixture f;
  f.server.AddFault(Route::kSubmit, Fault::DropConnection(1));
  auto r = f.client.Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::network_error);
  CheckNoKey(r.error());
  CHECK(f.server.count(Route::kSubmit) == 1);  // the server got it once and only once
  REQUIRE(f.server.received(Route::kSubmit).size() == 1);
  CHECK(f.server.received(Route::kSubmit)[0].body == kInput);
}

TEST_CASE("a submit dropped on a warm connection is not sent twice either") {
  Fixture f;
  auto h = f.Submit();
  REQUIRE(f.client.GetStatus(h));  // the pool now holds a live keep-alive connection
  f.server.AddFault(Route::kSubmit, Fault::DropConnection(1));
  auto r = f.client.Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::network_error);
  CHECK(f.server.count(Route::kSubmit) == 2);  // the first submit and the dropped one, no more
}

TEST_CASE("a dropped connection on status is retried (status is idempotent)") {
  Fixture f;
  auto h = f.Submit();
  f.server.AddFault(Route::kStatus, Fault::DropConnection(1));
  auto s = f.client.GetStatus(h);
  REQUIRE(s);
  CHECK(f.server.count(Route::kStatus) == 2);
}

TEST_CASE("nothing listening: submit is retried (it provably never arrived), then fails") {
  FakeFalServer unused_reference(ServerOptions());
  ClientOptions config = Config(unused_reference);
  config.endpoints.queue_url = "http://127.0.0.1:" + std::to_string(faltrain_testing::UnusedLoopbackPort());
  auto transport = std::make_shared<CurlTransport>();
  auto client = TrainingClient::Create(config, transport, std::make_shared<VirtualClock>());
  REQUIRE(client);
  auto r = client.value().Submit(kEndpoint, kInput);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::connect_failed);
  CHECK(transport->stats().requests == 4);  // max_attempts: safe because nothing was sent
}

TEST_CASE("a slow server against the request timeout") {
  FakeFalServer server(ServerOptions());
  ClientOptions config = Config(server);
  config.request_timeout = 300ms;
  // No transport given: the client builds its own CurlTransport from the config's timeouts.
  auto client = TrainingClient::Create(config, nullptr, std::make_shared<VirtualClock>());
  REQUIRE(client);

  SUBCASE("submit times out once and is not sent again") {
    server.AddFault(Route::kSubmit, Fault::Slow(10s));
    auto r = client.value().Submit(kEndpoint, kInput);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::timeout);
    CHECK(server.count(Route::kSubmit) == 1);
  }
  SUBCASE("status times out once, the retry succeeds") {
    auto h = client.value().Submit(kEndpoint, kInput);
    REQUIRE(h);
    server.AddFault(Route::kStatus, Fault::Slow(10s, 1));
    auto s = client.value().GetStatus(h.value());
    REQUIRE(s);
    CHECK(server.count(Route::kStatus) == 2);
  }
}

TEST_CASE("malformed JSON becomes errc::malformed_response") {
  Fixture f;
  SUBCASE("submit") {
    f.server.AddFault(Route::kSubmit, Fault::MalformedJson(1));
    auto r = f.client.Submit(kEndpoint, kInput);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
    CHECK(f.server.count(Route::kSubmit) == 1);
  }
  SUBCASE("status") {
    auto h = f.Submit();
    f.server.AddFault(Route::kStatus, Fault::MalformedJson(1));
    auto s = f.client.GetStatus(h);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == errc::malformed_response);
  }
  SUBCASE("result") {
    f.server.SetStatusScript(0, 0);
    auto h = f.Submit();
    REQUIRE(f.client.GetStatus(h));
    f.server.AddFault(Route::kResult, Fault::MalformedJson(1));
    auto r = f.client.GetResultJson(h);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
  }
}

TEST_CASE("a huge body is cut off at max_response_bytes, not retried") {
  CurlTransportOptions options;
  options.max_response_bytes = 1 << 20;
  Fixture f(options);
  f.server.SetStatusScript(0, 0);
  auto h = f.Submit();
  REQUIRE(f.client.GetStatus(h));
  f.server.AddFault(Route::kResult, Fault::HugeBody(8 << 20, /*chunked=*/true));
  auto r = f.client.GetResultJson(h);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::payload_too_large);
  CHECK(f.server.count(Route::kResult) == 1);
}

TEST_CASE("one client shared by several threads: submits and polls all succeed") {
  FakeFalServerOptions options = ServerOptions();
  options.polls_in_queue = 3;
  options.polls_in_progress = 3;
  Fixture f({}, options);
  constexpr int kThreads = 4;
  constexpr int kJobsPerThread = 5;
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kJobsPerThread; ++j) {
        auto h = f.client.Submit(kEndpoint, kInput);
        if (!h) continue;
        for (int poll = 0; poll < 10; ++poll) {
          auto s = f.client.GetStatus(h.value());
          if (!s) break;
          if (s.value().phase == RequestPhase::kCompleted) {
            if (f.client.GetTrainingOutput(h.value())) ++completed;
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(completed == kThreads * kJobsPerThread);
  CHECK(f.server.count(Route::kSubmit) == kThreads * kJobsPerThread);
  CHECK(f.server.count(Route::kStatus) == kThreads * kJobsPerThread * 7);
  CHECK(f.transport->stats().handles_created <= kThreads);
}
