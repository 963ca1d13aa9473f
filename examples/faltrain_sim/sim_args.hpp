#pragma once
// Command-line flags of faltrain-sim.

#include <faltrain/client/result.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <chrono>
#include <string>

struct SimServerArgs {
  int port = 0;  ///< 0 = any free port
  /// Every answer leaves this long after its request arrived (a slow network, on timers).
  std::chrono::milliseconds latency{0};
  int io_threads = 2;      ///< the server's I/O threads
  int backlog = 4096;      ///< listen backlog
  faltrain::SimOptions options;
  bool quiet = false;
  bool help = false;
};

/// Starts from SimOptions::FromEnvironment(), then applies the flags; `argv` as main() got it.
faltrain::result<SimServerArgs> ParseSimServerArgs(int argc, const char* const* argv);
/// The --help text.
std::string SimServerUsage();
