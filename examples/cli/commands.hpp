#pragma once
// The `faltrain` commands: each parses its options and talks to fal through TrainingClient.

#include "cli_args.hpp"

#include <faltrain/client/clock.hpp>
#include <faltrain/client/error.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace faltrain_cli {

/// Exit codes scripts can rely on (also listed by `faltrain --help`).
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,           ///< bad command line or unusable argument
  kExitApiError = 2,        ///< fal (or the network, or the configuration) failed
  kExitRequestFailed = 3,   ///< the training or generation itself failed on fal
  kExitTimedOut = 4,        ///< --timeout passed while waiting
  kExitInterrupted = 5,     ///< Ctrl-C / SIGTERM while waiting
  kExitInputError = 6,      ///< local photos or files unusable
  kExitSignatureInvalid = 7,  ///< verify-webhook: the signature did not verify
  kExitStillRunning = 8,    ///< result: the request has not finished yet (use `watch`)
};

struct Context {
  bool json = false;
  bool verbose = false;
  faltrain::CancelToken interrupt;  ///< fires on SIGINT/SIGTERM
};

struct Command {
  std::string name;
  std::string arguments;  ///< e.g. "SOURCE"
  std::string summary;    ///< one line, in `faltrain --help`
  std::string details;    ///< below the command's options in `faltrain COMMAND --help`
  std::vector<OptionSpec> options;
  int (*run)(Context&, const ParsedArgs&);
};

/// Options every command accepts.
const std::vector<OptionSpec>& GlobalOptions();
const std::vector<Command>& Commands();

/// The environment and exit codes, shown below `faltrain --help`.
std::string MainHelpFooter();

/// Prints `e` (as {"error":...} on stdout with --json, else to stderr) and returns `exit_code`.
int Report(const Context& ctx, const faltrain::error& e, int exit_code);
/// The exit code for a library error.
int ExitCodeFor(const faltrain::error& e);

}  // namespace faltrain_cli
