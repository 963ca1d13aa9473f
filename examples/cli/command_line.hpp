#pragma once
// faltrain's command line, parsed by CLI11: global options, then one command and its options.

#include "commands.hpp"

#include <optional>

namespace faltrain_cli {

/// What to run, or the exit code to stop with (help and version printed, usage errors reported).
struct Invocation {
  std::optional<int> exit_code;
  const Command* command = nullptr;
  ParsedArgs args;
};

/// Parses `argv`; sets `ctx.json` and `ctx.verbose` from global and command options.
Invocation ParseCommandLine(int argc, char** argv, Context& ctx);

}  // namespace faltrain_cli
