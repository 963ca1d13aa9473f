#include "demo_story.hpp"

#include "demo_photo_check.hpp"

// Reused from the CLI (compiled into this program too): the generated portraits and the progress
// bar, so the demo and `faltrain train --wait` look and behave alike.
#include "demo_photos.hpp"
#include "progress_view.hpp"

#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/outputs.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/webhooks/event.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <cstdlib>
#include <fstream>
#include <thread>

namespace faltrain_demo {
namespace {

using Steady = std::chrono::steady_clock;

// A product's API key would go here; the simulator accepts any "id:secret".
constexpr const char* kDummyKey = "demo:demo";
constexpr const char* kUserId = "demo-user";

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s);
  return buf;
}

std::string FormatBytes(std::size_t n) {
  char buf[32];
  if (n < 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%zu bytes", n);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f KiB", n / 1024.0);
  }
  return buf;
}

faltrain::error WithContext(faltrain::error e, const std::string& context) {
  e.message = context + ": " + e.message;
  return e;
}

}  // namespace

DemoStory::DemoStory(DemoOptions options, faltrain::CancelToken cancel, std::FILE* out)
    : options_(std::move(options)), cancel_(cancel), out_(out) {}

void DemoStory::Step(const std::string& text) const {
  std::fprintf(out_, "\n==> %s\n", text.c_str());
  std::fflush(out_);
}

std::chrono::milliseconds DemoStory::Remaining() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(started_ + options_.timeout - Steady::now());
  return std::max(left, std::chrono::milliseconds(1));
}

double DemoStory::SecondsSince(Steady::time_point t) const {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

int DemoStory::Run() {
  started_ = Steady::now();
  std::fprintf(out_,
               "faltrain demo: train an avatar end to end against fal simulated on 127.0.0.1\n"
               "(no key, no network; every call goes over HTTP through faltrain's public API)\n");
  auto story = Story();
  const bool interrupted = cancel_.cancelled();
  if (!story || interrupted) Step(interrupted ? "Interrupted: stopping what the demo started" : "Stopping");
  // Idle keep-alive connections to the simulator would hold up its shutdown: close them first.
  client_.reset();
  transport_.reset();
  store_.reset();
  const auto stopping = Steady::now();
  const bool clean_stop = StopPrograms();
  facts_.t_stop = SecondsSince(stopping);
  facts_.t_total = SecondsSince(started_);

  const bool ok = story && clean_stop && !interrupted;
  if (ok) PrintSummary();
  if (!ok && !interrupted) {
    if (story) {
      std::fprintf(out_, "demo: FAILED: a program did not stop cleanly (simulator %s, receiver %s)\n",
                   facts_.sim_exit.c_str(), facts_.receiver_exit.c_str());
    } else {
      std::fprintf(out_, "demo: FAILED while %s: %s\n", failed_step_.c_str(), story.error().to_string().c_str());
    }
    for (const ChildProcess* child : {&sim_, &receiver_}) {
      if (child->err_path().empty()) continue;
      std::string tail = child->ErrTail();
      if (!tail.empty()) std::fprintf(out_, "  last lines of %s:\n%s", child->err_path().c_str(), tail.c_str());
    }
    if (!work_dir_.empty()) std::fprintf(out_, "  job store and logs kept in %s\n", work_dir_.c_str());
    std::fflush(out_);
    return 2;
  }
  if (interrupted) {
    std::fprintf(out_, "demo: interrupted while %s; stopped the simulator (%s) and the receiver (%s)\n",
                 failed_step_.c_str(), facts_.sim_exit.c_str(), facts_.receiver_exit.c_str());
  }
  if (own_work_dir_ && !options_.keep_work_dir) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
  } else if (!work_dir_.empty()) {
    std::fprintf(out_, "  work directory kept: %s\n", work_dir_.c_str());
  }
  if (ok) std::fprintf(out_, "demo: OK\n");
  std::fflush(out_);
  return ok ? 0 : 130;
}

faltrain::result<void> DemoStory::Story() {
  failed_step_ = "preparing the work directory";
  FALTRAIN_TRYV(PrepareWorkDir());
  auto t = Steady::now();
  failed_step_ = "starting the fal simulator";
  FALTRAIN_TRYV(StartSimulator());
  failed_step_ = "starting the webhook receiver";
  FALTRAIN_TRYV(StartReceiver());
  failed_step_ = "connecting to the simulator and the job store";
  FALTRAIN_TRYV(ConnectClientAndStore());
  facts_.t_start = SecondsSince(t);

  t = Steady::now();
  failed_step_ = "preparing and uploading the photos";
  FALTRAIN_TRYV(UploadPhotos());
  facts_.t_upload = SecondsSince(t);

  t = Steady::now();
  failed_step_ = "submitting the training";
  FALTRAIN_TRY(auto job, SubmitTraining());
  failed_step_ = "training";
  FALTRAIN_TRYV(FollowTraining(job));
  facts_.t_training = SecondsSince(t);

  t = Steady::now();
  failed_step_ = "waiting for the signed webhook";
  FALTRAIN_TRY(auto from_webhook, AwaitWebhook());
  facts_.t_webhook = SecondsSince(t);

  t = Steady::now();
  failed_step_ = "generating an image";
  FALTRAIN_TRYV(GenerateImage(from_webhook));
  facts_.t_generate = SecondsSince(t);
  failed_step_ = "stopping the programs";
  return faltrain::success();
}

faltrain::result<void> DemoStory::PrepareWorkDir() {
  std::error_code ec;
  if (!options_.work_dir.empty()) {
    work_dir_ = options_.work_dir;
    std::filesystem::create_directories(work_dir_, ec);
    if (ec) return faltrain::fail(faltrain::errc::io_error, "cannot create " + work_dir_.string() + ": " + ec.message());
    // A job store left by an earlier run would hold its jobs too; start from a clean one.
    for (const char* name : {"jobs.db", "jobs.db-wal", "jobs.db-shm"}) std::filesystem::remove(work_dir_ / name, ec);
    return faltrain::success();
  }
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "faltrain-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return faltrain::fail(faltrain::errc::io_error, "cannot create a temporary directory " + pattern);
  }
  work_dir_ = pattern;
  own_work_dir_ = true;
  return faltrain::success();
}

faltrain::result<void> DemoStory::StartSimulator() {
  FALTRAIN_TRY(auto binary, LocateProgram(options_.sim_binary, "faltrain-sim", "faltrain_sim"));
  char duration[32];
  std::snprintf(duration, sizeof duration, "%g", options_.training_seconds);
  Step(std::string("Starting fal, simulated: faltrain-sim (training ") + duration + " s, signed webhooks on)");
  FALTRAIN_TRYV(sim_.Start(binary, {"--port", "0", "--duration", duration, "--webhooks"}, {}, work_dir_ / "faltrain-sim"));
  auto url = sim_.WaitForListeningUrl(std::chrono::seconds(20), cancel_);
  if (!url) return faltrain::fail(WithContext(url.error(), binary.string()));
  facts_.sim_url = url.value();
  std::fprintf(out_, "    %s  (pid %d, log %s)\n", facts_.sim_url.c_str(), static_cast<int>(sim_.pid()),
               sim_.err_path().c_str());
  return faltrain::success();
}

faltrain::result<void> DemoStory::StartReceiver() {
  FALTRAIN_TRY(auto binary,
               LocateProgram(options_.receiver_binary, "faltrain-webhook-receiver", "webhook_receiver"));
  facts_.db_path = work_dir_ / "jobs.db";
  const std::string jwks = facts_.sim_url + "/.well-known/jwks.json";
  Step("Starting the webhook receiver: faltrain-webhook-receiver (keys from the simulator's JWKS)");
  // Its own client (for results a webhook could not carry) talks to the simulator too, never to fal,
  // whatever this shell has configured.
  const std::map<std::string, std::string> env = {
      {"FAL_KEY", kDummyKey}, {"FAL_KEY_ID", ""}, {"FAL_KEY_SECRET", ""}, {"FAL_API_KEY", ""},
      {"AVATAR_TEST_MODE", ""}, {"FALTRAIN_QUEUE_URL", facts_.sim_url},
      {"FALTRAIN_REST_URL", facts_.sim_url}, {"FALTRAIN_JWKS_URL", jwks},
      {"FALTRAIN_DATABASE_URL", ""}, {"FALTRAIN_WEBHOOK_DB", ""}, {"FALTRAIN_WEBHOOK_PORT", ""},
      {"FALTRAIN_WEBHOOK_PATH", ""}, {"FALTRAIN_WEBHOOK_USER_ID", ""}, {"FALTRAIN_NOTIFY_COMMAND", ""},
      {"FALTRAIN_RECONCILE_AFTER", ""}};
  FALTRAIN_TRYV(receiver_.Start(binary, {"--port", "0", "--db", facts_.db_path.string(), "--jwks-url", jwks}, env,
                                work_dir_ / "faltrain-webhook-receiver"));
  auto url = receiver_.WaitForListeningUrl(std::chrono::seconds(20), cancel_);
  if (!url) return faltrain::fail(WithContext(url.error(), binary.string()));
  facts_.webhook_url = url.value();
  std::fprintf(out_, "    %s  (pid %d, job store %s)\n", facts_.webhook_url.c_str(),
               static_cast<int>(receiver_.pid()), facts_.db_path.c_str());
  return faltrain::success();
}

faltrain::result<void> DemoStory::ConnectClientAndStore() {
  faltrain::ClientOptions config;
  config.api_key = kDummyKey;
  config.endpoints.queue_url = facts_.sim_url;
  config.endpoints.rest_url = facts_.sim_url;
  config.endpoints.jwks_url = facts_.sim_url + "/.well-known/jwks.json";
  config.connect_timeout = std::chrono::seconds(5);
  config.request_timeout = std::chrono::seconds(30);
  config.user_agent_suffix = "faltrain-demo";
  faltrain::CurlTransportOptions transport_options;
  transport_options.connect_timeout = config.connect_timeout;
  transport_options.request_timeout = config.request_timeout;
  transport_options.user_agent = config.UserAgent();
  transport_ = std::make_shared<faltrain::CurlTransport>(transport_options);
  FALTRAIN_TRY(auto client, faltrain::TrainingClient::Create(config, transport_));
  client_.emplace(std::move(client));
  // The same store the receiver writes: a product creates the avatar's job, the receiver finishes it.
  FALTRAIN_TRY(store_, faltrain::OpenSqliteJobStore(facts_.db_path));
  return faltrain::success();
}

faltrain::result<void> DemoStory::UploadPhotos() {
  std::filesystem::path photos = options_.photos_dir;
  const std::string count = std::to_string(options_.photo_count);
  if (photos.empty()) {
    photos = work_dir_ / "photos";
    // Real photos pass the check below; the generated ones (96x96, drawn) would not.
    auto real = WriteRealPortraits(photos, options_.photo_count);
    if (real) {
      Step("Photos: " + count + " real portraits (python3-skimage's public-domain astronaut photo, "
           "each cropped and mirrored differently)");
    } else {
      Step("Photos: " + count + " generated portraits (PNG, with captions)");
      if (real.error().code != faltrain::errc::unsupported) {
        std::fprintf(out_, "    (no real photos: %s)\n", real.error().message.c_str());
      }
      FALTRAIN_TRYV(faltrain_cli::WriteDemoPhotos(photos, options_.photo_count));
    }
  } else {
    Step("Photos: " + photos.string());
  }
  faltrain::TrainingSet set;
  FALTRAIN_TRYV(set.AddDirectory(photos));
  facts_.photo_count = set.images().size();
  facts_.photo_bytes = set.total_bytes();
  FALTRAIN_TRYV(CheckPhotosBeforeTraining(set));
  // Validated against the trainer the style selects (the portrait trainer wants at least 10).
  FALTRAIN_TRY(facts_.images_url, client_->UploadTrainingSet(set, options_.style));
  std::fprintf(out_, "    %zu photos, %s, zipped and uploaded: %s\n", facts_.photo_count,
               FormatBytes(facts_.photo_bytes).c_str(), facts_.images_url.c_str());
  return faltrain::success();
}

faltrain::result<void> DemoStory::CheckPhotosBeforeTraining(const faltrain::TrainingSet& set) {
  if (!PhotoChecksBuilt()) return faltrain::success();
  FALTRAIN_TRY(auto trainer, client_->trainers().ForStyle(options_.style));
  Step("Checking the photos before paying for a training (faltrain::preflight, as `faltrain check`)");
  FALTRAIN_TRY(auto outcome, CheckPhotos(out_, set, trainer));
  facts_.photo_check = outcome.summary;
  if (!outcome.usable) {
    std::fprintf(out_, "    a product stops here (`faltrain train` refuses such a set unless --skip-check);\n"
                       "    the demo goes on with it to show the rest\n");
  }
  Step("Zipping and uploading the photos");
  return faltrain::success();
}

faltrain::result<faltrain::TrainingJob> DemoStory::SubmitTraining() {
  FALTRAIN_TRY(facts_.trainer, client_->trainers().ForStyle(options_.style));
  facts_.preset = faltrain::GetPreset(options_.style, options_.preset);
  // The job row exists before the submission, so even an instant webhook finds its avatar.
  FALTRAIN_TRY(auto job, store_->CreateJob({kUserId, options_.avatar_name, std::string(to_string(options_.style)),
                                            std::string(to_string(options_.preset)), facts_.trainer.endpoint_id}));
  facts_.job_id = job.id;
  Step("Training avatar \"" + options_.avatar_name + "\" (job #" + std::to_string(job.id) + ", " +
       std::string(to_string(options_.style)) + " style -> " + facts_.trainer.endpoint_id + ", preset " +
       std::string(to_string(options_.preset)) + ": " + std::to_string(facts_.preset.steps) + " steps)");
  faltrain::TrainingRequest request;
  request.images_url = facts_.images_url;
  request.style = options_.style;
  request.preset = options_.preset;
  faltrain::SubmitOptions submit;
  submit.webhook_url = facts_.webhook_url;
  submit.avatar_id = std::to_string(job.id);
  auto submitted = client_->SubmitTraining(request, submit);
  if (!submitted) {
    (void)store_->Finish(job.id, {faltrain::JobStatus::kFailed, "", submitted.error().message});
    return faltrain::fail(submitted.error());
  }
  facts_.request_id = submitted.value().handle.request_id;
  FALTRAIN_TRYV(store_->MarkTraining(job.id, submitted.value().handle));
  std::fprintf(out_, "    request %s, webhook %s; job #%lld is TRAINING\n", facts_.request_id.c_str(),
               facts_.webhook_url.c_str(), static_cast<long long>(job.id));
  std::fflush(out_);
  return submitted;
}

faltrain::result<faltrain::TrainingOutput> DemoStory::FollowTraining(const faltrain::TrainingJob& job) {
  faltrain_cli::ProgressView view(faltrain_cli::ProgressView::Detect(false, out_), out_);
  faltrain::WatchOptions watch;
  watch.min_interval = std::chrono::milliseconds(500);
  watch.max_interval = std::chrono::seconds(1);
  watch.timeout = Remaining();
  watch.cancel = cancel_;
  // The simulator's run time is known here; fal's would be the preset's estimate.
  watch.estimate = std::chrono::milliseconds(static_cast<long long>(options_.training_seconds * 1000));
  const std::int64_t job_id = facts_.job_id;
  watch.on_progress = [&view, this, job_id](const faltrain::Progress& p) {
    view.Update(p);
    // Progress lives in the store too, where a bot's "status" command would read it.
    if (p.phase == faltrain::RequestPhase::kInProgress) (void)store_->UpdateProgress(job_id, p.percent / 100.0);
  };
  auto output = client_->Wait(job, watch);
  view.Finish();
  if (!output) return output;
  if (!output.value().lora_file && output.value().finetune_id.empty()) {
    return faltrain::fail(faltrain::errc::malformed_response, "the training produced neither a LoRA nor a finetune");
  }
  facts_.lora_url = output.value().lora_file ? output.value().lora_file->url : "finetune " + output.value().finetune_id;
  std::fprintf(out_, "    fal says COMPLETED; %s: %s\n", output.value().lora_file ? "LoRA weights" : "finetune",
               output.value().lora_file ? output.value().lora_file->url.c_str() : output.value().finetune_id.c_str());
  return output;
}

faltrain::result<faltrain::TrainingOutput> DemoStory::AwaitWebhook() {
  Step("Waiting for the receiver to verify fal's signed webhook and finish job #" + std::to_string(facts_.job_id));
  faltrain::Job job;
  while (true) {
    FALTRAIN_TRY(job, store_->FindJob(facts_.job_id));
    if (faltrain::IsFinal(job.status)) break;
    if (cancel_.cancelled()) return faltrain::fail(faltrain::errc::cancelled, "interrupted");
    if (Steady::now() > started_ + options_.timeout) {
      return faltrain::fail(faltrain::errc::deadline_exceeded,
                            "no webhook within --timeout; job #" + std::to_string(job.id) + " is still " +
                                std::string(to_string(job.status)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  facts_.job_status = std::string(to_string(job.status));
  // Only a webhook whose Ed25519 signature verified against the JWKS reaches the inbox.
  FALTRAIN_TRY(auto event, store_->FindWebhook(facts_.request_id));
  facts_.webhook_user_id = event.user_id;
  facts_.inbox_note = event.processing_note;
  FALTRAIN_TRY(auto parsed, faltrain::WebhookEvent::Parse(event.body));
  facts_.webhook_status = parsed.status_text;
  std::fprintf(out_, "    webhook for %s: signature verified, recorded, %s (status %s); job #%lld is %s\n",
               facts_.request_id.c_str(), event.processed ? event.processing_note.c_str() : "not processed",
               parsed.status_text.c_str(), static_cast<long long>(job.id), facts_.job_status.c_str());
  if (job.status != faltrain::JobStatus::kCompleted) {
    return faltrain::fail(faltrain::errc::request_failed,
                          "the avatar ended " + facts_.job_status + (job.error.empty() ? "" : ": " + job.error));
  }
  // What the product uses from now on is what the webhook delivered; it must be what fal returned.
  FALTRAIN_TRY(auto stored, faltrain::TrainingOutput::Parse(job.output_json));
  const std::string stored_lora = stored.lora_file ? stored.lora_file->url : "finetune " + stored.finetune_id;
  if (stored_lora != facts_.lora_url) {
    return faltrain::fail(faltrain::errc::malformed_response,
                          "the webhook's output (" + stored_lora + ") differs from fal's result (" + facts_.lora_url + ")");
  }
  return stored;
}

faltrain::result<void> DemoStory::GenerateImage(const faltrain::TrainingOutput& trained) {
  faltrain::GenerateRequest request;
  const std::string trigger = facts_.trainer.default_trigger.empty() ? "ohwx person" : facts_.trainer.default_trigger;
  request.prompt = options_.prompt.empty() ? "photo of " + trigger + " as an astronaut, studio light" : options_.prompt;
  request.seed = 42;
  Step("Generating an image with the trained avatar: \"" + request.prompt + "\"");
  faltrain::WatchOptions watch;
  watch.min_interval = std::chrono::milliseconds(250);
  watch.max_interval = std::chrono::seconds(1);
  watch.timeout = Remaining();
  watch.cancel = cancel_;
  FALTRAIN_TRY(auto generated, client_->Generate(trained, request, watch));
  if (generated.images.empty()) return faltrain::fail(faltrain::errc::malformed_response, "no image came back");
  const auto& image = generated.images.front();
  facts_.image_url = image.url;
  facts_.image_width = image.width;
  facts_.image_height = image.height;
  // Fetch it, as a product would to show it, and check it really is an image.
  faltrain::HttpRequest get;
  get.url = image.url;
  FALTRAIN_TRY(auto response, transport_->Send(get));
  if (response.status != 200) {
    return faltrain::fail(faltrain::errc::http_error, "downloading " + image.url + ": HTTP " + std::to_string(response.status));
  }
  facts_.image_type = std::string(faltrain::DetectImageType(response.body));
  facts_.image_bytes = response.body.size();
  if (facts_.image_type.empty()) {
    return faltrain::fail(faltrain::errc::malformed_response, image.url + " is not a JPEG, PNG or WebP image");
  }
  std::fprintf(out_, "    %s (%s, %dx%d, %s)\n", image.url.c_str(), facts_.image_type.c_str(), image.width,
               image.height, FormatBytes(facts_.image_bytes).c_str());
  if (!options_.image_out.empty()) {
    std::ofstream file(options_.image_out, std::ios::binary | std::ios::trunc);
    file << response.body;
    if (!file) return faltrain::fail(faltrain::errc::io_error, "cannot write " + options_.image_out.string());
    std::fprintf(out_, "    saved to %s\n", options_.image_out.c_str());
  }
  return faltrain::success();
}

bool DemoStory::StopPrograms() {
  auto describe = [](const ChildProcess& child, int code) {
    if (child.err_path().empty()) return std::string("not started");
    return "exit " + std::to_string(code);
  };
  const bool receiver_started = !receiver_.err_path().empty();
  const bool sim_started = !sim_.err_path().empty();
  // The simulator first: its webhook sender holds a keep-alive connection to the receiver, which
  // would otherwise wait for it to idle out. The receiver then finishes recorded work and exits.
  const int sim_code = sim_.Stop();
  const int receiver_code = receiver_.Stop();
  facts_.receiver_exit = describe(receiver_, receiver_code);
  facts_.sim_exit = describe(sim_, sim_code);
  return (!receiver_started || receiver_code == 0) && (!sim_started || sim_code == 0);
}

void DemoStory::PrintSummary() const {
  Step("Summary");
  auto line = [this](const char* label, const std::string& value) {
    std::fprintf(out_, "  %-18s %s\n", label, value.c_str());
  };
  line("avatar:", "\"" + options_.avatar_name + "\" (job #" + std::to_string(facts_.job_id) + " of user " + kUserId +
                      ", " + std::string(to_string(options_.style)) + " style)");
  line("trainer:", facts_.trainer.endpoint_id + " (auto-selected for the " + std::string(to_string(options_.style)) +
                       " style)");
  const auto& p = facts_.preset;
  line("preset:", std::string(to_string(p.preset)) + " (" + std::to_string(p.steps) + " steps, learning rate " +
                      std::string(p.learning_rate_text) + "; on fal " + std::to_string(p.estimate.min.count()) + "-" +
                      std::to_string(p.estimate.max.count()) + " min)");
  line("photos:", std::to_string(facts_.photo_count) + " (" + FormatBytes(facts_.photo_bytes) + ") -> " + facts_.images_url);
  if (!facts_.photo_check.empty()) line("photo check:", facts_.photo_check);
  line("request id:", facts_.request_id);
  if (facts_.lora_url.rfind("finetune ", 0) == 0) {
    line("finetune:", facts_.lora_url.substr(9));
  } else {
    line("LoRA:", facts_.lora_url);
  }
  line("webhook:", "verified (Ed25519, JWKS " + facts_.sim_url + "/.well-known/jwks.json), status " +
                       facts_.webhook_status + ", user " + facts_.webhook_user_id + ", " + facts_.inbox_note);
  const bool store_kept = !own_work_dir_ || options_.keep_work_dir;
  line("job in the store:", facts_.job_status + (store_kept ? " (" + facts_.db_path.string() + ")" : " (SQLite, read back by the demo)"));
  line("image:", facts_.image_url + " (" + facts_.image_type + ", " + std::to_string(facts_.image_width) + "x" +
                     std::to_string(facts_.image_height) + ", " + FormatBytes(facts_.image_bytes) + ")");
  line("timings:", "start " + FormatSeconds(facts_.t_start) + ", photos+upload " + FormatSeconds(facts_.t_upload) +
                       ", training " + FormatSeconds(facts_.t_training) + ", webhook +" +
                       FormatSeconds(facts_.t_webhook) + ", image " + FormatSeconds(facts_.t_generate) +
                       ", stop " + FormatSeconds(facts_.t_stop) + ", total " + FormatSeconds(facts_.t_total));
  line("stopped:", "faltrain-sim (" + facts_.sim_exit + "), faltrain-webhook-receiver (" + facts_.receiver_exit + ")");
  std::fflush(out_);
}

}  // namespace faltrain_demo
