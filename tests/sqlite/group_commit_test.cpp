// The SQLite inbox's asynchronous group commit: every callback runs once, after its event is in the
// table; duplicates (also within one batch) are reported as such; closing the store answers what
// is still queued.

#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <doctest/doctest.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace faltrain;

namespace {

// Collects RecordWebhookAsync answers and lets the test wait for a number of them.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::multimap<std::string, bool> by_id;
  std::size_t failures = 0;

  RecordCallback For(const std::string& id) {
    return [this, id](result<bool> inserted) {
      std::lock_guard<std::mutex> lock(mu);
      if (inserted) {
        by_id.emplace(id, inserted.value());
      } else {
        ++failures;
      }
      cv.notify_all();
    };
  }
  void WaitFor(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return by_id.size() + failures >= n; });
  }
};

InboxEvent Event(const std::string& id) { return {id, R"({"request_id":")" + id + R"("})", "u", 1, {}, false, ""}; }

}  // namespace

TEST_CASE("RecordWebhookAsync answers every event once, after it is stored, and names the duplicates") {
  auto store = OpenSqliteJobStore(":memory:").value();
  Answers answers;
  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every id is sent by two threads: one copy is stored, the other is a duplicate.
        const std::string id = "r" + std::to_string((t / 2) * kEach + i);
        store->RecordWebhookAsync(Event(id), [&answers, &store, id](result<bool> inserted) {
          // Answered only once the event can be read back.
          CHECK(store->FindWebhook(id).has_value());
          answers.For(id)(std::move(inserted));
        });
      }
    });
  }
  for (auto& s : senders) s.join();
  answers.WaitFor(kThreads * kEach);
  CHECK(answers.failures == 0);
  CHECK(store->CountWebhooks(false).value() == kThreads / 2 * kEach);
  for (int id = 0; id < kThreads / 2 * kEach; ++id) {
    auto range = answers.by_id.equal_range("r" + std::to_string(id));
    int stored = 0, duplicates = 0;
    for (auto it = range.first; it != range.second; ++it) (it->second ? stored : duplicates)++;
    CHECK(stored == 1);
    CHECK(duplicates == 1);
  }
}

TEST_CASE("closing the store answers what is still queued, and it is durable") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("faltrain-group-commit-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  Answers answers;
  {
    auto store = OpenSqliteJobStore(path).value();
    for (int i = 0; i < 100; ++i) store->RecordWebhookAsync(Event("q" + std::to_string(i)), answers.For("q"));
  }  // the last reference goes: the queue is committed and answered before the database closes
  CHECK(answers.by_id.size() == 100);
  CHECK(answers.failures == 0);
  auto reopened = OpenSqliteJobStore(path).value();
  CHECK(reopened->CountWebhooks(false).value() == 100);
  reopened.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_CASE("RecordWebhookAsync refuses an empty request id at once") {
  auto store = OpenSqliteJobStore(":memory:").value();
  std::optional<result<bool>> answer;
  store->RecordWebhookAsync(Event(""), [&answer](result<bool> r) { answer = std::move(r); });
  REQUIRE(answer.has_value());
  REQUIRE_FALSE(answer->has_value());
  CHECK(answer->error().code == errc::invalid_argument);
}
