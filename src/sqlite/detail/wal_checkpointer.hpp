#pragma once
// WalCheckpointer: copies a WAL database's log back into the database from a connection and a
// thread of its own, so that most of that work is done before the writer's own checkpoint (at
// `checkpoint_pages`) comes due; that one, inside a commit that a group of webhooks waits for, then
// has little left to copy. Private.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace faltrain {
inline namespace v1 {
namespace detail {

class WalCheckpointer {
 public:
  /// Checkpoints `path` (PASSIVE: never waits for, nor blocks, a writer) every `interval`;
  /// nullptr when `path` cannot be opened (the writer's own checkpoints then carry on alone).
  static std::unique_ptr<WalCheckpointer> Start(const std::string& path, std::chrono::milliseconds interval);
  /// Stops the thread and closes its connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval);
  void Run();

  sqlite3* db_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
