#include "commands.hpp"

#ifdef FALTRAIN_CLI_WITH_PREFLIGHT
#include "check_command.hpp"
#endif
#include "demo_photos.hpp"
#include "json_out.hpp"
#include "progress_view.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>
#include <faltrain/client/config.hpp>
#include <faltrain/client/logging.hpp>
#include <faltrain/client/presets.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/trainers.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/version.hpp>
#include <faltrain/webhooks/event.hpp>
#include <faltrain/webhooks/verifier.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faltrain_cli {
namespace {

namespace fs = std::filesystem;
using faltrain::errc;
using faltrain::fail;
using faltrain::result;

// ---- small helpers -------------------------------------------------------------------------------

void Print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}
void PrintLine(const std::string& text) { Print(text + "\n"); }

result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errc::io_error, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

result<void> WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return fail(errc::io_error, "cannot write " + path);
  return faltrain::success();
}

faltrain::error UsageError(std::string message) {
  return faltrain::error(errc::invalid_argument, std::move(message));
}

result<faltrain::TrainingClient> MakeClient(const Context& ctx) {
  auto config = faltrain::ClientOptions::FromEnvironment();
  if (!config) return fail(std::move(config).error());
  config.value().log =
      faltrain::MakeStderrLogSink(ctx.verbose ? faltrain::LogLevel::kDebug : faltrain::LogLevel::kWarning);
  return faltrain::CreateTrainingClient(std::move(config).value());  // honours AVATAR_TEST_MODE
}

// Style and preset options shared by train and watch.
result<faltrain::AvatarStyle> StyleOption(const ParsedArgs& args) {
  return faltrain::ParseAvatarStyle(args.ValueOr("style", "portrait"));
}
result<faltrain::QualityPreset> PresetOption(const ParsedArgs& args) {
  return faltrain::ParseQualityPreset(args.ValueOr("preset", "balanced"));
}

result<void> LoadTrainersFile(const ParsedArgs& args, faltrain::TrainerRegistry& registry) {
  auto path = args.Value("trainers-file");
  if (!path) return faltrain::success();
  FALTRAIN_TRY(auto json, ReadTextFile(*path));
  FALTRAIN_TRY(auto added, registry.RegisterJson(json));
  (void)added;
  return faltrain::success();
}

// A handle is a saved handle file (`train --save`, RequestHandle::ToJson) or a request id with
// --endpoint, whose URLs follow fal's rules (status/result/cancel under [ns/]owner/alias).
result<faltrain::RequestHandle> ResolveHandle(const ParsedArgs& args,
                                              const faltrain::TrainingClient& client) {
  if (args.positional.empty()) {
    return fail(UsageError("give a handle file or a request id (with --endpoint)"));
  }
  const std::string& what = args.positional.front();
  std::error_code ec;
  if (fs::is_regular_file(what, ec)) {
    FALTRAIN_TRY(auto json, ReadTextFile(what));
    return faltrain::RequestHandle::Parse(json);
  }
  auto endpoint = args.Value("endpoint");
  if (!endpoint) {
    return fail(UsageError("'" + what + "' is not a handle file; pass --endpoint ENDPOINT_ID with a request id"));
  }
  FALTRAIN_TRY(auto id, faltrain::EndpointId::Parse(*endpoint));
  faltrain::RequestHandle handle;
  handle.endpoint_id = *endpoint;
  handle.request_id = what;
  std::string base = client.options().endpoints.queue_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  handle.response_url = base + "/" + id.App() + "/requests/" + what;
  handle.status_url = handle.response_url + "/status";
  handle.cancel_url = handle.response_url + "/cancel";
  return handle;
}

// Progress for a watch: steps and time estimate from --steps/--preset/--style, else the trainer's
// defaults when the endpoint is a known trainer.
result<faltrain::WatchOptions> WatchOptionsFor(const Context& ctx, const ParsedArgs& args,
                                               faltrain::TrainingClient& client,
                                               const std::string& endpoint_id) {
  faltrain::WatchOptions watch;
  watch.cancel = ctx.interrupt;
  watch.cancel_request_on_stop = args.Has("cancel-on-interrupt");
  watch.use_status_stream = !args.Has("poll");  // the status stream by default, polling as fallback
  FALTRAIN_TRY(auto timeout, args.Number("timeout"));
  if (timeout) {
    if (*timeout <= 0) return fail(UsageError("--timeout must be positive"));
    watch.timeout = std::chrono::milliseconds(static_cast<long long>(*timeout * 1000));
  }
  FALTRAIN_TRY(auto interval, args.Number("poll-interval"));
  if (interval) {
    if (*interval <= 0) return fail(UsageError("--poll-interval must be positive"));
    watch.min_interval = std::chrono::milliseconds(static_cast<long long>(*interval * 1000));
    watch.max_interval = std::max(watch.max_interval, watch.min_interval);
  }
  FALTRAIN_TRY(auto style, StyleOption(args));
  FALTRAIN_TRY(auto preset, PresetOption(args));
  auto values = faltrain::GetPreset(style, preset);
  if (auto spec = client.trainers().Find(endpoint_id)) {
    watch.expected_steps = spec.value().default_steps;
    auto for_style = client.trainers().ForStyle(style);
    if (args.Has("preset") || (for_style && for_style.value().endpoint_id == endpoint_id)) {
      watch.expected_steps = values.steps;
      watch.estimate = values.estimate.midpoint();
    }
  }
  FALTRAIN_TRY(auto steps, args.Integer("steps"));
  if (steps) watch.expected_steps = *steps;
  return watch;
}

void PrintTrainingOutput(const Context& ctx, const faltrain::TrainingOutput& output,
                         const char* event) {
  if (ctx.json) {
    faltrain::JsonFields f;
    if (event) f.SetString("event", event);
    f.SetRaw("result", TrainingOutputJson(output));
    PrintLine(Object(f));
    return;
  }
  if (output.lora_file) {
    PrintLine("LoRA file:   " + output.lora_file->url);
    if (!output.lora_file->file_name.empty()) PrintLine("  name:      " + output.lora_file->file_name);
    if (output.lora_file->file_size) {
      PrintLine("  size:      " + std::to_string(*output.lora_file->file_size) + " bytes");
    }
  }
  if (output.config_file) PrintLine("config file: " + output.config_file->url);
  if (!output.finetune_id.empty()) PrintLine("finetune id: " + output.finetune_id);
  for (const auto& [name, file] : output.other_files) PrintLine(name + ": " + file.url);
}

// Prints a finished request's output: typed when it is a training output, raw JSON otherwise.
int PrintResultJson(const Context& ctx, const std::string& json, const ParsedArgs& args,
                    const char* event) {
  if (auto path = args.Value("output")) {
    if (auto written = WriteTextFile(*path, json); !written) {
      return Report(ctx, written.error(), kExitInputError);
    }
  }
  if (auto output = faltrain::TrainingOutput::Parse(json)) {
    PrintTrainingOutput(ctx, output.value(), event);
  } else if (ctx.json) {
    faltrain::JsonFields f;
    if (event) f.SetString("event", event);
    f.SetRaw("result", json);
    PrintLine(Object(f));
  } else {
    PrintLine(json);
  }
  return kExitOk;
}

std::string EstimateText(const faltrain::DurationEstimate& e) {
  return std::to_string(e.min.count()) + "-" + std::to_string(e.max.count()) + " min";
}

// ---- commands --------------------------------------------------------------------------------------

int RunPresets(Context& ctx, const ParsedArgs& args) {
  std::vector<faltrain::AvatarStyle> styles = {faltrain::AvatarStyle::kPortrait,
                                               faltrain::AvatarStyle::kArtistic};
  if (auto style = args.Value("style")) {
    auto parsed = faltrain::ParseAvatarStyle(*style);
    if (!parsed) return Report(ctx, parsed.error(), kExitUsage);
    styles = {parsed.value()};
  }
  auto wanted = [&](faltrain::AvatarStyle s) {
    return std::find(styles.begin(), styles.end(), s) != styles.end();
  };
  if (ctx.json) {
    std::vector<std::string> presets, infos;
    for (const auto& p : faltrain::AllPresets()) {
      if (wanted(p.style)) presets.push_back(PresetJson(p));
    }
    for (auto s : styles) {
      auto info = faltrain::GetStyleInfo(s);
      faltrain::JsonFields f;
      f.SetString("style", faltrain::to_string(s));
      f.SetString("name", info.name_en).SetString("name_ru", info.name_ru);
      f.SetString("description", info.description_en).SetString("description_ru", info.description_ru);
      f.SetString("default_trainer", info.default_trainer);
      infos.push_back(Object(f));
    }
    faltrain::JsonFields out;
    out.SetRaw("presets", Array(presets)).SetRaw("styles", Array(infos));
    PrintLine(Object(out));
    return kExitOk;
  }
  char line[160];
  std::snprintf(line, sizeof line, "%-9s %-9s %6s  %-13s %s", "style", "preset", "steps",
                "learning rate", "estimate");
  PrintLine(line);
  for (const auto& p : faltrain::AllPresets()) {
    if (!wanted(p.style)) continue;
    std::snprintf(line, sizeof line, "%-9s %-9s %6lld  %-13.*s %s",
                  std::string(faltrain::to_string(p.style)).c_str(),
                  std::string(faltrain::to_string(p.preset)).c_str(), static_cast<long long>(p.steps),
                  static_cast<int>(p.learning_rate_text.size()), p.learning_rate_text.data(),
                  EstimateText(p.estimate).c_str());
    PrintLine(line);
  }
  for (auto s : styles) {
    auto info = faltrain::GetStyleInfo(s);
    PrintLine("");
    PrintLine(std::string(info.name_en) + " (" + std::string(faltrain::to_string(s)) + ", trainer " +
              std::string(info.default_trainer) + ")");
    PrintLine("  " + std::string(info.description_en));
  }
  return kExitOk;
}

int RunTrainers(Context& ctx, const ParsedArgs& args) {
  auto registry = faltrain::TrainerRegistry::WithBuiltins();
  if (auto loaded = LoadTrainersFile(args, registry); !loaded) {
    return Report(ctx, loaded.error(), ExitCodeFor(loaded.error()));
  }
  auto portrait = registry.ForStyle(faltrain::AvatarStyle::kPortrait);
  auto artistic = registry.ForStyle(faltrain::AvatarStyle::kArtistic);
  auto styles_of = [&](const std::string& id) {
    std::string out;
    if (portrait && portrait.value().endpoint_id == id) out += "portrait";
    if (artistic && artistic.value().endpoint_id == id) out += out.empty() ? "artistic" : ",artistic";
    return out;
  };
  auto list = registry.List();
  if (ctx.json) {
    std::vector<std::string> items;
    for (const auto& t : list) items.push_back(TrainerJson(t));
    faltrain::JsonFields styles;
    if (portrait) styles.SetString("portrait", portrait.value().endpoint_id);
    if (artistic) styles.SetString("artistic", artistic.value().endpoint_id);
    faltrain::JsonFields out;
    out.SetRaw("trainers", Array(items)).SetRaw("styles", Object(styles));
    PrintLine(Object(out));
    return kExitOk;
  }
  for (const auto& t : list) {
    std::string line = t.endpoint_id;
    if (auto s = styles_of(t.endpoint_id); !s.empty()) line += "  [" + s + "]";
    if (t.deprecated) line += "  (deprecated)";
    PrintLine(line);
    PrintLine("  " + t.display_name + "; output " + std::string(faltrain::to_string(t.output)) +
              "; images field " + t.images_field + "; min " + std::to_string(t.min_images) +
              (t.max_images ? ", max " + std::to_string(*t.max_images) : std::string()) + " images" + (t.steps_field.empty() ? "" : "; " + t.steps_field + " " +
                                                           std::to_string(t.default_steps)));
    if (t.deprecated && !t.deprecation_note.empty()) PrintLine("  " + t.deprecation_note);
  }
  return kExitOk;
}

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("data:", 0) == 0;
}

// train's options, everything but the images: a usage error when one is unusable.
result<faltrain::TrainingRequest> TrainingRequestFrom(const ParsedArgs& args) {
  faltrain::TrainingRequest request;
  FALTRAIN_TRY(request.style, StyleOption(args));
  FALTRAIN_TRY(request.preset, PresetOption(args));
  request.trainer = args.ValueOr("trainer", "");
  request.trigger = args.ValueOr("trigger", "");
  FALTRAIN_TRY(auto steps, args.Integer("steps"));
  FALTRAIN_TRY(auto rate, args.Number("learning-rate"));
  if (steps) request.steps = *steps;
  if (rate) request.learning_rate = *rate;
  return request;
}

// --dry-run: the input that would be submitted; nothing is uploaded or sent.
int PrintDryRun(const Context& ctx, const faltrain::TrainingClient& client, const std::string& source,
                faltrain::TrainingRequest request) {
  request.images_url = IsUrl(source) ? source : "https://example.invalid/" +
                                                    fs::path(source).filename().string() + ".zip";
  auto input = client.BuildTrainingInput(request);
  if (!input) return Report(ctx, input.error(), ExitCodeFor(input.error()));
  PrintLine(input.value());
  return kExitOk;
}

// Checks and uploads a photo folder; the upload's URL, or the exit code after reporting. The
// photo check (with faltrain::preflight) runs unless `skip_check`.
int UploadPhotoFolder(const Context& ctx, faltrain::TrainingClient& client, const std::string& dir,
                      const faltrain::TrainingRequest& request, bool skip_check, std::string& url) {
  faltrain::TrainingSet set;
  auto added = set.AddDirectory(dir);
  if (!added) return Report(ctx, added.error(), kExitInputError);
  auto trainer = request.trainer.empty() ? client.trainers().ForStyle(request.style)
                                         : client.trainers().Find(request.trainer);
  if (!trainer) return Report(ctx, trainer.error(), kExitUsage);
  if (auto valid = set.Validate(trainer.value().min_images); !valid) {
    return Report(ctx, valid.error(), kExitInputError);
  }
#ifdef FALTRAIN_CLI_WITH_PREFLIGHT
  if (!skip_check) {
    if (int checked = CheckBeforeTraining(ctx, set, trainer.value()); checked != kExitOk) return checked;
  }
#else
  (void)skip_check;
#endif
  if (!ctx.json) {
    PrintLine("uploading " + std::to_string(set.images().size()) + " photos (" +
              std::to_string(set.total_bytes()) + " bytes)");
  }
  auto uploaded = client.UploadTrainingSet(set, request.style);
  if (!uploaded) return Report(ctx, uploaded.error(), ExitCodeFor(uploaded.error()));
  url = std::move(uploaded).value();
  return kExitOk;
}

// Sets request.images_url: a URL as given, else the upload of a photo folder or a .zip.
int ResolveImages(const Context& ctx, faltrain::TrainingClient& client, const std::string& source,
                  bool skip_check, faltrain::TrainingRequest& request) {
  if (IsUrl(source)) {
    request.images_url = source;
    return kExitOk;
  }
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    return UploadPhotoFolder(ctx, client, source, request, skip_check, request.images_url);
  }
  if (!fs::is_regular_file(source, ec) || fs::path(source).extension() != ".zip") {
    const std::string message = "'" + source + "' is neither a folder, a .zip nor a URL";
    return Report(ctx, faltrain::error(errc::io_error, message), kExitInputError);
  }
  auto url = client.UploadFile(source);
  if (!url) return Report(ctx, url.error(), ExitCodeFor(url.error()));
  request.images_url = url.value();
  return kExitOk;
}

void PrintSubmitted(const Context& ctx, const ParsedArgs& args, const faltrain::TrainingJob& job,
                    const faltrain::TrainingRequest& request) {
  const auto& handle = job.handle;
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("event", "submitted");
    f.SetRaw("handle", handle.ToJson());
    f.SetString("trainer", job.trainer.endpoint_id);
    f.SetString("style", faltrain::to_string(job.style));
    f.SetString("preset", faltrain::to_string(job.preset));
    f.SetInt("steps", job.steps);
    f.SetString("images_url", request.images_url);
    f.SetInt("estimate_min_minutes", job.estimate.min.count());
    f.SetInt("estimate_max_minutes", job.estimate.max.count());
    PrintLine(Object(f));
    return;
  }
  PrintLine("submitted " + handle.request_id + " to " + handle.endpoint_id);
  PrintLine("  style " + std::string(faltrain::to_string(job.style)) + ", preset " +
            std::string(faltrain::to_string(job.preset)) + ", " + std::to_string(job.steps) +
            " steps, about " + EstimateText(job.estimate));
  if (auto path = args.Value("save")) PrintLine("  handle saved to " + *path);
}

// --wait: progress until the training ends, then its output.
int WaitForTraining(const Context& ctx, const ParsedArgs& args, faltrain::TrainingClient& client,
                    const faltrain::RequestHandle& handle) {
  auto watch = WatchOptionsFor(ctx, args, client, handle.endpoint_id);
  if (!watch) return Report(ctx, watch.error(), kExitUsage);
  ProgressView view(ProgressView::Detect(ctx.json, stdout), stdout, ctx.verbose);
  watch.value().on_progress = [&view](const faltrain::Progress& p) { view.Update(p); };
  auto json = client.WaitForResultJson(handle, watch.value());
  view.Finish();
  if (!json) return Report(ctx, json.error(), ExitCodeFor(json.error()));
  if (!ctx.json) PrintLine("training completed");
  return PrintResultJson(ctx, json.value(), args, "completed");
}

int RunTrain(Context& ctx, const ParsedArgs& args) {
  if (args.positional.size() != 1) {
    return Report(ctx, UsageError("train needs exactly one SOURCE (a photo folder, a .zip or a URL)"),
                  kExitUsage);
  }
  const std::string source = args.positional.front();
  auto request = TrainingRequestFrom(args);
  if (!request) return Report(ctx, request.error(), kExitUsage);
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));
  if (auto loaded = LoadTrainersFile(args, client.value().trainers()); !loaded) {
    return Report(ctx, loaded.error(), ExitCodeFor(loaded.error()));
  }
  if (args.Has("dry-run")) return PrintDryRun(ctx, client.value(), source, request.value());
  const bool skip_check = args.Has("skip-check");
  if (int code = ResolveImages(ctx, client.value(), source, skip_check, request.value()); code != kExitOk) {
    return code;
  }

  faltrain::SubmitOptions submit;
  submit.webhook_url = args.ValueOr("webhook", "");
  submit.avatar_id = args.ValueOr("avatar", "");
  auto job = client.value().SubmitTraining(request.value(), submit);
  if (!job) return Report(ctx, job.error(), ExitCodeFor(job.error()));
  if (auto path = args.Value("save")) {
    if (auto written = WriteTextFile(*path, job.value().handle.ToJson()); !written) {
      return Report(ctx, written.error(), kExitInputError);
    }
  }
  PrintSubmitted(ctx, args, job.value(), request.value());
  if (!args.Has("wait")) return kExitOk;
  return WaitForTraining(ctx, args, client.value(), job.value().handle);
}

int RunStatus(Context& ctx, const ParsedArgs& args) {
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));
  auto handle = ResolveHandle(args, client.value());
  if (!handle) return Report(ctx, handle.error(), ExitCodeFor(handle.error()));
  auto status = client.value().GetStatus(handle.value(), /*with_logs=*/true);
  if (!status) return Report(ctx, status.error(), ExitCodeFor(status.error()));
  const auto& s = status.value();
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("request_id", s.request_id.empty() ? handle.value().request_id : s.request_id);
    f.SetString("endpoint_id", handle.value().endpoint_id);
    f.SetString("status", s.status_text);
    f.SetString("phase", PhaseName(s.phase));
    if (s.queue_position) f.SetInt("queue_position", *s.queue_position);
    if (s.inference_time) f.SetDouble("inference_time", *s.inference_time);
    std::vector<std::string> logs;
    for (const auto& log : s.logs) {
      faltrain::JsonFields l;
      l.SetString("message", log.message).SetString("level", log.level).SetString("timestamp", log.timestamp);
      logs.push_back(Object(l));
    }
    f.SetRaw("logs", Array(logs));
    if (!s.error.empty()) f.SetString("error", s.error);
    if (!s.error_type.empty()) f.SetString("error_type", s.error_type);
    PrintLine(Object(f));
  } else {
    std::string line = handle.value().request_id + ": " + s.status_text;
    if (s.queue_position) line += " (queue position " + std::to_string(*s.queue_position) + ")";
    PrintLine(line);
    std::size_t first = s.logs.size() > 10 ? s.logs.size() - 10 : 0;
    for (std::size_t i = first; i < s.logs.size(); ++i) PrintLine("  " + s.logs[i].message);
    if (!s.error.empty()) PrintLine("error: " + s.error + (s.error_type.empty() ? "" : " (" + s.error_type + ")"));
  }
  return s.error.empty() ? kExitOk : kExitRequestFailed;
}

int RunWatch(Context& ctx, const ParsedArgs& args) {
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));
  auto handle = ResolveHandle(args, client.value());
  if (!handle) return Report(ctx, handle.error(), ExitCodeFor(handle.error()));
  auto watch = WatchOptionsFor(ctx, args, client.value(), handle.value().endpoint_id);
  if (!watch) return Report(ctx, watch.error(), kExitUsage);
  ProgressView view(ProgressView::Detect(ctx.json, stdout), stdout, ctx.verbose);
  watch.value().on_progress = [&view](const faltrain::Progress& p) { view.Update(p); };
  auto json = client.value().WaitForResultJson(handle.value(), watch.value());
  view.Finish();
  if (!json) return Report(ctx, json.error(), ExitCodeFor(json.error()));
  if (!ctx.json) PrintLine("completed");
  return PrintResultJson(ctx, json.value(), args, "completed");
}

// `result` on a request that has not finished: says so, with its own exit code.
int ReportStillRunning(const Context& ctx, const faltrain::RequestHandle& handle, const faltrain::RequestStatus& s) {
  std::string where = s.status_text;
  if (s.queue_position) where += ", queue position " + std::to_string(*s.queue_position);
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("code", "still_running");
    f.SetString("request_id", handle.request_id);
    f.SetString("status", s.status_text);
    if (s.queue_position) f.SetInt("queue_position", *s.queue_position);
    f.SetString("message", "the request is still running; use `faltrain watch`");
    PrintLine(Object(f));
  }
  std::fprintf(stderr, "faltrain: %s is still running (%s) — use `faltrain watch` to follow it to the end\n",
               handle.request_id.c_str(), where.c_str());
  return kExitStillRunning;
}

int RunResult(Context& ctx, const ParsedArgs& args) {
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));
  auto handle = ResolveHandle(args, client.value());
  if (!handle) return Report(ctx, handle.error(), ExitCodeFor(handle.error()));
  // Ask where the request is first: fal's answer to a result GET before completion is not
  // documented, and "request failed" would be wrong for a training that is simply still running.
  auto status = client.value().GetStatus(handle.value(), /*with_logs=*/false);
  if (!status) return Report(ctx, status.error(), ExitCodeFor(status.error()));
  if (!status.value().terminal()) return ReportStillRunning(ctx, handle.value(), status.value());
  auto json = client.value().GetResultJson(handle.value());
  if (!json) return Report(ctx, json.error(), ExitCodeFor(json.error()));
  return PrintResultJson(ctx, json.value(), args, nullptr);
}

int RunCancel(Context& ctx, const ParsedArgs& args) {
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));
  auto handle = ResolveHandle(args, client.value());
  if (!handle) return Report(ctx, handle.error(), ExitCodeFor(handle.error()));
  auto outcome = client.value().Cancel(handle.value());
  if (!outcome) return Report(ctx, outcome.error(), ExitCodeFor(outcome.error()));
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("request_id", handle.value().request_id);
    f.SetString("outcome", OutcomeName(outcome.value()));
    PrintLine(Object(f));
  } else {
    switch (outcome.value()) {
      case faltrain::CancelOutcome::kRequested:
        PrintLine("cancellation requested for " + handle.value().request_id +
                  " (it may still run if it was about to start)");
        break;
      case faltrain::CancelOutcome::kAlreadyCompleted:
        PrintLine(handle.value().request_id + " had already completed; nothing to cancel");
        break;
      case faltrain::CancelOutcome::kCancelled:
        PrintLine("cancelled " + handle.value().request_id);
        break;
    }
  }
  return kExitOk;
}

int RunGenerate(Context& ctx, const ParsedArgs& args) {
  auto prompt = args.Value("prompt");
  if (!prompt || prompt->empty()) return Report(ctx, UsageError("generate needs --prompt"), kExitUsage);
  auto client = MakeClient(ctx);
  if (!client) return Report(ctx, client.error(), ExitCodeFor(client.error()));

  // What to generate with: a saved training output, a LoRA URL, a finetune id, or a handle.
  faltrain::TrainingOutput trained;
  if (auto path = args.Value("training")) {
    auto json = ReadTextFile(*path);
    if (!json) return Report(ctx, json.error(), kExitInputError);
    auto parsed = faltrain::TrainingOutput::Parse(json.value());
    if (!parsed) return Report(ctx, parsed.error(), kExitInputError);
    trained = std::move(parsed).value();
  } else if (auto lora = args.Value("lora")) {
    trained.kind = faltrain::OutputKind::kLoraFile;
    trained.lora_file = faltrain::FileRef{*lora, "", "", std::nullopt};
  } else if (auto finetune = args.Value("finetune")) {
    trained.kind = faltrain::OutputKind::kFinetuneId;
    trained.finetune_id = *finetune;
  } else if (!args.positional.empty()) {
    auto handle = ResolveHandle(args, client.value());
    if (!handle) return Report(ctx, handle.error(), ExitCodeFor(handle.error()));
    auto output = client.value().GetTrainingOutput(handle.value());
    if (!output) return Report(ctx, output.error(), ExitCodeFor(output.error()));
    trained = std::move(output).value();
  } else {
    return Report(ctx, UsageError("generate needs --training FILE, --lora URL, --finetune ID or a handle"),
                  kExitUsage);
  }

  faltrain::GenerateRequest request;
  request.prompt = *prompt;
  request.image_size = args.ValueOr("image-size", "");
  request.output_format = args.ValueOr("output-format", "");
  auto num = args.Integer("num-images");
  auto seed = args.Unsigned("seed");
  auto scale = args.Number("lora-scale");
  if (!num) return Report(ctx, num.error(), kExitUsage);
  if (!seed) return Report(ctx, seed.error(), kExitUsage);
  if (!scale) return Report(ctx, scale.error(), kExitUsage);
  if (num.value()) request.num_images = static_cast<int>(*num.value());
  if (seed.value()) request.seed = static_cast<std::uint64_t>(*seed.value());
  if (scale.value()) {
    request.lora_scale = *scale.value();
    request.finetune_strength = *scale.value();
  }

  faltrain::WatchOptions watch;
  watch.cancel = ctx.interrupt;
  watch.min_interval = std::chrono::milliseconds(500);
  auto images = client.value().Generate(trained, request, watch);
  if (!images) return Report(ctx, images.error(), ExitCodeFor(images.error()));
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("event", "generated");
    f.SetRaw("result", GenerationJson(images.value()));
    PrintLine(Object(f));
  } else {
    for (const auto& image : images.value().images) {
      PrintLine("image: " + image.url + " (" + std::to_string(image.width) + "x" +
                std::to_string(image.height) + ")");
    }
    if (!images.value().seed.empty()) PrintLine("seed:  " + images.value().seed);
  }
  return kExitOk;
}

// Headers as captured from a request: "Name: value" lines; a request line and blanks are skipped.
result<faltrain::HttpHeaders> ReadHeadersFile(const std::string& path) {
  FALTRAIN_TRY(auto text, ReadTextFile(path));
  faltrain::HttpHeaders headers;
  std::istringstream lines(text);
  std::string line;
  auto trim = [](std::string v) {
    auto first = v.find_first_not_of(" \t\r");
    auto last = v.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : v.substr(first, last - first + 1);
  };
  while (std::getline(lines, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.find(' ') < colon) continue;
    headers.Add(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return headers;
}

int RunVerifyWebhook(Context& ctx, const ParsedArgs& args) {
  auto headers_path = args.Value("headers");
  auto body_path = args.Value("body");
  if (!headers_path || !body_path) {
    return Report(ctx, UsageError("verify-webhook needs --headers FILE and --body FILE"), kExitUsage);
  }
  auto headers = ReadHeadersFile(*headers_path);
  if (!headers) return Report(ctx, headers.error(), kExitInputError);
  auto body = ReadTextFile(*body_path);  // the exact bytes: the signature covers them
  if (!body) return Report(ctx, body.error(), kExitInputError);

  std::shared_ptr<faltrain::JwksCache> keys;
  if (auto jwks_path = args.Value("jwks")) {
    auto jwks = ReadTextFile(*jwks_path);
    if (!jwks) return Report(ctx, jwks.error(), kExitInputError);
    auto cache = faltrain::JwksCache::StaticFromJwks(jwks.value());
    if (!cache) return Report(ctx, cache.error(), kExitInputError);
    keys = std::move(cache).value();
  } else {
    auto config = faltrain::ClientOptions::FromEnvironment();
    if (!config) return Report(ctx, config.error(), ExitCodeFor(config.error()));
    faltrain::JwksCacheOptions options;
    options.url = args.ValueOr("jwks-url", config.value().endpoints.jwks_url);
    faltrain::CurlTransportOptions transport_options;
    transport_options.user_agent = config.value().UserAgent();
    keys = faltrain::JwksCache::Fetching(
        std::make_shared<faltrain::CurlTransport>(transport_options), options);
  }
  faltrain::WebhookVerifierOptions options;
  options.pinned_user_id = args.ValueOr("user-id", "");
  auto tolerance = args.Integer("tolerance");
  if (!tolerance) return Report(ctx, tolerance.error(), kExitUsage);
  if (tolerance.value()) {
    if (*tolerance.value() <= 0) return Report(ctx, UsageError("--tolerance must be positive"), kExitUsage);
    options.tolerance = std::chrono::seconds(*tolerance.value());
  }
  faltrain::WebhookVerifier verifier(keys, options);
  auto event = verifier.VerifyAndParse(headers.value(), body.value());
  if (!event) {
    int code = event.error().code == errc::signature_invalid ? kExitSignatureInvalid
                                                             : ExitCodeFor(event.error());
    return Report(ctx, event.error(), code);
  }
  const auto& e = event.value();
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetBool("valid", true);
    f.SetString("request_id", e.request_id);
    f.SetString("status", e.status_text);
    f.SetBool("succeeded", e.succeeded());
    if (e.output) f.SetRaw("result", TrainingOutputJson(*e.output));
    if (!e.succeeded()) f.SetString("failure", e.FailureSummary());
    PrintLine(Object(f));
  } else {
    PrintLine("valid signature: webhook for " + e.request_id + ", status " + e.status_text);
    if (e.output) PrintTrainingOutput(ctx, *e.output, nullptr);
    if (!e.succeeded()) PrintLine("failure: " + e.FailureSummary());
  }
  return kExitOk;
}

int RunDemoPhotos(Context& ctx, const ParsedArgs& args) {
  if (args.positional.size() != 1) return Report(ctx, UsageError("demo-photos needs a DIR"), kExitUsage);
  auto count = args.Integer("count");
  if (!count) return Report(ctx, count.error(), kExitUsage);
  int n = count.value() ? static_cast<int>(*count.value()) : 12;
  if (n < 1 || n > 200) return Report(ctx, UsageError("--count must be 1..200"), kExitUsage);
  if (auto written = WriteDemoPhotos(args.positional.front(), n); !written) {
    return Report(ctx, written.error(), kExitInputError);
  }
  if (ctx.json) {
    faltrain::JsonFields f;
    f.SetString("dir", args.positional.front()).SetInt("count", n);
    PrintLine(Object(f));
  } else {
    PrintLine("wrote " + std::to_string(n) + " demo photos with captions to " + args.positional.front());
  }
  return kExitOk;
}

// ---- the command table --------------------------------------------------------------------------------

const OptionSpec kStyle{"style", true, "STYLE", "portrait (default) or artistic"};
const OptionSpec kPreset{"preset", true, "PRESET", "fast, balanced (default) or quality"};
const OptionSpec kEndpoint{"endpoint", true, "ID", "endpoint id, when giving a request id"};
const OptionSpec kTimeout{"timeout", true, "SECONDS", "give up waiting after this long (exit 4)"};
const OptionSpec kSteps{"steps", true, "N", "training steps (overrides the preset)"};
const OptionSpec kOutput{"output", true, "FILE", "also write the result JSON to FILE"};
const OptionSpec kCancelOnInterrupt{"cancel-on-interrupt", false, "",
                                    "cancel the fal request on Ctrl-C or --timeout"};
const OptionSpec kPoll{"poll-interval", true, "SECONDS", "first status poll interval (default 2)"};
const OptionSpec kPollOnly{"poll", false, "",
                           "poll the status instead of following fal's status stream (SSE)"};
const OptionSpec kTrainersFile{"trainers-file", true, "FILE",
                               "register more trainers from a JSON array of TrainerSpec objects"};

std::vector<OptionSpec> With(std::vector<OptionSpec> own) {
  own.insert(own.end(), GlobalOptions().begin(), GlobalOptions().end());
  return own;
}

}  // namespace

const std::vector<OptionSpec>& GlobalOptions() {
  static const std::vector<OptionSpec> options = {
      {"json", false, "", "machine-readable output: one JSON object per line"},
      {"verbose", false, "", "log requests and retries to stderr"},
  };
  return options;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"presets", "", "show the quality presets per style (steps, learning rate, time)",
       "The seed product's preset table, exactly, with each style's description.",
       With({{"style", true, "STYLE", "only this style"}}), RunPresets},
      {"trainers", "", "list the known trainers and which style uses which",
       "Built-in trainer specs (endpoint id, input fields, defaults, output kind).",
       With({kTrainersFile}), RunTrainers},
      {"train", "SOURCE", "start a training from a photo folder, a .zip or a URL",
       "SOURCE is a folder of .jpg/.jpeg/.png/.webp photos (captions in <stem>.txt beside them),\n"
       "a ready .zip, or the URL of one. Photos are checked, zipped and uploaded; the trainer\n"
       "comes from --style unless --trainer names one. Prints the request handle; --save keeps\n"
       "it in a file for status/watch/result/cancel/generate. --wait shows progress until done.",
       With({kStyle, kPreset, {"trainer", true, "ID", "trainer endpoint id (overrides --style)"},
             {"trigger", true, "TEXT", "trigger phrase (default: the trainer's)"}, kSteps,
             {"learning-rate", true, "RATE", "learning rate (overrides the preset)"},
             {"webhook", true, "URL", "webhook for this request (default FAL_WEBHOOK_URL)"},
             {"avatar", true, "ID", "avatar id (test mode names requests test_<id>_<hex>)"},
             {"save", true, "FILE", "write the request handle JSON to FILE"},
             {"wait", false, "", "wait for the result, showing progress"}, kTimeout, kPoll, kPollOnly,
             kCancelOnInterrupt, kOutput, kTrainersFile,
             {"dry-run", false, "", "print the input JSON that would be sent; send nothing"},
             {"skip-check", false, "", "upload a folder even if the photo check rejects it"}}),
       RunTrain},
      {"status", "HANDLE", "show a request's status, queue position and recent logs",
       "HANDLE is a handle file from `train --save`, or a request id with --endpoint.\n"
       "Exits 3 when the request completed with an error.",
       With({kEndpoint}), RunStatus},
      {"watch", "HANDLE", "follow a request until it finishes, with a live progress bar",
       "On a terminal: a progress bar with phase, percentage, queue position and ETA, redrawn\n"
       "in place. Otherwise: one plain line per change (or JSON lines with --json). Then the\n"
       "result, as `result` prints it. Follows fal's status stream, polling when it is refused\n"
       "or fails (--poll: always poll).",
       With({kEndpoint, kStyle, kPreset, kSteps, kTimeout, kPoll, kPollOnly, kCancelOnInterrupt, kOutput}),
       RunWatch},
      {"result", "HANDLE", "print a finished request's output",
       "A training output is shown as its LoRA file / config / finetune id; other outputs as JSON.\n"
       "Exits 8 when the request is still running (use `watch`), 3 when it failed on fal.",
       With({kEndpoint, kOutput}), RunResult},
      {"cancel", "HANDLE", "ask fal to cancel a request",
       "Prints whether cancellation was requested or the request had already completed.",
       With({kEndpoint}), RunCancel},
      {"generate", "[HANDLE]", "generate images with a trained avatar",
       "The avatar is a training output file (--training, as written by --output), a LoRA URL,\n"
       "a finetune id, or the handle of a finished training.",
       With({{"prompt", true, "TEXT", "what to draw (include the trigger phrase)"},
             {"training", true, "FILE", "training output JSON (from train --wait --output)"},
             {"lora", true, "URL", "LoRA weights URL"},
             {"finetune", true, "ID", "flux-pro finetune id"}, kEndpoint,
             {"num-images", true, "N", "images to generate (default 1)"},
             {"seed", true, "N", "seed"},
             {"image-size", true, "SIZE", "square_hd, landscape_4_3, portrait_16_9, ..."},
             {"output-format", true, "FMT", "jpeg or png"},
             {"lora-scale", true, "X", "LoRA scale / finetune strength (default 1.0)"}}),
       RunGenerate},
      {"verify-webhook", "", "check a fal webhook's signature and decode it",
       "Verifies fal's Ed25519 signature over the exact body bytes (headers X-Fal-Webhook-*,\n"
       "timestamp within the tolerance) against the JWKS keys, then decodes the payload.\n"
       "Exits 7 when the signature does not verify.",
       With({{"headers", true, "FILE", "request headers, one \"Name: value\" per line"},
             {"body", true, "FILE", "the raw request body"},
             {"jwks", true, "FILE", "signing keys from a JWKS file (default: fetch FALTRAIN_JWKS_URL)"},
             {"jwks-url", true, "URL", "fetch the signing keys from this URL"},
             {"user-id", true, "ID", "require this X-Fal-Webhook-User-Id"},
             {"tolerance", true, "SECONDS", "allowed clock difference (default 300)"}}),
       RunVerifyWebhook},
      {"demo-photos", "DIR", "write small generated portrait PNGs (with captions) for demos",
       "Creates DIR/portrait_NN.png and DIR/portrait_NN.txt; no network, no input files.",
       With({{"count", true, "N", "how many (default 12)"}}), RunDemoPhotos},
#ifdef FALTRAIN_CLI_WITH_PREFLIGHT
      CheckCommand(),
#endif
  };
  return commands;
}

std::string MainHelpFooter() {
  return
      "environment:\n"
      "  FAL_KEY (or FAL_KEY_ID + FAL_KEY_SECRET, or FAL_API_KEY)   fal API key\n"
      "  AVATAR_TEST_MODE=true        use the built-in offline simulator (no key, no network)\n"
      "  FAL_MOCK_TRAINING_DURATION   simulated training seconds in test mode\n"
      "  FAL_WEBHOOK_URL              default webhook for submissions\n"
      "  FALTRAIN_QUEUE_URL, FALTRAIN_REST_URL   other fal hosts (a local simulator, a proxy)\n"
      "\nexit codes:\n"
      "  0 ok   1 usage error   2 fal/network/configuration error   3 the request failed on fal\n"
      "  4 --timeout passed     5 interrupted (Ctrl-C)               6 local photos/files unusable\n"
      "  7 webhook signature invalid   8 still running (`result` before the request finished)\n";
}

int ExitCodeFor(const faltrain::error& e) {
  switch (e.code) {
    case errc::invalid_argument: return kExitUsage;
    case errc::request_failed: return kExitRequestFailed;
    case errc::deadline_exceeded: return kExitTimedOut;
    case errc::cancelled: return kExitInterrupted;
    case errc::io_error:
    case errc::payload_too_large: return kExitInputError;
    default: return kExitApiError;
  }
}

int Report(const Context& ctx, const faltrain::error& e, int exit_code) {
  if (ctx.json) {
    PrintLine(ErrorJson(e));
  }
  std::fprintf(stderr, "faltrain: %s\n", e.to_string().c_str());
  return exit_code;
}

}  // namespace faltrain_cli
