#pragma once
// faltrain-demo's flags and environment, and where it finds the programs it starts.

#include <faltrain/client/presets.hpp>
#include <faltrain/client/result.hpp>

#include <chrono>
#include <filesystem>
#include <string>

namespace faltrain_demo {

struct DemoOptions {
  double training_seconds = 8;        ///< --duration, else FAL_MOCK_TRAINING_DURATION, else 8
  faltrain::AvatarStyle style = faltrain::AvatarStyle::kPortrait;
  faltrain::QualityPreset preset = faltrain::QualityPreset::kFast;
  std::string avatar_name = "Demo";
  int photo_count = 12;               ///< portraits to write (real ones up to 22, else generated)
  std::filesystem::path photos_dir;   ///< your own photos instead (captions from <stem>.txt)
  std::string prompt;                 ///< empty = a portrait prompt with the trainer's trigger
  std::filesystem::path sim_binary;       ///< --sim, FALTRAIN_SIM_BIN, or next to faltrain-demo
  std::filesystem::path receiver_binary;  ///< --receiver, FALTRAIN_RECEIVER_BIN, or next to it
  std::filesystem::path work_dir;     ///< empty = a fresh temporary directory
  bool keep_work_dir = false;
  std::filesystem::path image_out;    ///< save the generated image here
  std::chrono::seconds timeout{300};  ///< the whole story
  bool help = false;
};

/// Reads the environment, then the flags in `argv` (as main() got it). Fails on unknown flags and
/// unusable values with a message for the user.
faltrain::result<DemoOptions> ParseDemoOptions(int argc, const char* const* argv);
/// The --help text.
std::string DemoUsage();

/// The program `name`: `explicit_path` when set; else beside this executable (an installed
/// bin/); else in the build tree's `../<build_subdir>/`. Fails naming every place it looked.
faltrain::result<std::filesystem::path> LocateProgram(const std::filesystem::path& explicit_path,
                                                      const std::string& name,
                                                      const std::string& build_subdir);

}  // namespace faltrain_demo
