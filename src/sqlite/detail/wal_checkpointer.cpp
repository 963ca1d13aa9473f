// WalCheckpointer: PASSIVE checkpoints on a timer, from a connection of their own; the log restarts
// after a last, short copy with the writer paused.

#include "sqlite/detail/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Catch-up passes before the writer is paused, and the frames a pass may find committed during the
// previous one and still count as caught up: every pass costs two syncs even when it copies little.
constexpr int kMaxCatchUpPasses = 3;
constexpr int kCaughtUpFrames = 128;

// Copies the log into the database as far as no reader needs it; the log's length in frames, or -1
// while this connection has not opened the log. Errors (SQLITE_BUSY: another checkpoint runs) are
// left to the next round.
int CopyBack(sqlite3* db) {
  int log_frames = -1;
  (void)sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
  return log_frames;
}

}  // namespace

std::unique_ptr<WalCheckpointer> WalCheckpointer::Start(const std::string& path, std::chrono::milliseconds interval,
                                                        int restart_frames, PauseWriter pause_writer) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(db, interval, restart_frames, std::move(pause_writer)));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval, int restart_frames,
                                 PauseWriter pause_writer)
    : db_(db),
      interval_(interval),
      restart_frames_(restart_frames),
      pause_writer_(std::move(pause_writer)),
      thread_([this] { Run(); }) {}

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
    CheckpointOnce();
    lock.lock();
  }
}

void WalCheckpointer::CheckpointOnce() {
  int log_frames = CopyBack(db_);
  if (log_frames < 0) {  // the log is opened on a first read
    (void)sqlite3_exec(db_, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    return;
  }
  if (log_frames < restart_frames_ || !pause_writer_) return;
  // Commits landed during that copy. Copy them too while they are many, without blocking anyone;
  // then the few left with the writer paused, so that every frame is copied when it next begins.
  for (int pass = 0; pass < kMaxCatchUpPasses; ++pass) {
    const int before = log_frames;
    log_frames = CopyBack(db_);
    if (log_frames - before < kCaughtUpFrames) break;
  }
  pause_writer_([this] { (void)CopyBack(db_); });
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
