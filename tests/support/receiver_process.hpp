#pragma once
// faltrain-webhook-receiver as a child process on 127.0.0.1 and a free port, for tests that kill and
// restart it. Its port file and log live in its own directory; the JWKS it trusts (jwks.json) and the
// list its notify command appends to (notified.txt, "<job id> <status>" lines) live in a directory
// that several receivers may share.

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace test_support {

class ReceiverProcess {
 public:
  /// `db` is what the receiver's --db takes: a SQLite file or a postgresql:// URL.
  ReceiverProcess(std::string binary, std::filesystem::path dir, std::string db,
                  std::filesystem::path shared);
  ~ReceiverProcess();  // SIGKILLs a receiver still running
  ReceiverProcess(const ReceiverProcess&) = delete;
  ReceiverProcess& operator=(const ReceiverProcess&) = delete;

  /// Starts it and waits for its port file; throws std::runtime_error when it exits or never listens.
  void Start();
  /// SIGKILL, as a crash would; port() is 0 until the next Start().
  void Kill();
  /// SIGTERM and wait: the exit code, or 128 + the signal that ended it.
  int Terminate();

  /// True once the process has ended by itself (e.g. at a fault point); port() is 0 then.
  bool Exited();

  /// 0 while it is not running.
  int port() const { return port_; }
  /// More flags and environment entries ("NAME=value") for the next Start().
  std::vector<std::string> extra_args;
  std::vector<std::string> extra_env;
  std::filesystem::path log() const { return dir_ / "receiver.log"; }

 private:
  std::string binary_;
  std::filesystem::path dir_;
  std::string db_;
  std::filesystem::path shared_;
  pid_t pid_ = -1;
  std::atomic<int> port_{0};
};

}  // namespace test_support
