// faltrain: train avatar models on fal.ai from the command line (public API only).
//   faltrain presets | trainers | train SOURCE | status | watch | result | cancel | generate
// `faltrain --help` lists everything; `faltrain COMMAND --help` explains one command.

#include "commands.hpp"

#include <faltrain/client/clock.hpp>
#include <faltrain/client/version.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

// Ctrl-C and SIGTERM become a CancelToken that any wait watches. The signals are blocked in every
// thread and taken by one thread with sigwait, so no work happens in a signal handler. A second
// signal exits at once. A signal the parent set to be ignored stays ignored (a shell does that
// for SIGINT in background jobs).
void StartSignalThread(const faltrain::CancelToken& token) {
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
  std::vector<std::string> args(argv + 1, argv + argc);
  Context ctx;

  // Global options may come before the command.
  std::size_t i = 0;
  for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
    if (args[i] == "--json") {
      ctx.json = true;
    } else if (args[i] == "--verbose") {
      ctx.verbose = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(MainHelp().c_str(), stdout);
      return kExitOk;
    } else if (args[i] == "--version") {
      std::printf("faltrain %.*s\n", static_cast<int>(faltrain::version().size()),
                  faltrain::version().data());
      return kExitOk;
    } else {
      std::fprintf(stderr, "faltrain: unknown option '%s'\n\n%s", args[i].c_str(), MainHelp().c_str());
      return kExitUsage;
    }
  }
  if (i == args.size()) {
    std::fputs(MainHelp().c_str(), stderr);
    return kExitUsage;
  }
  std::string name = args[i++];
  if (name == "help") {
    if (i < args.size()) {
      if (const Command* c = FindCommand(args[i])) {
        std::fputs(CommandHelp(*c).c_str(), stdout);
        return kExitOk;
      }
    }
    std::fputs(MainHelp().c_str(), stdout);
    return kExitOk;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    std::fprintf(stderr, "faltrain: unknown command '%s'\n\n%s", name.c_str(), MainHelp().c_str());
    return kExitUsage;
  }
  auto parsed = ParseArgs(std::vector<std::string>(args.begin() + static_cast<long>(i), args.end()),
                          command->options);
  if (!parsed) {
    std::fprintf(stderr, "faltrain %s: %s\n\n%s", name.c_str(), parsed.error().message.c_str(),
                 CommandHelp(*command).c_str());
    return kExitUsage;
  }
  if (parsed.value().Has("help")) {
    std::fputs(CommandHelp(*command).c_str(), stdout);
    return kExitOk;
  }
  ctx.json = ctx.json || parsed.value().Has("json");
  ctx.verbose = ctx.verbose || parsed.value().Has("verbose");

  faltrain::CancelToken interrupt;
  StartSignalThread(interrupt);
  ctx.interrupt = &interrupt;
  return command->run(ctx, parsed.value());
}
