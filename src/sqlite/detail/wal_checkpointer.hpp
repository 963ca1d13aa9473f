#pragma once
// WalCheckpointer: copies a WAL database's log back into the database from a connection and a
// thread of its own, and keeps the log short, so that the writer's own checkpoint (at
// `checkpoint_pages`, inside a commit that a group of webhooks waits for) rarely comes due. Private.
//
// Under continuous writes a PASSIVE checkpoint never quite catches up (commits land while it
// copies), and SQLite only restarts the log from its start once every frame was copied back. So each
// round copies the bulk without blocking anyone, then, once the log is long, pauses the writer just
// long enough to copy the frames committed meanwhile: the next transaction then restarts the log.

#include <chrono>
#include <condition_variable>
#include <functional>
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
  /// Runs `work` while the store's writer is kept from starting a transaction.
  using PauseWriter = std::function<void(const std::function<void()>& work)>;

  /// Checkpoints `path` every `interval` (PASSIVE: never waits for a writer); when the log holds
  /// `restart_frames` or more, the rest is copied under `pause_writer` so the log restarts. nullptr
  /// when `path` cannot be opened (the writer's own checkpoints then carry on alone).
  static std::unique_ptr<WalCheckpointer> Start(const std::string& path, std::chrono::milliseconds interval,
                                                int restart_frames, PauseWriter pause_writer);
  /// Stops the thread and closes its connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval, int restart_frames, PauseWriter pause_writer);
  void Run();
  void CheckpointOnce();

  sqlite3* db_;
  const std::chrono::milliseconds interval_;
  const int restart_frames_;
  const PauseWriter pause_writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
