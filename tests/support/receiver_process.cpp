#include "support/receiver_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace test_support {

namespace fs = std::filesystem;

ReceiverProcess::ReceiverProcess(std::string binary, fs::path dir, std::string db, fs::path shared)
    : binary_(std::move(binary)), dir_(std::move(dir)), db_(std::move(db)), shared_(std::move(shared)) {
  fs::create_directories(dir_);
}

ReceiverProcess::~ReceiverProcess() {
  if (pid_ > 0) Kill();
}

void ReceiverProcess::Start() {
  fs::remove(dir_ / "port");
  // Everything the child needs is built before fork: the senders' threads run meanwhile, so the child
  // makes only async-signal-safe calls (open, dup2, execve).
  const std::string log_file = log().string();
  std::vector<std::string> args{binary_,
                                "--port", "0",
                                "--host", "127.0.0.1",
                                "--db", db_,
                                "--jwks-file", (shared_ / "jwks.json").string(),
                                "--port-file", (dir_ / "port").string(),
                                "--notify-command",
                                "echo $FALTRAIN_JOB_ID $FALTRAIN_JOB_STATUS >> " +
                                    (shared_ / "notified.txt").string(),
                                "--threads", "8"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // --db names the store: the environment of whoever runs the test must not override it.
  std::vector<char*> envp;
  for (auto& e : extra_env) envp.push_back(e.data());  // first: getenv finds these over inherited ones
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    if (entry.rfind("FALTRAIN_WEBHOOK_DB=", 0) != 0 && entry.rfind("FALTRAIN_DATABASE_URL=", 0) != 0) {
      envp.push_back(*e);
    }
  }
  envp.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int err = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    const int out = open("/dev/null", O_WRONLY);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  for (int i = 0; i < 3000; ++i) {
    std::ifstream in(dir_ / "port");
    int p = 0;
    if (in >> p && p > 0) {
      port_ = p;
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("receiver exited at start; see " + log_file);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("receiver did not start; see " + log_file);
}

bool ReceiverProcess::Exited() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  port_ = 0;
  return true;
}

void ReceiverProcess::Kill() {
  port_ = 0;
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ReceiverProcess::Terminate() {
  port_ = 0;
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace test_support
