#include "demo_options.hpp"

#include "flags.hpp"

#include <unistd.h>

namespace faltrain_demo {
namespace {

constexpr const char* kDescription = R"(faltrain-demo: the whole avatar story, offline, in one command.

Starts faltrain-sim (fal simulated on 127.0.0.1, signed webhooks on) and faltrain-webhook-receiver
(SQLite job store in a temporary directory), checks portrait photos with faltrain::preflight (real
ones from python3-skimage; generated ones, unchecked, in a build without it), trains an avatar over
HTTP with TrainingClient + CurlTransport (no key, no network), shows progress, waits until the
receiver has verified the signed webhook and marked the avatar COMPLETED, generates an image with the
trained LoRA, prints a summary, and stops everything it started (also on failure and Ctrl-C).
)";

constexpr const char* kFooter = R"(Exit codes: 0 the whole story succeeded; 1 usage error; 2 a step failed (the message says which;
the programs' logs are kept in the work directory); 130 interrupted (SIGINT), 143 (SIGTERM).)";

// The words of --style and --preset, turned into enums after parsing (the library names them).
struct Words {
  std::string style = "portrait";
  std::string preset = "fast";
  double timeout_seconds = 300;
};

CLI::Validator NotEmpty() {
  return CLI::Validator([](std::string& v) { return v.empty() ? "is empty" : ""; }, "");
}

// Flags bound to `o` and `words`; the environment fills --duration, --sim and --receiver.
void Declare(CLI::App& app, DemoOptions& o, Words& words) {
  faltrain_examples::SetHelpStyle(app, 22);
  app.footer(kFooter);
  app.add_option("--duration", o.training_seconds,
                 "simulated training time in seconds (default FAL_MOCK_TRAINING_DURATION, else 8)")
      ->type_name("S")->check(CLI::Range(0.0, 3600.0).description(""))
      ->envname("FAL_MOCK_TRAINING_DURATION");
  app.add_option("--style", words.style, "portrait | artistic (default portrait; picks the trainer)")
      ->type_name("S");
  app.add_option("--preset", words.preset, "fast | balanced | quality (default fast)")->type_name("P");
  app.add_option("--name", o.avatar_name, "avatar name (default Demo)")->type_name("NAME")->check(NotEmpty());
  app.add_option("--photos", o.photo_count, "number of portraits (default 12; real ones, checked, up to 22)")
      ->type_name("N")->check(CLI::Range(1, 200).description(""));
  app.add_option("--photos-dir", o.photos_dir,
                 "train from your own photos instead (.jpg/.png/.webp; captions from <stem>.txt)")
      ->type_name("DIR");
  app.add_option("--prompt", o.prompt,
                 "prompt for the generated image (default: a portrait with the trigger phrase)")
      ->type_name("TEXT");
  app.add_option("--image-out", o.image_out, "save the generated image there")->type_name("FILE");
  app.add_option("--sim", o.sim_binary, "faltrain-sim (default FALTRAIN_SIM_BIN, else next to this program)")
      ->type_name("PATH")->envname("FALTRAIN_SIM_BIN");
  app.add_option("--receiver", o.receiver_binary,
                 "faltrain-webhook-receiver (default FALTRAIN_RECEIVER_BIN, else next to it)")
      ->type_name("PATH")->envname("FALTRAIN_RECEIVER_BIN");
  app.add_option("--work-dir", o.work_dir,
                 "where the job store, photos and logs go (default: a new temporary directory,\n"
                 "removed afterwards unless --keep or a failure)")
      ->type_name("DIR");
  app.add_flag("--keep", o.keep_work_dir, "keep the work directory");
  app.add_option("--timeout", words.timeout_seconds, "give up after S seconds in all (default 300)")
      ->type_name("S")->check(CLI::Range(1.0, 86400.0).description(""));
}

}  // namespace

std::string DemoUsage() {
  CLI::App app(kDescription, "faltrain-demo");
  DemoOptions o;
  Words words;
  Declare(app, o, words);
  return app.help();
}

faltrain::result<DemoOptions> ParseDemoOptions(int argc, const char* const* argv) {
  DemoOptions o;
  Words words;
  CLI::App app;
  Declare(app, o, words);
  FALTRAIN_TRY(o.help, faltrain_examples::ParseFlags(app, argc, argv));
  if (o.help) return o;
  FALTRAIN_TRY(o.style, faltrain::ParseAvatarStyle(words.style));
  FALTRAIN_TRY(o.preset, faltrain::ParseQualityPreset(words.preset));
  o.timeout = std::chrono::seconds(static_cast<long long>(words.timeout_seconds));
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
