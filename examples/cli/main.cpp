// faltrain: train avatar models on fal.ai from the command line (public API only).
//   faltrain presets | trainers | train SOURCE | status | watch | result | cancel | generate
// `faltrain --help` lists everything; `faltrain COMMAND --help` explains one command.

#include "command_line.hpp"
#include "commands.hpp"

#include <faltrain/client/clock.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace {

// Ctrl-C and SIGTERM become a CancelToken that any wait watches. The signals are blocked in every
// thread and taken by one thread with sigwait, so no work happens in a signal handler. A second
// signal exits at once. A signal the parent set to be ignored stays ignored (a shell does that
// for SIGINT in background jobs).
void StartSignalThread(faltrain::CancelToken token) {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    if (sigaction(signal_number, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set, signal_number);
  }
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, token] {
    int signal_number = 0;
    sigwait(&set, &signal_number);
    token.Cancel();
    sigwait(&set, &signal_number);
    _exit(faltrain_cli::kExitInterrupted);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faltrain_cli;
  Context ctx;
  Invocation invocation = ParseCommandLine(argc, argv, ctx);
  if (invocation.exit_code) return *invocation.exit_code;

  faltrain::CancelToken interrupt;
  StartSignalThread(interrupt);
  ctx.interrupt = interrupt;
  return invocation.command->run(ctx, invocation.args);
}
