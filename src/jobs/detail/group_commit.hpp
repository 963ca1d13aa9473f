#pragma once
// The inbox's group commit, shared by the job stores: callers queue events; one committer thread
// writes everything queued in one transaction (one fsync for many webhooks) and then answers each
// caller through its callback. No caller's thread waits, so a batch is not capped by a thread count.
// Private.

#include <faltrain/webhooks/inbox.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// One queued event and what its transaction made of it.
struct PendingRecord {
  InboxEvent event;
  RecordCallback done;
  result<bool> outcome = false;  ///< set by the commit function
};

class GroupCommit {
 public:
  /// Writes `batch` in one transaction and sets each entry's `outcome` (never from what was
  /// attempted after a rollback: from what the table holds). Runs on the committer thread only.
  using CommitFn = std::function<void(std::vector<PendingRecord>& batch)>;

  /// Starts the committer thread; a batch holds at most `max_batch` events.
  GroupCommit(CommitFn commit, std::size_t max_batch);
  /// Commits what is queued, answers it, and joins the committer thread.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  /// Queues `event`; `done` runs on the committer thread once its transaction ended.
  void Submit(InboxEvent event, RecordCallback done);
  /// Queues `event` and waits for its outcome (the synchronous `RecordWebhook`).
  result<bool> SubmitAndWait(const InboxEvent& event);

 private:
  void Run();

  CommitFn commit_;
  const std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PendingRecord> queue_;
  bool stopping_ = false;
  std::thread committer_;  // last: starts once everything above exists
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
