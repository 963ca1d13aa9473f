#pragma once
// Command-line flags of faltrain-sim.

#include <faltrain/client/result.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <string>
#include <vector>

struct SimServerArgs {
  int port = 0;  ///< 0 = any free port
  faltrain::SimOptions options;
  bool quiet = false;
  bool help = false;
};

/// Starts from SimOptions::FromEnvironment(), then applies the flags.
faltrain::result<SimServerArgs> ParseSimServerArgs(const std::vector<std::string>& args);
const char* SimServerUsage();
