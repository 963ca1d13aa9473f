#pragma once
// faltrain-sim as a child process for tests (FALTRAIN_SIM_BINARY): started with --port 0 --quiet
// and the given flags, its URL read from the first stdout line, killed when the object goes.

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

// faltrain-sim in a child process; its first stdout line gives the port.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> flags) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> args{FALTRAIN_SIM_BINARY, "--port", "0", "--quiet"};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, FALTRAIN_SIM_BINARY, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    FILE* stream = fdopen(out[0], "r");
    char line[256] = {};
    REQUIRE(fgets(line, sizeof line, stream) != nullptr);
    fclose(stream);
    std::string text(line);
    auto at = text.find("http://127.0.0.1:");
    REQUIRE(text.rfind("faltrain-sim listening on ", 0) == 0);
    url_ = text.substr(at, text.find_first_of("\r\n") - at);
  }
  ~SimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& url() const { return url_; }
  /// Sends `signal` and returns the exit status.
  int Stop(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

