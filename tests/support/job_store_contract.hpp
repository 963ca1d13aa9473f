#pragma once
// The JobStore contract, as doctest template cases run against every backend. A backend type
// provides:
//   static constexpr const char* kName;
//   static std::shared_ptr<JobStore> Open(std::shared_ptr<Clock> clock);  // an empty store
//   static std::shared_ptr<JobStore> Reopen(std::shared_ptr<Clock> clock); // same data, new instance
//   static std::string ExecRaw(const std::string& sql);  // "" on success, else the database's error
// Included by tests/unit/job_store_test.cpp (SQLite) and tests/postgres/job_store_backends_test.cpp
// (SQLite and PostgreSQL); each instantiates it with
//   TEST_CASE_TEMPLATE_INVOKE(job_store_contract, Backend1, Backend2);

#include <faltrain/jobs/job_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace job_store_contract {

inline faltrain::RequestHandle Handle(std::string id) {
  faltrain::RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = id;
  h.gateway_request_id = "gw-" + id;
  h.status_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id + "/status";
  h.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id;
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

inline faltrain::NewJob Avatar(std::string name = "Anna") {
  return faltrain::NewJob{"user-1", std::move(name), "portrait", "balanced", "fal-ai/flux-lora-portrait-trainer"};
}

/// Four threads record webhooks through one store; half the ids collide across threads, like
/// duplicate deliveries. Each distinct id is recorded once and nothing fails.
inline void CheckConcurrentWriters(faltrain::JobStore& store) {
  std::vector<std::thread> threads;
  std::atomic<int> inserted{0}, errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string id = i % 2 == 0 ? "shared-" + std::to_string(i)
                                    : "own-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = store.RecordWebhook({id, "{}", "u", 0, {}, false, ""});
        if (!r) ++errors;
        if (r && r.value()) ++inserted;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors.load() == 0);
  CHECK(inserted.load() == 25 + 4 * 25);
  CHECK(store.CountWebhooks(false).value() == 125u);
}

}  // namespace job_store_contract

TEST_CASE_TEMPLATE_DEFINE("job store contract", Backend, job_store_contract) {
  using namespace faltrain;
  using job_store_contract::Avatar;
  using job_store_contract::Handle;
  auto clock = std::make_shared<VirtualClock>();
  auto store = Backend::Open(clock);
  INFO("backend: ", Backend::kName);

  SUBCASE("a job goes PENDING → TRAINING → COMPLETED, keeping everything it is given") {
    auto created = store->CreateJob(Avatar());
    REQUIRE(created.has_value());
    const auto id = created.value().id;
    CHECK(created.value().status == JobStatus::kPending);
    CHECK(created.value().name == "Anna");
    CHECK(created.value().created_at == clock->WallNow());
    clock->Advance(std::chrono::seconds(5));
    auto training = store->MarkTraining(id, Handle("req-1"));
    REQUIRE(training.has_value());
    CHECK(training.value().status == JobStatus::kTraining);
    CHECK(training.value().handle.status_url == Handle("req-1").status_url);
    CHECK(training.value().handle.gateway_request_id == "gw-req-1");
    CHECK(training.value().training_started_at == clock->WallNow());
    REQUIRE(store->UpdateProgress(id, 0.25).has_value());
    CHECK(store->FindJob(id).value().progress == doctest::Approx(0.25));
    REQUIRE(store->UpdateProgress(id, 7).has_value());  // clamped
    CHECK(store->FindJob(id).value().progress == 1);
    REQUIRE(store->UpdateProgress(id, 0.5).has_value());
    auto found = store->FindJobByRequestId("req-1");
    REQUIRE(found.has_value());
    CHECK(found.value().id == id);
    CHECK(found.value().progress == doctest::Approx(0.5));
    CHECK(found.value().style == "portrait");
    CHECK(found.value().preset == "balanced");
    CHECK(found.value().trainer == "fal-ai/flux-lora-portrait-trainer");
    CHECK(store->Finish(id, {JobStatus::kCompleted, R"({"diffusers_lora_file":{"url":"u"}})", ""}).value());
    auto done = store->FindJobByRequestId("req-1").value();
    CHECK(done.status == JobStatus::kCompleted);
    CHECK(done.progress == 1.0);
    CHECK(done.output_json == R"({"diffusers_lora_file":{"url":"u"}})");
    CHECK(done.finished_at.has_value());
    CHECK(store->ListJobs(JobStatus::kCompleted).value().size() == 1);
    CHECK(store->FindJobByRequestId("nope").error().code == errc::not_found);
    CHECK(store->FindJob(4242).error().code == errc::not_found);
  }

  SUBCASE("statuses only move forward; the first final status wins") {
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->MarkTraining(id, Handle("r")).has_value());
    auto again = store->MarkTraining(id, Handle("r2"));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().message == "job " + std::to_string(id) + " is TRAINING, not PENDING");
    CHECK(store->Finish(id, {JobStatus::kFailed, "", "boom"}).value());
    CHECK_FALSE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
    CHECK_FALSE(store->Finish(id, {JobStatus::kFailed, "", "other"}).value());
    auto job = store->FindJob(id).value();
    CHECK(job.status == JobStatus::kFailed);
    CHECK(job.error == "boom");
    REQUIRE(store->UpdateProgress(id, 0.9).has_value());  // ignored for final jobs
    CHECK(store->FindJob(id).value().progress == 0);
    CHECK(store->MarkTraining(id, Handle("r3")).error().code == errc::invalid_argument);
    CHECK(store->Finish(id, {JobStatus::kTraining, "", ""}).error().code == errc::invalid_argument);
    CHECK(store->Finish(id + 999, {JobStatus::kFailed, "", ""}).error().code == errc::not_found);
    const auto other = store->CreateJob(Avatar("B")).value().id;
    CHECK(store->MarkTraining(other, Handle("r")).error().code == errc::invalid_argument);
    CHECK(store->Finish(other, {JobStatus::kCancelled, "", ""}).value());
  }

  SUBCASE("the database itself refuses backward status updates") {
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
    const std::string error = Backend::ExecRaw("UPDATE jobs SET status='TRAINING'");
    CHECK(error.find("job status may only move forward") != std::string::npos);
    CHECK(Backend::ExecRaw("UPDATE jobs SET status='DONE'") != "");
    CHECK(store->FindJob(id).value().status == JobStatus::kCompleted);
  }

  SUBCASE("the inbox stores a request id once; duplicates change nothing") {
    InboxEvent e{"req-1", R"({"request_id":"req-1","status":"OK","name":"Zoë ✓"})", "u", 1767225600, {}, false, ""};
    CHECK(store->RecordWebhook(e).value());
    InboxEvent dup = e;
    dup.body = R"({"request_id":"req-1","status":"ERROR"})";
    CHECK_FALSE(store->RecordWebhook(dup).value());
    auto stored = store->FindWebhook("req-1");
    REQUIRE(stored.has_value());
    CHECK(stored.value().body == e.body);
    CHECK(stored.value().user_id == "u");
    CHECK(stored.value().signed_at == 1767225600);
    CHECK(store->CountWebhooks(false).value() == 1);
    CHECK(stored.value().gateway_request_id.empty());
    CHECK(store->RecordWebhook(InboxEvent{}).error().code == errc::invalid_argument);
  }

  SUBCASE("the inbox keeps the body's gateway_request_id next to its request_id") {
    InboxEvent e{"req-q", R"({"request_id":"req-q","gateway_request_id":"gw-3","status":"OK"})", "u", 1, {}, false, ""};
    e.gateway_request_id = "gw-3";
    REQUIRE(store->RecordWebhook(e).value());
    CHECK(store->FindWebhook("req-q").value().gateway_request_id == "gw-3");
    auto claimed = store->ClaimWebhooks(10, std::chrono::seconds(30)).value();
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].gateway_request_id == "gw-3");
    CHECK(store->FindWebhook("nope").error().code == errc::not_found);
  }

  SUBCASE("claims lease events; completing one is atomic with its job update") {
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->MarkTraining(id, Handle("a")).has_value());
    for (std::string r : {"a", "b", "c"}) {
      REQUIRE(store->RecordWebhook({r, "{}", "u", 0, {}, false, ""}).value());
      clock->Advance(std::chrono::milliseconds(1));
    }
    auto first = store->ClaimWebhooks(2, std::chrono::seconds(30)).value();
    REQUIRE(first.size() == 2);
    CHECK(first[0].request_id == "a");
    CHECK(first[1].request_id == "b");
    auto second = store->ClaimWebhooks(10, std::chrono::seconds(30)).value();
    REQUIRE(second.size() == 1);
    CHECK(second[0].request_id == "c");
    CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().empty());

    CHECK(store->CompleteWebhook("a", "applied", id, JobOutcome{JobStatus::kCompleted, "{}", ""}).value());
    CHECK(store->FindWebhook("a").value().processed);
    CHECK(store->FindWebhook("a").value().processing_note == "applied");
    CHECK(store->FindJob(id).value().status == JobStatus::kCompleted);
    CHECK(store->CountWebhooks(true).value() == 2);

    auto bad = store->CompleteWebhook("b", "applied", id + 12345, JobOutcome{JobStatus::kFailed, "", "x"});
    CHECK(bad.error().code == errc::not_found);
    CHECK_FALSE(store->FindWebhook("b").value().processed);

    clock->Advance(std::chrono::seconds(31));
    CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 2);
    REQUIRE(store->ReleaseWebhookClaims().has_value());
    CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 2);
    CHECK(store->CompleteWebhook("zzz", "x").error().code == errc::not_found);
  }

  SUBCASE("notifications are leased, and done only once confirmed") {
    const auto id = store->CreateJob(Avatar()).value().id;
    const auto lease = std::chrono::seconds(60);
    CHECK_FALSE(store->ClaimNotification(id, lease).value());  // not final yet
    REQUIRE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
    CHECK(store->ListUnnotified().value().size() == 1);
    CHECK(store->ClaimNotification(id, lease).value());
    CHECK_FALSE(store->ClaimNotification(id, lease).value());  // leased to the first caller
    CHECK(store->ListUnnotified().value().empty());
    CHECK(store->FindJob(id).value().notify_claimed_until == clock->WallNow() + lease);
    // The sender died without confirming: after the lease it is listed and claimable again.
    clock->Advance(std::chrono::seconds(61));
    CHECK(store->ListUnnotified().value().size() == 1);
    CHECK(store->ClaimNotification(id, lease).value());
    REQUIRE(store->ConfirmNotification(id).has_value());
    CHECK(store->FindJob(id).value().notified_at == clock->WallNow());
    clock->Advance(std::chrono::seconds(61));
    CHECK(store->ListUnnotified().value().empty());
    CHECK_FALSE(store->ClaimNotification(id, lease).value());  // confirmed: never again
    CHECK(store->ConfirmNotification(id + 999).error().code == errc::not_found);
    // A restarted sole consumer drops leases its dead predecessor held.
    const auto other = store->CreateJob(Avatar("o")).value().id;
    REQUIRE(store->Finish(other, {JobStatus::kFailed, "", "x"}).value());
    CHECK(store->ClaimNotification(other, lease).value());
    store.reset();
    store = Backend::Reopen(clock);
    CHECK(store->ListUnnotified().value().empty());
    for (int attempt = 0; attempt < 200 && store->ListUnnotified().value().empty(); ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));  // PostgreSQL reaps
      REQUIRE(store->ReleaseNotificationClaims().has_value());
    }
    CHECK(store->ListUnnotified().value().size() == 1);
  }

  SUBCASE("SUBMITTING comes before the POST; TRAINING is idempotent for its own request") {
    const auto id = store->CreateJob(Avatar()).value().id;
    auto submitting = store->MarkSubmitting(id);
    REQUIRE(submitting.has_value());
    CHECK(submitting.value().status == JobStatus::kSubmitting);
    CHECK(submitting.value().handle.request_id.empty());
    // A second MarkSubmitting is refused: whoever marked it owns the one POST.
    CHECK(store->MarkSubmitting(id).error().code == errc::invalid_argument);
    CHECK(store->ListJobs(JobStatus::kSubmitting).value().size() == 1);
    // A webhook matched by job token records the request first, without URLs...
    RequestHandle bare;
    bare.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
    bare.request_id = "sub-1";
    REQUIRE(store->MarkTraining(id, bare).has_value());
    // ...then the submitter's own MarkTraining succeeds and fills them in.
    auto again = store->MarkTraining(id, Handle("sub-1"));
    REQUIRE(again.has_value());
    CHECK(again.value().status == JobStatus::kTraining);
    CHECK(again.value().handle.status_url == Handle("sub-1").status_url);
    CHECK(again.value().handle.gateway_request_id == "gw-sub-1");
    CHECK(store->MarkTraining(id, Handle("other")).error().code == errc::invalid_argument);
    CHECK(store->MarkSubmitting(id).error().code == errc::invalid_argument);
    // SUBMITTING may also end directly.
    const auto other = store->CreateJob(Avatar("B")).value().id;
    REQUIRE(store->MarkSubmitting(other).has_value());
    CHECK(store->Finish(other, {JobStatus::kFailed, "", "submission outcome unknown"}).value());
    CHECK(store->FindJob(other).value().status == JobStatus::kFailed);
  }

  SUBCASE("an outcome with only_from applies only to a job still in that status") {
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->MarkSubmitting(id).has_value());
    REQUIRE(store->MarkTraining(id, Handle("moved-on")).has_value());
    CHECK_FALSE(store->Finish(id, {JobStatus::kFailed, "", "timeout", JobStatus::kSubmitting}).value());
    CHECK(store->FindJob(id).value().status == JobStatus::kTraining);
    CHECK(store->Finish(id, {JobStatus::kFailed, "", "x", JobStatus::kTraining}).value());
  }

  SUBCASE("stale jobs are listed per pre-final status") {
    const auto pending = store->CreateJob(Avatar("p")).value().id;
    const auto submitting = store->CreateJob(Avatar("s")).value().id;
    REQUIRE(store->MarkSubmitting(submitting).has_value());
    clock->Advance(std::chrono::hours(2));
    const auto cutoff = clock->WallNow() - std::chrono::hours(1);
    auto p = store->ListStale(JobStatus::kPending, cutoff).value();
    REQUIRE(p.size() == 1);
    CHECK(p[0].id == pending);
    auto s = store->ListStale(JobStatus::kSubmitting, cutoff).value();
    REQUIRE(s.size() == 1);
    CHECK(s[0].id == submitting);
    CHECK(store->ListStale(JobStatus::kCompleted, cutoff).error().code == errc::invalid_argument);
  }

  SUBCASE("the inbox keeps the job a verified token named") {
    InboxEvent e{"tok-1", "{}", "u", 0, {}, false, "", 42};
    REQUIRE(store->RecordWebhook(e).value());
    CHECK(store->FindWebhook("tok-1").value().job_id == std::optional<std::int64_t>(42));
    REQUIRE(store->RecordWebhook({"tok-2", "{}", "u", 0, {}, false, ""}).value());
    CHECK_FALSE(store->FindWebhook("tok-2").value().job_id.has_value());
    auto claimed = store->ClaimWebhooks(10, std::chrono::seconds(30)).value();
    REQUIRE(claimed.size() == 2);
    CHECK(claimed[0].job_id == std::optional<std::int64_t>(42));
  }

  SUBCASE("stale TRAINING jobs are listed until checked") {
    const auto a = store->CreateJob(Avatar("a")).value().id;
    const auto b = store->CreateJob(Avatar("b")).value().id;
    REQUIRE(store->MarkTraining(a, Handle("a")).has_value());
    clock->Advance(std::chrono::minutes(10));
    REQUIRE(store->MarkTraining(b, Handle("b")).has_value());
    clock->Advance(std::chrono::minutes(25));
    auto stale = store->ListStaleTraining(clock->WallNow() - std::chrono::minutes(30)).value();
    REQUIRE(stale.size() == 1);
    CHECK(stale[0].id == a);
    REQUIRE(store->MarkChecked(a).has_value());
    CHECK(store->ListStaleTraining(clock->WallNow() - std::chrono::minutes(30)).value().empty());
    clock->Advance(std::chrono::minutes(31));
    CHECK(store->ListStaleTraining(clock->WallNow() - std::chrono::minutes(30)).value().size() == 2);
    CHECK(store->ListStale(JobStatus::kPending, clock->WallNow()).value().empty());
  }

  SUBCASE("jobs and unprocessed events survive reopening the store") {
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->MarkTraining(id, Handle("persist")).has_value());
    REQUIRE(store->RecordWebhook({"persist", "{\"x\":1}", "u", 1, {}, false, ""}).value());
    REQUIRE(store->ClaimWebhooks(10, std::chrono::seconds(3600)).value().size() == 1);
    store.reset();  // closed with the event claimed but unprocessed, as a crash would leave it
    auto reopened = Backend::Reopen(clock);
    CHECK(reopened->FindJobByRequestId("persist").value().id == id);
    CHECK(reopened->CountWebhooks(true).value() == 1);
    CHECK(reopened->ClaimWebhooks(10, std::chrono::seconds(30)).value().empty());  // still leased
    // The old instance's sessions are gone once the server has noticed the disconnect (PostgreSQL
    // reaps a closed session asynchronously, so ask again until it has).
    std::vector<InboxEvent> events;
    for (int attempt = 0; attempt < 200 && events.empty(); ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
      REQUIRE(reopened->ReleaseWebhookClaims().has_value());
      events = reopened->ClaimWebhooks(10, std::chrono::seconds(30)).value();
    }
    REQUIRE(events.size() == 1);
    CHECK(events[0].body == "{\"x\":1}");
    CHECK_FALSE(reopened->RecordWebhook({"persist", "{}", "u", 1, {}, false, ""}).value());
  }

  SUBCASE("concurrent writers through one store are serialised safely") {
    job_store_contract::CheckConcurrentWriters(*store);
  }
}
