#include "demo_options.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace faltrain_demo {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

faltrain::result<double> ToSeconds(const std::string& what, const std::string& text, double min,
                                   double max) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(v) || v < min ||
      v > max) {
    return faltrain::fail(faltrain::errc::invalid_argument,
                          what + " must be a number from " + std::to_string(static_cast<int>(min)) +
                              " to " + std::to_string(static_cast<int>(max)) + ", not '" + text + "'");
  }
  return v;
}

}  // namespace

const char* DemoUsage() {
  return R"(faltrain-demo: the whole avatar story, offline, in one command.

Starts faltrain-sim (fal simulated on 127.0.0.1, signed webhooks on) and faltrain-webhook-receiver
(SQLite job store in a temporary directory), trains an avatar from generated portrait photos over
HTTP with TrainingClient + CurlTransport (no key, no network), shows progress, waits until the
receiver has verified the signed webhook and marked the avatar COMPLETED, generates an image with the
trained LoRA, prints a summary, and stops everything it started (also on failure and Ctrl-C).

usage: faltrain-demo [flags]
  --duration S        simulated training time in seconds (default FAL_MOCK_TRAINING_DURATION, else 8)
  --style S           portrait | artistic (default portrait; picks the trainer)
  --preset P          fast | balanced | quality (default fast)
  --name NAME         avatar name (default Demo)
  --photos N          number of generated portraits (default 12)
  --photos-dir DIR    train from your own photos instead (.jpg/.png/.webp; captions from <stem>.txt)
  --prompt TEXT       prompt for the generated image (default: a portrait with the trigger phrase)
  --image-out FILE    save the generated image there
  --sim PATH          faltrain-sim (default FALTRAIN_SIM_BIN, else next to this program)
  --receiver PATH     faltrain-webhook-receiver (default FALTRAIN_RECEIVER_BIN, else next to it)
  --work-dir DIR      where the job store, photos and logs go (default: a new temporary directory,
                      removed afterwards unless --keep or a failure)
  --keep              keep the work directory
  --timeout S         give up after S seconds in all (default 300)
  --help              this text

Exit codes: 0 the whole story succeeded; 1 usage error; 2 a step failed (the message says which;
the programs' logs are kept in the work directory); 130 interrupted (SIGINT), 143 (SIGTERM).
)";
}

faltrain::result<DemoOptions> ParseDemoOptions(const std::vector<std::string>& args) {
  DemoOptions o;
  if (auto v = Env("FAL_MOCK_TRAINING_DURATION"); !v.empty()) {
    FALTRAIN_TRY(auto seconds, ToSeconds("FAL_MOCK_TRAINING_DURATION", v, 0, 3600));
    o.training_seconds = seconds;
  }
  o.sim_binary = Env("FALTRAIN_SIM_BIN");
  o.receiver_binary = Env("FALTRAIN_RECEIVER_BIN");

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> faltrain::result<std::string> {
      if (i + 1 >= args.size()) return faltrain::fail(faltrain::errc::invalid_argument, flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      o.help = true;
    } else if (flag == "--keep") {
      o.keep_work_dir = true;
    } else if (flag == "--duration") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto seconds, ToSeconds(flag, text, 0, 3600));
      o.training_seconds = seconds;
    } else if (flag == "--timeout") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto seconds, ToSeconds(flag, text, 1, 86400));
      o.timeout = std::chrono::seconds(static_cast<long long>(seconds));
    } else if (flag == "--style") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(o.style, faltrain::ParseAvatarStyle(text));
    } else if (flag == "--preset") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(o.preset, faltrain::ParseQualityPreset(text));
    } else if (flag == "--name") {
      FALTRAIN_TRY(o.avatar_name, value());
      if (o.avatar_name.empty()) return faltrain::fail(faltrain::errc::invalid_argument, "--name is empty");
    } else if (flag == "--photos") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto n, ToSeconds(flag, text, 1, 200));
      if (n != std::floor(n)) return faltrain::fail(faltrain::errc::invalid_argument, "--photos must be whole");
      o.photo_count = static_cast<int>(n);
    } else if (flag == "--photos-dir") {
      FALTRAIN_TRY(auto text, value());
      o.photos_dir = text;
    } else if (flag == "--prompt") {
      FALTRAIN_TRY(o.prompt, value());
    } else if (flag == "--image-out") {
      FALTRAIN_TRY(auto text, value());
      o.image_out = text;
    } else if (flag == "--sim") {
      FALTRAIN_TRY(auto text, value());
      o.sim_binary = text;
    } else if (flag == "--receiver") {
      FALTRAIN_TRY(auto text, value());
      o.receiver_binary = text;
    } else if (flag == "--work-dir") {
      FALTRAIN_TRY(auto text, value());
      o.work_dir = text;
    } else {
      return faltrain::fail(faltrain::errc::invalid_argument, "unknown flag '" + flag + "' (see --help)");
    }
  }
  return o;
}

faltrain::result<std::filesystem::path> LocateProgram(const std::filesystem::path& explicit_path,
                                                      const std::string& name,
                                                      const std::string& build_subdir) {
  if (!explicit_path.empty()) {
    if (access(explicit_path.c_str(), X_OK) == 0) return explicit_path;
    return faltrain::fail(faltrain::errc::invalid_argument,
                          explicit_path.string() + " (given for " + name + ") is not an executable");
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return faltrain::fail(faltrain::errc::io_error, "cannot find this program's own path: " + ec.message());
  const auto dir = self.parent_path();
  const std::filesystem::path candidates[] = {dir / name, dir.parent_path() / build_subdir / name};
  std::string tried;
  for (const auto& candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal();
    tried += " " + candidate.lexically_normal().string();
  }
  return faltrain::fail(faltrain::errc::io_error,
                        "cannot find " + name + " (looked at" + tried + "); pass its path with a flag");
}

}  // namespace faltrain_demo
