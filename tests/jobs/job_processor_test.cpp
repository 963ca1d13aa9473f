// JobProcessor and JobReconciler: inbox events become job updates, one notification per job,
// duplicates and restarts change nothing, and stale jobs are resolved by asking fal.

#include "support/webhook_test_signer.hpp"

#include <faltrain/jobs/processor.hpp>
#include <faltrain/jobs/submission.hpp>
#include <faltrain/webhooks/job_token.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace faltrain;

namespace {

RequestHandle Handle(const std::string& id) {
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = id;
  h.status_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id + "/status";
  h.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id;
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

std::string OkBody(const std::string& id) {
  return R"({"request_id":")" + id + R"(","status":"OK","payload":{"diffusers_lora_file":{"url":"https://v3.fal.media/files/)" +
         id + R"(.safetensors"},"config_file":{"url":"https://v3.fal.media/files/c.json"}},"error":null})";
}
std::string ErrorBody(const std::string& id) {
  return R"({"request_id":")" + id + R"(","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]}})";
}

struct Fixture {
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::shared_ptr<JobStore> store = OpenSqliteJobStore(":memory:", {}, clock).value();
  std::vector<Job> notified;
  std::vector<std::string> keys;
  std::shared_ptr<JobProcessor> processor = std::make_shared<JobProcessor>(
      store, [this](const JobNotification& n) -> result<void> {
        notified.push_back(n.job);
        keys.push_back(n.idempotency_key);
        return success();
      });

  std::int64_t Training(const std::string& request_id) {
    auto id = store->CreateJob({"u", "avatar-" + request_id, "portrait", "balanced", "t"}).value().id;
    REQUIRE(store->MarkTraining(id, Handle(request_id)).has_value());
    return id;
  }
  void Receive(const std::string& id, const std::string& body) {
    REQUIRE(store->RecordWebhook({id, body, "u", 0, {}, false, ""}).has_value());
  }
};

}  // namespace

TEST_CASE("OutcomeOf maps each payload shape") {
  auto ok = OutcomeOf(WebhookEvent::Parse(webhook_test::kOkBody).value());
  REQUIRE(ok.has_value());
  CHECK(ok->status == JobStatus::kCompleted);
  CHECK(ok->output_json.find("pytorch_lora_weights") != std::string::npos);
  auto err = OutcomeOf(WebhookEvent::Parse(webhook_test::kErrorBody).value());
  REQUIRE(err.has_value());
  CHECK(err->status == JobStatus::kFailed);
  CHECK(err->error == "Invalid status code: 422; body.prompt: field required");
  CHECK_FALSE(OutcomeOf(WebhookEvent::Parse(webhook_test::kPayloadErrorBody).value()).has_value());
  CHECK_FALSE(OutcomeOf(WebhookEvent::Parse(R"({"request_id":"r","status":"WHAT"})").value()).has_value());
}

TEST_CASE("events complete and fail jobs and notify exactly once, duplicates included") {
  Fixture f;
  auto a = f.Training("a");
  auto b = f.Training("b");
  f.Receive("a", OkBody("a"));
  f.Receive("b", ErrorBody("b"));
  CHECK(f.processor->ProcessInbox().value() == 2);
  CHECK(f.store->FindJob(a).value().status == JobStatus::kCompleted);
  CHECK(f.store->FindJob(a).value().output_json.find("a.safetensors") != std::string::npos);
  auto failed = f.store->FindJob(b).value();
  CHECK(failed.status == JobStatus::kFailed);
  CHECK(failed.error == "Invalid status code: 422; body.steps: too many");
  REQUIRE(f.notified.size() == 2);
  CHECK(f.notified[0].id == a);
  CHECK(f.notified[0].status == JobStatus::kCompleted);
  CHECK(f.notified[1].id == b);
  CHECK(f.keys[0] == "job-" + std::to_string(a) + "-COMPLETED");
  CHECK(f.keys[1] == "job-" + std::to_string(b) + "-FAILED");

  // Duplicate deliveries: the inbox refuses them, nothing is processed or notified again.
  CHECK_FALSE(f.store->RecordWebhook({"a", OkBody("a"), "u", 0, {}, false, ""}).value());
  CHECK(f.processor->ProcessInbox().value() == 0);
  CHECK(f.processor->NotifyPending().value() == 0);
  CHECK(f.notified.size() == 2);
  CHECK(f.store->FindWebhook("a").value().processing_note == "applied");
}

TEST_CASE("a late event never moves a final job, and does not notify") {
  Fixture f;
  auto id = f.Training("c");
  REQUIRE(f.store->Finish(id, {JobStatus::kCancelled, "", "user cancelled"}).value());
  REQUIRE(f.store->ClaimNotification(id, std::chrono::seconds(60)).value());
  REQUIRE(f.store->ConfirmNotification(id).has_value());
  f.Receive("c", OkBody("c"));
  CHECK(f.processor->ProcessInbox().value() == 1);
  CHECK(f.store->FindJob(id).value().status == JobStatus::kCancelled);
  CHECK(f.notified.empty());
  CHECK(f.store->FindWebhook("c").value().processed);
}

TEST_CASE("events for unknown requests and undecidable events are marked, not retried forever") {
  Fixture f;
  f.Receive("ghost", OkBody("ghost"));
  auto id = f.Training("p");
  f.Receive("p", R"({"request_id":"p","status":"OK","payload":null,"payload_error":"not serializable"})");
  CHECK(f.processor->ProcessInbox().value() == 2);
  CHECK(f.store->FindWebhook("ghost").value().processing_note == "no job with this request id");
  CHECK(f.store->FindWebhook("p").value().processing_note == "no outcome from status \"OK\"");
  CHECK(f.store->FindJob(id).value().status == JobStatus::kTraining);  // left to the reconciler
  CHECK(f.notified.empty());
}

TEST_CASE("a result GET answering the request's own 500 fails the job at once, asked once, never 'transient'") {
  Fixture f;
  auto transport = std::make_shared<ScriptedTransport>();
  // fal's app answered (x-fal-request-id): the request's own failure, with fal's detail.
  transport->ExpectResponse(500, R"({"detail":"Training failed: out of memory","error_type":"runner_server_error"})",
                            {{"x-fal-request-id", "p"}});
  ClientOptions config;
  config.api_key = "id:secret";
  auto client = TrainingClient::Create(config, transport, f.clock).value();
  auto processor = std::make_shared<JobProcessor>(
      f.store, [&](const JobNotification& n) -> result<void> {
        f.notified.push_back(n.job);
        return success();
      },
      JobProcessorOptions{}, client);
  auto id = f.Training("p");
  f.Receive("p", R"({"request_id":"p","status":"OK","payload":null,"payload_error":"not serializable"})");
  CHECK(processor->ProcessInbox().value() == 1);
  CHECK(transport->requests().size() == 1);
  const Job job = f.store->FindJob(id).value();
  CHECK(job.status == JobStatus::kFailed);
  CHECK(job.error == "Training failed: out of memory");
  CHECK(f.store->FindWebhook("p").value().processed);
  CHECK(f.notified.size() == 1);
}

TEST_CASE("after a crash, claimed but unprocessed events and unsent notifications are picked up") {
  Fixture f;
  auto id = f.Training("r");
  f.Receive("r", OkBody("r"));
  // A previous process claimed the event and died.
  REQUIRE(f.store->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 1);
  CHECK(f.processor->ProcessInbox().value() == 0);
  REQUIRE(f.store->ReleaseWebhookClaims().has_value());  // what a restarted sole consumer does
  CHECK(f.processor->ProcessInbox().value() == 1);
  CHECK(f.store->FindJob(id).value().status == JobStatus::kCompleted);
  CHECK(f.notified.size() == 1);

  // A job finished but its process died before claiming the notification.
  auto other = f.Training("s");
  REQUIRE(f.store->Finish(other, {JobStatus::kFailed, "", "x"}).value());
  CHECK(f.processor->NotifyPending().value() == 1);
  CHECK(f.notified.size() == 2);
  CHECK(f.notified[1].id == other);
  CHECK(f.processor->NotifyPending().value() == 0);
}

TEST_CASE("a throwing or failing notifier does not stop processing, and is asked again after its lease") {
  Fixture f;
  int calls = 0;
  bool down = true;
  JobProcessorOptions options;
  options.notify_lease = std::chrono::seconds(60);
  auto processor = std::make_shared<JobProcessor>(
      f.store,
      [&](const JobNotification& n) -> result<void> {
        ++calls;
        if (!down) return success();
        if (n.job.handle.request_id == "t1") throw std::runtime_error("telegram down");
        return fail(errc::network_error, "telegram down");
      },
      options);
  f.Training("t1");
  f.Training("t2");
  f.Receive("t1", OkBody("t1"));
  f.Receive("t2", OkBody("t2"));
  CHECK(processor->ProcessInbox().value() == 2);
  CHECK(calls == 2);
  CHECK(f.store->ListJobs(JobStatus::kCompleted).value().size() == 2);
  // Leased: not sent again before the lease lapses.
  CHECK(processor->NotifyPending().value() == 0);
  CHECK(calls == 2);
  f.clock->Advance(std::chrono::seconds(61));
  down = false;
  CHECK(processor->NotifyPending().value() == 2);
  CHECK(calls == 4);
  f.clock->Advance(std::chrono::seconds(61));
  CHECK(processor->NotifyPending().value() == 0);
  CHECK(calls == 4);
}

TEST_CASE("the reconciler resolves stale jobs from the inbox or by asking fal") {
  Fixture f;
  auto transport = std::make_shared<ScriptedTransport>();
  std::map<std::string, std::pair<int, std::string>> replies;
  transport->SetFallback([&](const HttpRequest& r) -> result<HttpResponse> {
    std::string path = r.url.substr(0, r.url.find('?'));
    auto it = replies.find(path);
    if (it == replies.end()) return HttpResponse{404, {}, R"({"detail":"not found"})"};
    return HttpResponse{it->second.first, {{"Content-Type", "application/json"}}, it->second.second};
  });
  ClientOptions config;
  config.api_key = "id:secret";
  config.retry.max_attempts = 1;
  auto client = TrainingClient::Create(config, transport, f.clock).value();
  JobReconcilerOptions options;
  options.stale_after = std::chrono::minutes(30);
  JobReconciler reconciler(f.store, f.processor, client, options, f.clock);

  auto done = f.Training("done");        // finished on fal, webhook lost
  auto failed = f.Training("failed");    // failed on fal, webhook lost
  auto running = f.Training("running");  // still running
  auto early = f.Training("early");      // its webhook arrived before the job knew its request id
  f.Receive("early", OkBody("early"));
  REQUIRE(f.store->CompleteWebhook("early", "no job with this request id").has_value());
  const std::string base = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/";
  replies[base + "done/status"] = {200, R"({"status":"COMPLETED","request_id":"done"})"};
  replies[base + "done"] = {200, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/done.safetensors"},"config_file":{"url":"https://v3.fal.media/files/c.json"}})"};
  replies[base + "failed/status"] = {200, R"({"status":"COMPLETED","request_id":"failed"})"};
  replies[base + "failed"] = {422, R"({"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]})"};
  replies[base + "running/status"] = {202, R"({"status":"IN_PROGRESS","request_id":"running"})"};

  // Not stale yet: nothing is polled.
  CHECK(reconciler.RunOnce().value() == 0);
  CHECK(transport->requests().empty());

  f.clock->Advance(std::chrono::minutes(31));
  CHECK(reconciler.RunOnce().value() == 3);
  CHECK(f.store->FindJob(done).value().status == JobStatus::kCompleted);
  CHECK(f.store->FindJob(done).value().output_json.find("done.safetensors") != std::string::npos);
  CHECK(f.store->FindJob(failed).value().status == JobStatus::kFailed);
  CHECK(f.store->FindJob(running).value().status == JobStatus::kTraining);
  CHECK(f.store->FindJob(early).value().status == JobStatus::kCompleted);
  CHECK(f.notified.size() == 3);
  for (const auto& request : transport->requests()) CHECK(request.url.find("/early") == std::string::npos);

  // The running job was checked just now: not polled again until another 30 minutes pass.
  const auto polled = transport->requests().size();
  CHECK(reconciler.RunOnce().value() == 0);
  CHECK(transport->requests().size() == polled);
  replies[base + "running/status"] = {200, R"({"status":"COMPLETED","request_id":"running"})"};
  replies[base + "running"] = {200, R"({"finetune_id":"ft-9"})"};
  f.clock->Advance(std::chrono::minutes(31));
  CHECK(reconciler.RunOnce().value() == 1);
  CHECK(f.store->FindJob(running).value().status == JobStatus::kCompleted);
  CHECK(f.notified.size() == 4);

  // A webhook arriving after reconciliation changes nothing and notifies no one.
  f.Receive("done", OkBody("done"));
  CHECK(f.processor->ProcessInbox().value() == 1);
  CHECK(f.notified.size() == 4);
}

// ---- submission intent and job tokens ---------------------------------------------------------

namespace {

constexpr const char* kSecret = "test-job-token-secret-0123456789";

// A job whose submitter died after fal accepted its POST: SUBMITTING, no request id.
std::int64_t Submitting(Fixture& f, const std::string& user = "u") {
  auto id = f.store->CreateJob({user, "avatar", "portrait", "balanced", "fal-ai/flux-lora-portrait-trainer"})
                .value().id;
  REQUIRE(f.store->MarkSubmitting(id).has_value());
  return id;
}

void ReceiveWithToken(Fixture& f, const std::string& request_id, const std::string& body,
                      std::optional<std::int64_t> verified_job) {
  InboxEvent e{request_id, body, "u", 0, {}, false, ""};
  e.job_id = verified_job;
  REQUIRE(f.store->RecordWebhook(e).has_value());
}

}  // namespace

TEST_CASE("a webhook finds a SUBMITTING job by its verified token, and records the request id") {
  Fixture f;
  auto id = Submitting(f);
  ReceiveWithToken(f, "fal-req-9", OkBody("fal-req-9"), id);
  CHECK(f.processor->ProcessInbox().value() == 1);
  auto job = f.store->FindJob(id).value();
  CHECK(job.status == JobStatus::kCompleted);
  CHECK(job.handle.request_id == "fal-req-9");
  CHECK(f.store->FindJobByRequestId("fal-req-9").value().id == id);
  CHECK(f.store->FindWebhook("fal-req-9").value().processing_note == "applied");
  REQUIRE(f.notified.size() == 1);
  CHECK(f.notified[0].id == id);

  // The submitter comes back (or was only slow) and records what fal answered: no harm done.
  CHECK(f.store->MarkTraining(id, Handle("fal-req-9")).has_value());
  CHECK(f.store->FindJob(id).value().status == JobStatus::kCompleted);

  // A duplicate delivery after recovery changes nothing and notifies no one.
  InboxEvent dup{"fal-req-9", OkBody("fal-req-9"), "u", 0, {}, false, ""};
  dup.job_id = id;
  CHECK_FALSE(f.store->RecordWebhook(dup).value());
  CHECK(f.processor->ProcessInbox().value() == 0);
  CHECK(f.processor->NotifyPending().value() == 0);
  CHECK(f.notified.size() == 1);
}

TEST_CASE("a token is only a fallback: the request id decides, and stale tokens change nothing") {
  Fixture f;
  SUBCASE("a token for another user's job on a request that has its own job") {
    auto mine = f.Training("mine");
    auto theirs = Submitting(f, "someone-else");
    ReceiveWithToken(f, "mine", ErrorBody("mine"), theirs);
    CHECK(f.processor->ProcessInbox().value() == 1);
    CHECK(f.store->FindJob(mine).value().status == JobStatus::kFailed);
    CHECK(f.store->FindJob(theirs).value().status == JobStatus::kSubmitting);
    CHECK(f.store->FindJob(theirs).value().handle.request_id.empty());
  }
  SUBCASE("a stale token: its job already has another request") {
    auto job = f.Training("original");
    ReceiveWithToken(f, "replayed", OkBody("replayed"), job);
    CHECK(f.processor->ProcessInbox().value() == 1);
    CHECK(f.store->FindJob(job).value().status == JobStatus::kTraining);
    CHECK(f.store->FindJob(job).value().handle.request_id == "original");
    CHECK(f.store->FindWebhook("replayed").value().processing_note ==
          "no job with this request id; its job token names job " + std::to_string(job) + ", which is TRAINING");
    CHECK(f.notified.empty());
  }
  SUBCASE("a stale token: its job is final") {
    auto job = Submitting(f);
    REQUIRE(f.store->Finish(job, {JobStatus::kFailed, "", "submission outcome unknown"}).value());
    ReceiveWithToken(f, "late", OkBody("late"), job);
    CHECK(f.processor->ProcessInbox().value() == 1);
    CHECK(f.store->FindJob(job).value().status == JobStatus::kFailed);
    CHECK(f.store->FindJob(job).value().handle.request_id.empty());
  }
  SUBCASE("a token naming no job, or a job never submitted") {
    auto pending = f.store->CreateJob({"u", "p", "portrait", "balanced", "t"}).value().id;
    ReceiveWithToken(f, "ghost-1", OkBody("ghost-1"), 99999);
    ReceiveWithToken(f, "ghost-2", OkBody("ghost-2"), pending);
    CHECK(f.processor->ProcessInbox().value() == 2);
    CHECK(f.store->FindJob(pending).value().status == JobStatus::kPending);
    CHECK(f.store->FindWebhook("ghost-1").value().processing_note ==
          "no job with this request id; its job token names no job");
  }
}

TEST_CASE("the reconciler gives SUBMITTING and PENDING jobs without news a final, notified outcome") {
  Fixture f;
  JobReconcilerOptions options;
  options.submit_timeout = std::chrono::hours(6);
  options.pending_timeout = std::chrono::hours(1);
  // No client (a receiver without a fal key): a stale TRAINING job is left for later, not failed.
  JobReconciler reconciler(f.store, f.processor, std::nullopt, options, f.clock);
  auto running = f.Training("still-running");
  auto lost = Submitting(f);
  auto pending = f.store->CreateJob({"u", "p", "portrait", "balanced", "t"}).value().id;
  auto answered = Submitting(f);
  f.clock->Advance(std::chrono::hours(2));
  CHECK(reconciler.RunOnce().value() == 1);  // only the PENDING one is past its timeout
  CHECK(f.store->FindJob(pending).value().error == "never submitted");
  ReceiveWithToken(f, "fal-answered", OkBody("fal-answered"), answered);
  CHECK(f.processor->ProcessInbox().value() == 1);
  f.clock->Advance(std::chrono::hours(5));
  CHECK(reconciler.RunOnce().value() == 1);
  auto job = f.store->FindJob(lost).value();
  CHECK(job.status == JobStatus::kFailed);
  CHECK(job.error == "submission outcome unknown");
  CHECK(f.store->FindJob(answered).value().status == JobStatus::kCompleted);
  CHECK(f.store->FindJob(running).value().status == JobStatus::kTraining);
  REQUIRE(f.notified.size() == 3);
  CHECK(f.notified[2].id == lost);
}

TEST_CASE("SubmitJob: SUBMITTING before the POST, a token in the webhook URL, FAILED only when provably refused") {
  Fixture f;
  auto transport = std::make_shared<ScriptedTransport>();
  ClientOptions config;
  config.api_key = "id:secret";
  config.retry.max_attempts = 1;
  auto client = TrainingClient::Create(config, transport, f.clock).value();
  TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/faces.zip";
  JobSubmitOptions options;
  options.submit.webhook_url = "https://app.example/hooks/fal";
  options.job_token_secret = kSecret;
  auto job = [&] { return f.store->CreateJob({"u", "a", "portrait", "fast", "t"}).value().id; };

  SUBCASE("accepted") {
    auto id = job();
    transport->Expect([&](const HttpRequest& r) -> result<HttpResponse> {
      CHECK(f.store->FindJob(id).value().status == JobStatus::kSubmitting);  // recorded before the POST
      const std::string token = MakeJobToken(id, kSecret).value();
      CHECK(r.url.find("fal_webhook=" ) != std::string::npos);
      CHECK(r.url.find("job%3D" + token) != std::string::npos);
      return HttpResponse{200, {{"Content-Type", "application/json"}}, R"({"status":"IN_QUEUE","request_id":"acc-1"})"};
    });
    auto submitted = SubmitJob(*f.store, client, id, request, options);
    REQUIRE(submitted.has_value());
    CHECK_FALSE(submitted.value().outcome_unknown.has_value());
    CHECK(submitted.value().job.status == JobStatus::kTraining);
    CHECK(f.store->FindJobByRequestId("acc-1").value().id == id);
    // Never twice: the job is no longer PENDING.
    CHECK(SubmitJob(*f.store, client, id, request, options).error().code == errc::invalid_argument);
    CHECK(transport->requests().size() == 1);
  }
  SUBCASE("the answer is lost after the body went out: the job waits, SUBMITTING") {
    auto id = job();
    transport->ExpectFailure(errc::timeout, "timed out");
    auto submitted = SubmitJob(*f.store, client, id, request, options);
    REQUIRE(submitted.has_value());
    REQUIRE(submitted.value().outcome_unknown.has_value());
    CHECK(submitted.value().outcome_unknown->code == errc::timeout);
    CHECK(f.store->FindJob(id).value().status == JobStatus::kSubmitting);
    CHECK(SubmitJob(*f.store, client, id, request, options).error().code == errc::invalid_argument);
    CHECK(transport->requests().size() == 1);
  }
  SUBCASE("a 5xx may have queued it: SUBMITTING too") {
    auto id = job();
    transport->ExpectResponse(503, R"({"detail":"busy"})");
    auto submitted = SubmitJob(*f.store, client, id, request, options);
    REQUIRE(submitted.has_value());
    CHECK(submitted.value().outcome_unknown.has_value());
    CHECK(f.store->FindJob(id).value().status == JobStatus::kSubmitting);
  }
  SUBCASE("connection refused or a 422: FAILED at once") {
    auto refused = job();
    transport->ExpectFailure(errc::connect_failed, "connection refused");
    CHECK(SubmitJob(*f.store, client, refused, request, options).error().code == errc::connect_failed);
    CHECK(f.store->FindJob(refused).value().status == JobStatus::kFailed);
    auto invalid = job();
    transport->ExpectResponse(422, R"({"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]})");
    CHECK(SubmitJob(*f.store, client, invalid, request, options).error().code == errc::validation_failed);
    CHECK(f.store->FindJob(invalid).value().status == JobStatus::kFailed);
  }
  SUBCASE("classification") {
    CHECK(SubmitNeverAccepted(error{errc::connect_failed, "refused"}));
    error rate_limited{errc::rate_limited, "slow down"};
    rate_limited.http_status = 429;
    CHECK(SubmitNeverAccepted(rate_limited));
    CHECK_FALSE(SubmitNeverAccepted(error{errc::timeout, "timed out"}));
    CHECK_FALSE(SubmitNeverAccepted(error{errc::network_error, "reset"}));
    error bad_gateway{errc::server_error, "502"};
    bad_gateway.http_status = 502;
    CHECK_FALSE(SubmitNeverAccepted(bad_gateway));
  }
}
