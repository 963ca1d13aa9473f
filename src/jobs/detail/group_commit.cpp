// GroupCommit: one committer thread, one transaction per batch of queued inbox events.

#include "jobs/detail/group_commit.hpp"

#include <future>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace detail {

GroupCommit::GroupCommit(CommitFn commit, std::size_t max_batch)
    : commit_(std::move(commit)), max_batch_(max_batch == 0 ? 1 : max_batch), committer_([this] { Run(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  committer_.join();
}

void GroupCommit::Submit(InboxEvent event, RecordCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(PendingRecord{std::move(event), std::move(done)});
  }
  cv_.notify_one();
}

result<bool> GroupCommit::SubmitAndWait(const InboxEvent& event) {
  std::promise<result<bool>> answer;
  auto outcome = answer.get_future();
  Submit(event, [&answer](result<bool> inserted) { answer.set_value(std::move(inserted)); });
  return outcome.get();
}

// Takes everything queued (up to max_batch_), commits it while new events queue up, answers it.
// The two vectors swap roles, so their capacity is reused and a steady load allocates nothing here.
void GroupCommit::Run() {
  std::vector<PendingRecord> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued was answered
      if (queue_.size() <= max_batch_) {
        batch.swap(queue_);
      } else {
        auto end = queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
        queue_.erase(queue_.begin(), end);
      }
    }
    commit_(batch);
    for (auto& record : batch) record.done(std::move(record.outcome));
    batch.clear();
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
