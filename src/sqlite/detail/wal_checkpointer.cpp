// WalCheckpointer: PASSIVE checkpoints on a timer, from a connection of their own.

#include "sqlite/detail/wal_checkpointer.hpp"

#include <sqlite3.h>

namespace faltrain {
inline namespace v1 {
namespace detail {

std::unique_ptr<WalCheckpointer> WalCheckpointer::Start(const std::string& path,
                                                        std::chrono::milliseconds interval) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db, interval));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    // SQLITE_BUSY (another checkpoint is running) and the like: the next round tries again.
    int log_frames = -1;
    (void)sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    // -1: this connection has not found the log yet (it opens it on its first read); read once.
    if (log_frames < 0) (void)sqlite3_exec(db_, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
