// Inbox events applied in batches: one claim and one completing transaction per batch, in the
// order received, each event applied once however often the batch is retried.

#include <faltrain/jobs/processor.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace faltrain;

namespace {

std::string OkBody(const std::string& id) {
  return R"({"request_id":")" + id + R"(","status":"OK","payload":{"diffusers_lora_file":{"url":"https://v3.fal.media/files/)" +
         id + R"(.safetensors"}},"error":null})";
}

struct Fixture {
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::shared_ptr<JobStore> store = OpenSqliteJobStore(":memory:", {}, clock).value();
  std::vector<std::int64_t> notified;

  JobProcessor Processor(std::size_t batch_size) {
    JobProcessorOptions options;
    options.batch_size = batch_size;
    return JobProcessor(store, [this](const JobNotification& n) -> result<void> {
      notified.push_back(n.job.id);
      return success();
    }, options);
  }
  std::int64_t Training(const std::string& request_id) {
    auto id = store->CreateJob({"u", "avatar-" + request_id, "portrait", "balanced", "t"}).value().id;
    RequestHandle handle;
    handle.request_id = request_id;
    REQUIRE(store->MarkTraining(id, handle).has_value());
    return id;
  }
  // Received one second after the previous event, so the inbox order is the order of these calls.
  void Receive(const std::string& id) {
    clock->Advance(std::chrono::seconds(1));
    REQUIRE(store->RecordWebhook({id, OkBody(id), "u", 0, clock->WallNow(), false, ""}).value());
  }
};

}  // namespace

TEST_CASE("a batch applies its events in the order received and notifies in that order") {
  Fixture f;
  // Jobs created in one order, their webhooks received in another.
  std::vector<std::int64_t> jobs;
  for (const char* id : {"a", "b", "c", "d", "e"}) jobs.push_back(f.Training(id));
  for (const char* id : {"d", "b", "e", "a", "c"}) f.Receive(id);
  auto processor = f.Processor(2);
  CHECK(processor.ProcessInbox().value() == 2);  // d, b
  CHECK(processor.ProcessInbox().value() == 2);  // e, a
  CHECK(processor.ProcessInbox().value() == 1);  // c
  CHECK(processor.ProcessInbox().value() == 0);
  CHECK(f.notified == std::vector<std::int64_t>{jobs[3], jobs[1], jobs[4], jobs[0], jobs[2]});
  for (auto id : jobs) CHECK(f.store->FindJob(id).value().status == JobStatus::kCompleted);
  CHECK(f.store->CountWebhooks(true).value() == 0);
}

TEST_CASE("a retried batch applies nothing twice") {
  Fixture f;
  auto a = f.Training("a");
  auto b = f.Training("b");
  f.Receive("a");
  f.Receive("b");
  auto processor = f.Processor(64);
  CHECK(processor.ProcessInbox().value() == 2);
  // The same completions again (a processor whose claim lapsed while it worked): nothing changes.
  std::vector<WebhookCompletion> again(2);
  again[0] = {"a", "applied", a, JobOutcome{JobStatus::kFailed, "", "late"}};
  again[1] = {"b", "applied", b, JobOutcome{JobStatus::kFailed, "", "late"}};
  auto changed = f.store->CompleteWebhooks(again);
  REQUIRE(changed.has_value());
  CHECK(changed.value() == std::vector<bool>{false, false});
  CHECK(f.store->FindJob(a).value().status == JobStatus::kCompleted);
  CHECK(f.store->FindJob(b).value().status == JobStatus::kCompleted);
  CHECK(f.store->FindWebhook("a").value().processing_note == "applied");
  // Restarted: the claims are released, yet nothing is left to process or to notify.
  REQUIRE(f.store->ReleaseWebhookClaims().has_value());
  CHECK(processor.ProcessInbox().value() == 0);
  CHECK(f.notified == std::vector<std::int64_t>{a, b});
}

TEST_CASE("within one batch, the first outcome for a job wins, as one by one") {
  Fixture f;
  auto job = f.Training("r1");
  f.Receive("r1");
  f.Receive("r2");
  std::vector<WebhookCompletion> batch(2);
  batch[0] = {"r1", "applied", job, JobOutcome{JobStatus::kFailed, "", "first"}};
  batch[1] = {"r2", "applied", job, JobOutcome{JobStatus::kCompleted, "{}", ""}};
  auto changed = f.store->CompleteWebhooks(batch);
  REQUIRE(changed.has_value());
  CHECK(changed.value() == std::vector<bool>{true, false});
  CHECK(f.store->FindJob(job).value().status == JobStatus::kFailed);
  CHECK(f.store->FindJob(job).value().error == "first");
  CHECK(f.store->CountWebhooks(true).value() == 0);
  // An unknown request id completes nothing and fails nothing else.
  std::vector<WebhookCompletion> unknown(1);
  unknown[0] = {"nope", "applied", std::nullopt, std::nullopt};
  CHECK(f.store->CompleteWebhooks(unknown).value() == std::vector<bool>{false});
}
