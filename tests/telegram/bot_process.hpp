#pragma once
// A child process (the real faltrain-telegram-bot binary by default) with its environment and a
// log file taking its stdout and stderr.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <map>
#include <string>
#include <vector>

namespace faltrain_bot_test {

class BotProcess {
 public:
  /// Starts `binary` (the bot unless given) with `args`, the current environment plus `env`
  /// (which wins); stdout and stderr go to `log_file`.
  BotProcess(std::map<std::string, std::string> env, std::filesystem::path log_file,
             std::string binary = FALTRAIN_BOT_BINARY, std::vector<std::string> args = {});
  /// Stops it (SIGTERM, then SIGKILL after 15 s).
  ~BotProcess();
  BotProcess(const BotProcess&) = delete;
  BotProcess& operator=(const BotProcess&) = delete;

  /// SIGTERM and wait; returns the exit status (or -1 when it had to be killed).
  int Stop();
  /// Waits up to `timeout` for the bot to exit by itself; its exit code, or nullopt.
  std::optional<int> WaitForExit(std::chrono::seconds timeout);
  bool running() const { return pid_ > 0; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
};

/// A fresh empty directory (under the system temp dir) for one test's databases and logs.
std::filesystem::path FreshDir(const std::string& name);

}  // namespace faltrain_bot_test
