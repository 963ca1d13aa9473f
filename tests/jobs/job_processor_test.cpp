// JobProcessor and JobReconciler: inbox events become job updates, one notification per job,
// duplicates and restarts change nothing, and stale jobs are resolved by asking fal.

#include "support/webhook_test_signer.hpp"

#include <faltrain/jobs/processor.hpp>
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
  std::shared_ptr<JobProcessor> processor = std::make_shared<JobProcessor>(
      store, [this](const Job& j) { notified.push_back(j); });

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
  REQUIRE(f.store->ClaimNotification(id).value());
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

TEST_CASE("a throwing notifier does not stop processing") {
  Fixture f;
  int calls = 0;
  auto processor = std::make_shared<JobProcessor>(f.store, [&](const Job&) {
    ++calls;
    throw std::runtime_error("telegram down");
  });
  f.Training("t1");
  f.Training("t2");
  f.Receive("t1", OkBody("t1"));
  f.Receive("t2", OkBody("t2"));
  CHECK(processor->ProcessInbox().value() == 2);
  CHECK(calls == 2);
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
