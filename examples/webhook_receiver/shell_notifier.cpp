#include "shell_notifier.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <string>
#include <vector>

extern char** environ;

int RunNotifyCommand(const std::string& command, const faltrain::JobNotification& notification) {
  const faltrain::Job& job = notification.job;
  // The environment is built before spawning: setenv() is not safe in a threaded process.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.rfind("FALTRAIN_JOB_", 0) == 0 || entry.rfind("FALTRAIN_REQUEST_ID=", 0) == 0 ||
        entry.rfind("FALTRAIN_NOTIFICATION_KEY=", 0) == 0) {
      continue;
    }
    env.push_back(std::move(entry));
  }
  env.push_back("FALTRAIN_JOB_ID=" + std::to_string(job.id));
  env.push_back("FALTRAIN_JOB_STATUS=" + std::string(faltrain::to_string(job.status)));
  env.push_back("FALTRAIN_JOB_NAME=" + job.name);
  env.push_back("FALTRAIN_JOB_USER=" + job.user_id);
  env.push_back("FALTRAIN_REQUEST_ID=" + job.handle.request_id);
  env.push_back("FALTRAIN_JOB_ERROR=" + job.error);
  env.push_back("FALTRAIN_NOTIFICATION_KEY=" + notification.idempotency_key);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, envp.data()) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
