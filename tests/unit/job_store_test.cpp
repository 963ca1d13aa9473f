// SqliteJobStore: forward-only statuses, the deduplicating inbox, claims, and restart recovery.

#include <faltrain/jobs.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>
#include <atomic>
#include <unistd.h>

using namespace faltrain;

namespace {

std::shared_ptr<JobStore> OpenMemory(std::shared_ptr<Clock> clock = std::make_shared<VirtualClock>()) {
  auto s = OpenSqliteJobStore(":memory:", {}, std::move(clock));
  REQUIRE_MESSAGE(s.has_value(), s.error().message);
  return s.value();
}

RequestHandle Handle(std::string id) {
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = id;
  h.gateway_request_id = "gw-" + id;
  h.status_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id + "/status";
  h.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id;
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

NewJob Avatar(std::string name = "Anna") {
  return NewJob{"user-1", std::move(name), "portrait", "balanced", "fal-ai/flux-lora-portrait-trainer"};
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("faltrain-jobs-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("status helpers encode the forward-only rule") {
  CHECK(IsAllowedTransition(JobStatus::kPending, JobStatus::kTraining));
  CHECK(IsAllowedTransition(JobStatus::kPending, JobStatus::kFailed));
  CHECK(IsAllowedTransition(JobStatus::kTraining, JobStatus::kCompleted));
  CHECK(IsAllowedTransition(JobStatus::kTraining, JobStatus::kCancelled));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kTraining, JobStatus::kPending));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kCompleted, JobStatus::kFailed));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kCancelled, JobStatus::kTraining));
  for (auto s : {JobStatus::kPending, JobStatus::kTraining, JobStatus::kCompleted, JobStatus::kFailed,
                 JobStatus::kCancelled}) {
    CHECK(ParseJobStatus(to_string(s)).value() == s);
  }
  CHECK_FALSE(ParseJobStatus("DONE").has_value());
}

TEST_CASE("a job goes PENDING → TRAINING → COMPLETED, keeping everything it is given") {
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenMemory(clock);
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

  REQUIRE(store->UpdateProgress(id, 0.5).has_value());
  auto found = store->FindJobByRequestId("req-1");
  REQUIRE(found.has_value());
  CHECK(found.value().id == id);
  CHECK(found.value().progress == doctest::Approx(0.5));
  CHECK(found.value().style == "portrait");
  CHECK(found.value().preset == "balanced");
  CHECK(found.value().trainer == "fal-ai/flux-lora-portrait-trainer");

  auto finished = store->Finish(id, {JobStatus::kCompleted, R"({"diffusers_lora_file":{"url":"u"}})", ""});
  REQUIRE(finished.has_value());
  CHECK(finished.value());
  auto done = store->FindJob(id).value();
  CHECK(done.status == JobStatus::kCompleted);
  CHECK(done.progress == 1.0);
  CHECK(done.output_json == R"({"diffusers_lora_file":{"url":"u"}})");
  CHECK(done.finished_at.has_value());
  CHECK(store->ListJobs(JobStatus::kCompleted).value().size() == 1);
  CHECK(store->FindJobByRequestId("nope").error().code == errc::not_found);
}

TEST_CASE("statuses only move forward; the first final status wins") {
  auto store = OpenMemory();
  const auto id = store->CreateJob(Avatar()).value().id;
  REQUIRE(store->MarkTraining(id, Handle("r")).has_value());
  auto again = store->MarkTraining(id, Handle("r2"));
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().message == "job 1 is TRAINING, not PENDING");

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
  CHECK(store->Finish(999, {JobStatus::kFailed, "", ""}).error().code == errc::not_found);

  // A request id belongs to one job.
  const auto other = store->CreateJob(Avatar("B")).value().id;
  CHECK(store->MarkTraining(other, Handle("r")).error().code == errc::invalid_argument);
  // PENDING may end directly (e.g. the upload failed).
  CHECK(store->Finish(other, {JobStatus::kCancelled, "", ""}).value());
}

TEST_CASE("the database itself refuses backward status updates") {
  TempDir dir;
  const auto db_path = dir.path / "jobs.db";
  {
    auto store = OpenSqliteJobStore(db_path).value();
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  CHECK(sqlite3_exec(db, "UPDATE jobs SET status='TRAINING'", nullptr, nullptr, &message) != SQLITE_OK);
  REQUIRE(message != nullptr);
  CHECK(std::string(message) == "job status may only move forward");
  sqlite3_free(message);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == SqliteJobStoreSchemaVersion());
  sqlite3_finalize(st);
  // A newer schema than this build knows is refused, not clobbered.
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto reopened = OpenSqliteJobStore(db_path);
  REQUIRE_FALSE(reopened.has_value());
  CHECK(reopened.error().code == errc::storage_error);
  CHECK(reopened.error().message.find("newer") != std::string::npos);
}

TEST_CASE("the inbox stores a request id once; duplicates change nothing") {
  auto store = OpenMemory();
  InboxEvent e{"req-1", R"({"request_id":"req-1","status":"OK"})", "u", 1767225600, {}, false, ""};
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
  CHECK(store->RecordWebhook(InboxEvent{}).error().code == errc::invalid_argument);
}

TEST_CASE("claims lease events; completing one is atomic with its job update") {
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenMemory(clock);
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

  // A failed job update rolls the inbox change back too.
  auto bad = store->CompleteWebhook("b", "applied", 12345, JobOutcome{JobStatus::kFailed, "", "x"});
  CHECK(bad.error().code == errc::not_found);
  CHECK_FALSE(store->FindWebhook("b").value().processed);

  // Leases lapse (a crashed claimer), or are released at startup.
  clock->Advance(std::chrono::seconds(31));
  CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 2);
  REQUIRE(store->ReleaseWebhookClaims().has_value());
  CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 2);
  CHECK(store->CompleteWebhook("zzz", "x").error().code == errc::not_found);
}

TEST_CASE("notifications are claimed once per final job") {
  auto store = OpenMemory();
  const auto id = store->CreateJob(Avatar()).value().id;
  CHECK_FALSE(store->ClaimNotification(id).value());  // not final yet
  REQUIRE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
  CHECK(store->ListUnnotified().value().size() == 1);
  CHECK(store->ClaimNotification(id).value());
  CHECK_FALSE(store->ClaimNotification(id).value());
  CHECK(store->ListUnnotified().value().empty());
  CHECK(store->FindJob(id).value().notified_at.has_value());
}

TEST_CASE("stale TRAINING jobs are listed until checked") {
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenMemory(clock);
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
}

TEST_CASE("a file database keeps jobs and unprocessed events across a restart") {
  TempDir dir;
  const auto db_path = dir.path / "jobs.db";
  std::int64_t id = 0;
  {
    auto store = OpenSqliteJobStore(db_path).value();
    id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->MarkTraining(id, Handle("persist")).has_value());
    REQUIRE(store->RecordWebhook({"persist", "{\"x\":1}", "u", 1, {}, false, ""}).value());
    REQUIRE(store->ClaimWebhooks(10, std::chrono::seconds(3600)).value().size() == 1);
    // Closed with the event claimed but unprocessed, as a crash would leave it.
  }
  auto store = OpenSqliteJobStore(db_path).value();
  CHECK(store->FindJobByRequestId("persist").value().id == id);
  CHECK(store->CountWebhooks(true).value() == 1);
  CHECK(store->ClaimWebhooks(10, std::chrono::seconds(30)).value().empty());  // still leased
  REQUIRE(store->ReleaseWebhookClaims().has_value());
  auto events = store->ClaimWebhooks(10, std::chrono::seconds(30)).value();
  REQUIRE(events.size() == 1);
  CHECK(events[0].body == "{\"x\":1}");
  CHECK_FALSE(store->RecordWebhook({"persist", "{}", "u", 1, {}, false, ""}).value());
}

TEST_CASE("concurrent writers through one store are serialised safely") {
  auto store = OpenMemory(MakeSystemClock());
  std::vector<std::thread> threads;
  std::atomic<int> inserted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // Half the ids collide across threads, like duplicate deliveries.
        std::string id = i % 2 == 0 ? "shared-" + std::to_string(i)
                                    : "own-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = store->RecordWebhook({id, "{}", "u", 0, {}, false, ""});
        if (r && r.value()) ++inserted;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(inserted.load() == 25 + 4 * 25);
  CHECK(store->CountWebhooks(false).value() == 125u);
}
