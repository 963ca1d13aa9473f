// Retries by call, as fal's own clients do (reference §3.2, §9): a status poll rides out any 5xx; a
// result, cancel or upload never repeats a 500, and repeats 502/503/504 only when fal's ingress sent
// them (no x-fal-request-id). A failed request's result error is request_failed with fal's detail,
// and a cancel token cuts a retry backoff short.

#include <faltrain/client/job_monitor.hpp>
#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include "support/scripted_client.hpp"

#include <doctest/doctest.h>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

struct Fixture : test_support::ScriptedClient {
  TrainingClient client = Make();
};

RequestHandle Handle() {
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = "req-1";
  h.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/req-1";
  h.status_url = h.response_url + "/status";
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

const HttpHeaders kFromApp{{"x-fal-request-id", "req-1"}};
constexpr const char* kNginx502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";

}  // namespace

TEST_CASE("status polls retry a 500 as fal-js does, result and cancel never do") {
  Fixture f;
  f.transport->ExpectResponse(500, R"({"detail":"Internal Server Error"})", kFromApp);
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS"})");
  auto status = f.client.GetStatus(Handle());
  REQUIRE(status.has_value());
  CHECK(f.transport->requests().size() == 2);

  f.transport->ExpectResponse(500, R"({"detail":"Internal Server Error"})", kFromApp);
  auto cancel = f.client.Cancel(Handle());
  REQUIRE_FALSE(cancel.has_value());
  CHECK(cancel.error().http_status == 500);
  CHECK_FALSE(cancel.error().retryable);
  CHECK(f.transport->requests().size() == 3);  // one try
  CHECK(f.transport->pending() == 0);
}

TEST_CASE("a failed request's 500 or 504 result is request_failed with fal's detail, asked once") {
  for (int code : {500, 504}) {
    CAPTURE(code);
    Fixture f;
    f.transport->ExpectResponse(
        code, R"({"detail":"Training failed: loss became NaN at step 12/500","error_type":"runner_server_error"})",
        kFromApp);
    auto result = f.client.GetResultJson(Handle());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::request_failed);
    CHECK(result.error().message == "Training failed: loss became NaN at step 12/500");
    CHECK(result.error().fal_error_type == "runner_server_error");
    CHECK_FALSE(result.error().retryable);
    CHECK(f.transport->requests().size() == 1);
  }
}

TEST_CASE("result: an ingress 502/503/504 (no x-fal-request-id) is retried, the app's own 502 is not") {
  Fixture f;
  f.transport->ExpectResponse(502, kNginx502);
  f.transport->ExpectResponse(503, "<html>nginx</html>");
  f.transport->ExpectResponse(200, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/w.safetensors"}})");
  auto ok = f.client.GetResultJson(Handle());
  REQUIRE(ok.has_value());
  CHECK(f.transport->requests().size() == 3);

  f.transport->ExpectResponse(502, R"({"detail":"runner connection error","error_type":"runner_connection_error"})",
                              kFromApp);
  auto failed = f.client.GetResultJson(Handle());
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == errc::request_failed);
  CHECK(f.transport->requests().size() == 4);
}

TEST_CASE("result: ingress errors that outlast the retries stay transient, not request_failed") {
  Fixture f;
  f.transport->SetFallback([](const HttpRequest&) -> result<HttpResponse> {
    HttpResponse r;
    r.status = 503;
    r.body = "<html>503 Service Temporarily Unavailable nginx</html>";
    return r;
  });
  auto result = f.client.GetResultJson(Handle());
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == errc::server_error);
  CHECK(result.error().retryable);
  CHECK(f.transport->requests().size() == static_cast<std::size_t>(f.client.options().retry.max_attempts));
}

TEST_CASE("result: network errors, 408 and 429 are retried, a user timeout 504 never is") {
  Fixture f;
  f.transport->ExpectFailure(errc::network_error, "connection reset");
  f.transport->ExpectResponse(429, R"({"detail":"Too many requests"})", kFromApp);
  f.transport->ExpectResponse(408, R"({"detail":"timeout"})");
  f.transport->ExpectResponse(200, "{}");
  CHECK(f.client.GetResultJson(Handle()).has_value());
  CHECK(f.transport->requests().size() == 4);

  f.transport->ExpectResponse(504, R"({"detail":"Request timed out","error_type":"request_timeout"})",
                              {{"X-Fal-Request-Timeout-Type", "user"}});
  auto timed_out = f.client.GetResultJson(Handle());
  REQUIRE_FALSE(timed_out.has_value());
  CHECK(timed_out.error().fal_error_type == "request_timeout");
  CHECK(f.transport->requests().size() == 5);
}

TEST_CASE("a cancel token stops a retry backoff at once, even a long Retry-After") {
  Fixture f;
  CancelToken cancel;
  // The token fires while the first poll is on the wire; the answer asks for a four-minute wait
  // (within RetryPolicy::max_total, so the client would sleep it out).
  f.transport->Expect([cancel](const HttpRequest&) -> result<HttpResponse> {
    cancel.Cancel();
    HttpResponse r;
    r.status = 503;
    r.headers.Add("Retry-After", "240");
    r.body = "<html>nginx</html>";
    return r;
  });
  const auto before = f.clock->Now();
  auto status = f.client.GetStatus(Handle(), true, cancel);
  REQUIRE_FALSE(status.has_value());
  CHECK(status.error().code == errc::cancelled);
  CHECK(f.transport->requests().size() == 1);
  CHECK(f.clock->Now() == before);  // the virtual clock never slept
}

TEST_CASE("a Retry-After beyond RetryPolicy::max_total ends the retries instead of sleeping it out") {
  Fixture f;
  f.transport->ExpectResponse(503, "<html>nginx</html>", {{"Retry-After", "86400"}});
  const auto before = f.clock->Now();
  auto status = f.client.GetStatus(Handle());
  REQUIRE_FALSE(status.has_value());
  CHECK(status.error().http_status == 503);
  CHECK(status.error().retry_after == std::chrono::milliseconds(std::chrono::hours(24)));
  CHECK(f.transport->requests().size() == 1);
  CHECK(f.clock->Now() == before);
}

TEST_CASE("Wait: a cancel during a retry backoff stops the wait and cancels the request when asked") {
  Fixture f;
  WatchOptions options;
  f.transport->Expect([cancel = options.cancel](const HttpRequest&) -> result<HttpResponse> {
    cancel.Cancel();
    return fail(errc::network_error, "connection reset");
  });
  f.transport->ExpectResponse(202, R"({"status":"CANCELLATION_REQUESTED"})");
  options.cancel_request_on_stop = true;
  TrainingJob job;
  job.handle = Handle();
  auto r = f.client.Wait(job, options);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::cancelled);
  REQUIRE(f.transport->requests().size() == 2);
  CHECK(f.transport->requests()[1].method == HttpMethod::kPut);
  CHECK(f.transport->requests()[1].url == Handle().cancel_url);
}

TEST_CASE("JobMonitor: a cancel during a poll's retry backoff leaves the job watched, not done") {
  Fixture f;
  JobMonitor monitor(f.client);
  TrainingJob job;
  job.handle = Handle();
  int done = 0;
  monitor.Add(job, {nullptr, [&](const RequestHandle&, result<TrainingOutput>) { ++done; }});
  CancelToken cancel;
  f.transport->Expect([cancel](const HttpRequest&) -> result<HttpResponse> {
    cancel.Cancel();
    return fail(errc::network_error, "connection reset");
  });
  auto run = monitor.Run(cancel);
  REQUIRE_FALSE(run.has_value());
  CHECK(run.error().code == errc::cancelled);
  CHECK(done == 0);
  CHECK(monitor.size() == 1);
}

TEST_CASE("an unknown status keeps Wait polling, with a warning, until COMPLETED") {
  Fixture f;
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS"})");
  f.transport->ExpectResponse(202, R"({"status":"PAUSED"})");
  f.transport->ExpectResponse(202, R"({"status":"IN_PROGRESS"})");
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  f.transport->ExpectResponse(200, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/w.safetensors"}})");
  TrainingJob job;
  job.handle = Handle();
  WatchOptions options;
  options.min_interval = 1s;
  auto output = f.client.Wait(job, options);
  REQUIRE(output.has_value());
  CHECK(output.value().lora_file.has_value());
  CHECK(f.transport->requests().size() == 5);
  CHECK(f.Logged("unknown status \"PAUSED\""));
}

TEST_CASE("an unknown status keeps JobMonitor polling, the job ends only at COMPLETED") {
  Fixture f;
  WatchOptions defaults;
  defaults.min_interval = 1s;
  JobMonitor monitor(f.client, defaults);
  TrainingJob job;
  job.handle = Handle();
  std::optional<result<TrainingOutput>> outcome;
  monitor.Add(job, {nullptr, [&](const RequestHandle&, result<TrainingOutput> r) { outcome = std::move(r); }});
  f.transport->ExpectResponse(202, R"({"status":"SOMETHING_NEW"})");
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  f.transport->ExpectResponse(200, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/w.safetensors"}})");
  REQUIRE(monitor.Run().has_value());
  REQUIRE(outcome.has_value());
  CHECK(outcome->has_value());
  CHECK(f.transport->requests().size() == 3);
  CHECK(f.Logged("unknown status \"SOMETHING_NEW\""));
}

TEST_CASE("JobMonitor's asynchronous polls keep the rules by call: a status 500 is retried, a result 500 is the outcome") {
  Fixture f;
  JobMonitor monitor(f.client);
  TrainingJob job;
  job.handle = Handle();
  std::optional<result<TrainingOutput>> outcome;
  monitor.Add(job, {nullptr, [&](const RequestHandle&, result<TrainingOutput> r) { outcome = std::move(r); }});
  f.transport->ExpectResponse(500, R"({"detail":"Internal Server Error"})", kFromApp);
  f.transport->ExpectResponse(200, R"({"status":"COMPLETED"})");
  f.transport->ExpectResponse(500, R"({"detail":"Training failed: CUDA out of memory"})", kFromApp);
  REQUIRE(monitor.Run().has_value());
  REQUIRE(outcome.has_value());
  REQUIRE_FALSE(outcome->has_value());
  CHECK(outcome->error().code == errc::request_failed);
  CHECK(outcome->error().message == "Training failed: CUDA out of memory");
  CHECK(f.transport->requests().size() == 3);  // the status twice, the result once
  CHECK(f.transport->pending() == 0);
}
