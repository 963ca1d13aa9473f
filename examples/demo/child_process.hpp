#pragma once
// A helper program the demo starts (the simulator, the webhook receiver) and always stops again.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/result.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace faltrain_demo {

/// One child process with stdout and stderr in log files. The child gets its own process group (so
/// a Ctrl-C on the terminal reaches only the demo, which then stops its children in order) and dies
/// with the demo even if the demo is killed outright (PR_SET_PDEATHSIG). The destructor stops it.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Starts `binary` with `args`. `env` overrides (value) or removes (empty value) variables of
  /// this process's environment. Output goes to `<log_stem>.out` and `<log_stem>.err`.
  faltrain::result<void> Start(const std::filesystem::path& binary, const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& env,
                               const std::filesystem::path& log_stem);

  /// Waits until a stdout line contains "listening on http://" and returns the URL that follows
  /// (up to the end of the line). Fails when the child exits first, after `timeout`, or on `cancel`.
  faltrain::result<std::string> WaitForListeningUrl(std::chrono::milliseconds timeout,
                                                   faltrain::CancelToken cancel);

  /// SIGTERM, then SIGKILL after `grace`; reaps the child. Returns its exit code (128 + signal when
  /// killed). Idempotent: later calls return the first result.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  /// True while started and not yet reaped.
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  /// The last `lines` lines of the child's stderr (for failure reports).
  std::string ErrTail(int lines = 15) const;
  const std::filesystem::path& out_path() const { return out_path_; }
  const std::filesystem::path& err_path() const { return err_path_; }

 private:
  /// Reaps the child if it exited; true when it has.
  bool Reap(bool block);

  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::filesystem::path out_path_, err_path_;
};

}  // namespace faltrain_demo
