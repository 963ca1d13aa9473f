#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace faltrain_demo {
namespace {

std::vector<std::string> BuildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && overrides.count(entry.substr(0, eq))) continue;
    env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : overrides) {
    if (!value.empty()) env.push_back(name + "=" + value);
  }
  return env;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildProcess::~ChildProcess() { Stop(); }

faltrain::result<void> ChildProcess::Start(const std::filesystem::path& binary,
                                           const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& env,
                                           const std::filesystem::path& log_stem) {
  if (pid_ > 0) return faltrain::fail(faltrain::errc::invalid_argument, "already started");
  if (access(binary.c_str(), X_OK) != 0) {
    return faltrain::fail(faltrain::errc::io_error, binary.string() + " is not an executable file");
  }
  out_path_ = log_stem.string() + ".out";
  err_path_ = log_stem.string() + ".err";
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> argv_text;
  argv_text.push_back(binary.string());
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = BuildEnvironment(env);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int out_fd = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) {
    for (int fd : {out_fd, err_fd, null_fd}) {
      if (fd >= 0) close(fd);
    }
    return faltrain::fail(faltrain::errc::io_error, "cannot create log files at " + log_stem.string());
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the demo died between fork and prctl
    // The demo blocks SIGINT/SIGTERM for its signal thread; the child must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    // Only async-signal-safe calls here: the demo has other threads.
    static const char kExecFailed[] = "exec failed\n";
    (void)!write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  close(null_fd);
  if (pid < 0) return faltrain::fail(faltrain::errc::io_error, std::string("fork: ") + strerror(errno));
  pid_ = pid;
  exit_code_ = -1;
  return faltrain::success();
}

bool ChildProcess::Reap(bool block) {
  if (pid_ <= 0) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_ = -1;
  return true;
}

faltrain::result<std::string> ChildProcess::WaitForListeningUrl(std::chrono::milliseconds timeout,
                                                                faltrain::CancelToken cancel) {
  constexpr std::string_view kMarker = "listening on ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::string out = ReadFile(out_path_);
    auto at = out.find(std::string(kMarker) + "http://");
    if (at != std::string::npos) {
      auto eol = out.find('\n', at);
      if (eol != std::string::npos) {
        std::string url = out.substr(at + kMarker.size(), eol - (at + kMarker.size()));
        while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) url.pop_back();
        return url;
      }
    }
    if (Reap(false)) {
      return faltrain::fail(faltrain::errc::io_error,
                            "exited with code " + std::to_string(exit_code_) + " before listening");
    }
    if (cancel.cancelled()) return faltrain::fail(faltrain::errc::cancelled, "interrupted");
    if (std::chrono::steady_clock::now() > deadline) {
      return faltrain::fail(faltrain::errc::timeout, "did not print its address in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_;
  if (Reap(false)) return exit_code_;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Reap(false)) return exit_code_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  Reap(true);
  return exit_code_;
}

std::string ChildProcess::ErrTail(int lines) const {
  std::ifstream in(err_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string text;
  for (const auto& line : tail) text += "    | " + line + "\n";
  return text;
}

}  // namespace faltrain_demo
