#pragma once
// A few worker threads for the slow parts (zip + upload + submit, image generation), so the update
// loop keeps answering other users meanwhile.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace faltrain_bot {

class WorkQueue {
 public:
  explicit WorkQueue(int threads);
  /// Finishes the queued tasks, then joins the threads.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Post(std::function<void()> task);
  /// Runs what is queued, then joins the threads; later posts are dropped. Idempotent.
  void Shutdown();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace faltrain_bot
