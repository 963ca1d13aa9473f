// Fault injection in SimTransport: HTTP faults per operation, request, endpoint or input marker,
// by rate with a seeded coin, and the text form used by flags.

#include "sim_test_helpers.hpp"

using namespace faltrain;
using namespace sim_test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  explicit Fixture(std::vector<SimFault> faults = {}, std::uint64_t seed = 5)
      : clock(std::make_shared<VirtualClock>()), sim(Options(std::move(faults), seed), clock) {}
  static SimOptions Options(std::vector<SimFault> faults, std::uint64_t seed) {
    SimOptions o;
    o.seed = seed;
    o.delivery = SimDelivery::kManual;
    o.faults = std::move(faults);
    return o;
  }
  HttpResponse Submit(const std::string& body = R"({"images_data_url":"https://x/y.zip"})") {
    return Call(sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer", body);
  }
  std::shared_ptr<VirtualClock> clock;
  SimTransport sim;
};

SimFault Fault(SimFaultKind kind, SimOperation op = SimOperation::kAny, int count = 1) {
  SimFault f;
  f.kind = kind;
  f.operation = op;
  f.count = count;
  return f;
}

}  // namespace

TEST_CASE("429 with Retry-After, for as many calls as configured") {
  SimFault limit = Fault(SimFaultKind::kRateLimit, SimOperation::kStatus, 2);
  limit.delay = 2500ms;
  Fixture f({limit});
  auto submit = f.Submit();
  REQUIRE(submit.status == 200);
  std::string url = At(submit.body, "/status_url");
  for (int i = 0; i < 2; ++i) {
    auto r = Call(f.sim, HttpMethod::kGet, url);
    CHECK(r.status == 429);
    CHECK(r.headers.Get("Retry-After") == "3");
    CHECK(At(r.body, "/detail").find("Rate limit") != std::string::npos);
  }
  CHECK(Call(f.sim, HttpMethod::kGet, url).status == 202);
}

TEST_CASE("502/503 are nginx pages without x-fal-request-id, and the submit is not processed") {
  Fixture f({Fault(SimFaultKind::kBadGateway, SimOperation::kSubmit), Fault(SimFaultKind::kServiceUnavailable, SimOperation::kSubmit)});
  auto bad_gateway = f.Submit();
  CHECK(bad_gateway.status == 502);
  CHECK(bad_gateway.headers.Get("content-type") == "text/html");
  CHECK(bad_gateway.body.find("<center>nginx</center>") != std::string::npos);
  CHECK_FALSE(bad_gateway.headers.Has("x-fal-request-id"));
  auto unavailable = f.Submit();
  CHECK(unavailable.status == 503);
  CHECK(unavailable.body.find("503 Service Temporarily Unavailable") != std::string::npos);
  CHECK(f.sim.ReceivedSubmissions().empty());
  CHECK(f.Submit().status == 200);
  CHECK(f.sim.ReceivedSubmissions().size() == 1);
}

TEST_CASE("a dropped connection on submit: network_error, but the request was received and runs") {
  Fixture f({Fault(SimFaultKind::kDropConnection, SimOperation::kSubmit)});
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer";
  request.body = R"({"images_data_url":"https://x/y.zip"})";
  auto sent = f.sim.Send(request);
  REQUIRE_FALSE(sent.has_value());
  CHECK(sent.error().code == errc::network_error);
  auto received = f.sim.ReceivedSubmissions();
  REQUIRE(received.size() == 1);
  auto status = Call(f.sim, HttpMethod::kGet,
                     std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/" + received[0] + "/status");
  CHECK(status.status == 202);
}

TEST_CASE("a slow response takes its time on the clock") {
  SimFault slow = Fault(SimFaultKind::kSlowResponse, SimOperation::kResult);
  slow.delay = 45s;
  Fixture f({slow});
  auto submit = f.Submit();
  auto before = f.clock->Now();
  Call(f.sim, HttpMethod::kGet, At(submit.body, "/status_url"));
  CHECK(f.clock->Now() == before);
  Call(f.sim, HttpMethod::kGet, At(submit.body, "/response_url"));
  CHECK(f.clock->Now() - before == 45s);
}

TEST_CASE("a slow response past the request's timeout fails with errc::timeout at the timeout") {
  SimFault slow = Fault(SimFaultKind::kSlowResponse, SimOperation::kResult);
  slow.delay = 45s;
  Fixture f({slow});
  auto submit = f.Submit();
  HttpRequest request;
  request.url = At(submit.body, "/response_url");
  request.timeout = 10s;
  auto before = f.clock->Now();
  auto sent = f.sim.Send(request);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().code == errc::timeout);
  CHECK(f.clock->Now() - before == 10s);
}

TEST_CASE("a failing training: error log, COMPLETED with error, result 500") {
  Fixture f({Fault(SimFaultKind::kTrainingFailure)});
  auto submit = f.Submit(R"({"images_data_url":"https://x/y.zip","steps":1000})");
  f.clock->Advance(1h);
  auto status = Call(f.sim, HttpMethod::kGet, At(submit.body, "/status_url") + "?logs=1");
  CHECK(At(status.body, "/status") == "COMPLETED");
  CHECK(At(status.body, "/error") == "Invalid status code: 500");
  std::size_t n = ArraySize(status.body, "/logs");
  REQUIRE(n > 0);
  CHECK(At(status.body, "/logs/" + std::to_string(n - 1) + "/level") == "ERROR");
  auto result = Call(f.sim, HttpMethod::kGet, At(submit.body, "/response_url"));
  CHECK(result.status == 500);
  CHECK(At(result.body, "/detail").find("/1000") != std::string::npos);
  CHECK(result.headers.Get("x-fal-retryable") == "false");
  // fal's documented error type (reference §9), in the status, the result body and its header;
  // x-fal-request-id marks the answer as the app's own, not the ingress's.
  CHECK(At(status.body, "/error_type") == "runner_server_error");
  CHECK(At(result.body, "/error_type") == "runner_server_error");
  CHECK(result.headers.Get("X-Fal-Error-Type") == "runner_server_error");
  CHECK_FALSE(result.headers.Get("x-fal-request-id").empty());
  // The rule was spent: the next training succeeds.
  auto next = f.Submit();
  f.clock->Advance(1h);
  CHECK(Call(f.sim, HttpMethod::kGet, At(next.body, "/response_url")).status == 200);
}

TEST_CASE("matchers: endpoint, input marker and request id") {
  SimFault by_marker = Fault(SimFaultKind::kTrainingFailure, SimOperation::kAny, -1);
  by_marker.input_marker = "please-fail";
  SimFault by_endpoint = Fault(SimFaultKind::kServiceUnavailable, SimOperation::kAny, -1);
  by_endpoint.endpoint_id = "fal-ai/flux-pro";
  Fixture f({by_marker, by_endpoint});
  auto ok = f.Submit();
  auto doomed = f.Submit(R"({"images_data_url":"https://x/please-fail.zip"})");
  f.clock->Advance(1h);
  CHECK(Call(f.sim, HttpMethod::kGet, At(ok.body, "/response_url")).status == 200);
  CHECK(Call(f.sim, HttpMethod::kGet, At(doomed.body, "/response_url")).status == 500);
  CHECK(Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro-trainer", "{}").status == 503);
  CHECK(Call(f.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-pro/v1.1-ultra-finetuned", "{}").status == 503);

  // By request id: only that request's status calls fail.
  std::string id = At(ok.body, "/request_id");
  SimFault by_id = Fault(SimFaultKind::kBadGateway, SimOperation::kStatus, -1);
  by_id.request_id = id;
  f.sim.AddFault(by_id);
  CHECK(Call(f.sim, HttpMethod::kGet, At(ok.body, "/status_url")).status == 502);
  CHECK(Call(f.sim, HttpMethod::kGet, At(doomed.body, "/status_url")).status == 200);
  CHECK(Call(f.sim, HttpMethod::kGet, At(ok.body, "/response_url")).status == 200);
}

TEST_CASE("faults by rate follow the seed") {
  auto pattern = [](std::uint64_t seed) {
    SimFault flaky = Fault(SimFaultKind::kServiceUnavailable, SimOperation::kStatus, -1);
    flaky.rate = 0.3;
    Fixture f({flaky}, seed);
    std::string url = At(f.Submit().body, "/status_url");
    std::string out;
    for (int i = 0; i < 200; ++i) out += Call(f.sim, HttpMethod::kGet, url).status == 503 ? 'x' : '.';
    return out;
  };
  std::string a = pattern(11);
  CHECK(a == pattern(11));
  CHECK(a != pattern(12));
  auto failures = std::count(a.begin(), a.end(), 'x');
  CHECK(failures > 30);   // 60 expected
  CHECK(failures < 100);
}

TEST_CASE("fault specs parse from text") {
  auto f = SimFault::Parse("rate_limit:op=status,count=2,delay_ms=3000");
  REQUIRE(f.has_value());
  CHECK(f.value().kind == SimFaultKind::kRateLimit);
  CHECK(f.value().operation == SimOperation::kStatus);
  CHECK(f.value().count == 2);
  CHECK(f.value().delay == 3000ms);
  auto g = SimFault::Parse("training_failure:marker=fail-me,endpoint=fal-ai/flux-pro-trainer,rate=0.5,count=-1");
  REQUIRE(g.has_value());
  CHECK(g.value().input_marker == "fail-me");
  CHECK(g.value().endpoint_id == "fal-ai/flux-pro-trainer");
  CHECK(g.value().rate == 0.5);
  CHECK(g.value().count == -1);
  CHECK(SimFault::Parse("webhook_out_of_order").value().kind == SimFaultKind::kWebhookOutOfOrder);
  CHECK_FALSE(SimFault::Parse("nonsense").has_value());
  CHECK_FALSE(SimFault::Parse("rate_limit:rate=2").has_value());
  CHECK_FALSE(SimFault::Parse("rate_limit:count").has_value());
  for (auto kind : {SimFaultKind::kRateLimit, SimFaultKind::kWebhookPayloadError, SimFaultKind::kDropConnection}) {
    CHECK(ParseSimFaultKind(to_string(kind)).value() == kind);
  }
}
