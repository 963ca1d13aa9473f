#include "training_service.hpp"

#include "data_uri.hpp"

#include <faltrain/client/training_set.hpp>
#include <faltrain/jobs/submission.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace faltrain_bot {
namespace {

using faltrain::errc;
using faltrain::JobStatus;

constexpr faltrain::TrainingSetOptions kLimits{};
constexpr std::chrono::milliseconds kTick{500};

faltrain::WatchOptions MonitorOptions(std::chrono::milliseconds interval) {
  faltrain::WatchOptions options;
  options.min_interval = interval;
  options.max_interval = interval * 12;
  return options;
}

}  // namespace

TrainingService::TrainingService(faltrain::TrainingClient client, faltrain::TrainingClient generator,
                                 std::shared_ptr<faltrain::JobStore> jobs,
                                 std::shared_ptr<faltrain::Transport> files,
                                 std::chrono::milliseconds poll_interval, BotLog& log)
    : client_(client), generator_(std::move(generator)), jobs_(std::move(jobs)), files_(std::move(files)), log_(log),
      monitor_(client, MonitorOptions(poll_interval)) {}

TrainingService::~TrainingService() { Stop(); }

faltrain::TrainingJob TrainingService::TrainingJobOf(const faltrain::Job& job) {
  faltrain::TrainingJob training;
  training.handle = job.handle;
  auto style = faltrain::ParseAvatarStyle(job.style);
  auto preset = faltrain::ParseQualityPreset(job.preset);
  training.style = style ? style.value() : faltrain::AvatarStyle::kPortrait;
  training.preset = preset ? preset.value() : faltrain::QualityPreset::kBalanced;
  auto spec = client_.trainers().Find(job.trainer);
  if (spec) training.trainer = spec.value();
  auto row = faltrain::GetPreset(training.style, training.preset);
  training.steps = row.steps;
  training.estimate = row.estimate;
  return training;
}

void TrainingService::Start(const std::vector<std::int64_t>& job_ids, std::function<void()> on_tick) {
  on_tick_ = std::move(on_tick);
  for (std::int64_t id : job_ids) {
    auto job = jobs_->FindJob(id);
    if (job && job.value().status == JobStatus::kTraining) {
      log_.Info(fmt::format("resuming job {} ({})", id, job.value().handle.request_id));
      Watch(TrainingJobOf(job.value()), id);
    }
  }
  watcher_ = std::thread([this] { RunWatcher(); });
}

void TrainingService::Stop() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    wake_now_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void TrainingService::RunWatcher() {
  while (!stopping_) {
    if (reconciler_ && std::chrono::steady_clock::now() - last_reconcile_ >= reconcile_every_) {
      last_reconcile_ = std::chrono::steady_clock::now();
      if (auto r = reconciler_->RunOnce(); !r) log_.Error("reconciler: " + r.error().message);
    }
    auto next = monitor_.PollDue();
    if (on_tick_) on_tick_();
    auto until = std::chrono::steady_clock::now() + kTick;
    if (next && *next < until) until = *next;
    std::unique_lock<std::mutex> lock(wake_mu_);
    wake_.wait_until(lock, until, [this] { return wake_now_; });
    wake_now_ = false;
  }
}

void TrainingService::Watch(const faltrain::TrainingJob& training, std::int64_t job_id) {
  faltrain::JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [this, job_id](const faltrain::RequestHandle&, const faltrain::Progress& p) {
    auto updated = jobs_->UpdateProgress(job_id, p.percent / 100.0);
    if (!updated) log_.Warn(fmt::format("job {}: progress not saved: {}", job_id, updated.error().message));
  };
  callbacks.on_done = [this, job_id, training](const faltrain::RequestHandle&,
                                               faltrain::result<faltrain::TrainingOutput> outcome) {
    OnDone(job_id, training, std::move(outcome));
  };
  monitor_.Add(training, std::move(callbacks));
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    wake_now_ = true;
  }
  wake_.notify_all();
}

void TrainingService::OnDone(std::int64_t job_id, const faltrain::TrainingJob& training,
                             faltrain::result<faltrain::TrainingOutput> outcome) {
  faltrain::JobOutcome final_outcome;
  if (outcome) {
    final_outcome = {JobStatus::kCompleted, outcome.value().raw_json, ""};
  } else if (outcome.error().code == errc::request_failed || outcome.error().code == errc::not_found ||
             outcome.error().code == errc::validation_failed) {
    final_outcome = {JobStatus::kFailed, "", outcome.error().message};
  } else {
    // A transient failure (network, fal 5xx, ...): keep watching; the job is still running.
    log_.Warn(fmt::format("job {}: polling failed, watching it again: {}", job_id,
                          outcome.error().to_string()));
    if (!stopping_) Watch(training, job_id);
    return;
  }
  auto changed = jobs_->Finish(job_id, final_outcome);
  if (!changed) {
    log_.Error(fmt::format("job {}: recording its outcome failed: {}", job_id, changed.error().message));
    return;
  }
  log_.Info(fmt::format("job {} is {}{}", job_id, faltrain::to_string(final_outcome.status),
                        changed.value() ? "" : " (already recorded, e.g. by the webhook receiver)"));
}

faltrain::result<faltrain::TrainerSpec> TrainingService::TrainerFor(faltrain::AvatarStyle style) {
  return client_.trainers().ForStyle(style);
}

std::size_t TrainingService::RequiredPhotos(faltrain::AvatarStyle style) {
  auto spec = client_.trainers().ForStyle(style);
  return std::max(kLimits.min_images, spec ? spec.value().min_images : std::size_t{1});
}

std::size_t TrainingService::MaxPhotos() const { return kLimits.max_images; }
std::size_t TrainingService::MaxPhotoBytes() const { return kLimits.max_image_bytes; }

faltrain::result<void> TrainingService::CheckPhoto(std::string_view bytes) const {
  if (bytes.size() > kLimits.max_image_bytes) {
    return faltrain::fail(errc::payload_too_large, "photo too large");
  }
  if (faltrain::DetectImageType(bytes).empty()) {
    return faltrain::fail(errc::invalid_argument, "not a JPEG, PNG or WebP image");
  }
  return faltrain::success();
}

std::string TrainingService::TrainerName(const std::string& endpoint_id) {
  auto spec = client_.trainers().Find(endpoint_id);
  if (spec && !spec.value().display_name.empty()) return spec.value().display_name;
  return endpoint_id;
}

faltrain::result<faltrain::Job> TrainingService::Submit(
    const Draft& draft, const std::vector<StoredPhoto>& photos,
    const std::function<faltrain::result<void>(std::int64_t)>& on_created) {
  FALTRAIN_TRY(auto style, faltrain::ParseAvatarStyle(draft.style));
  FALTRAIN_TRY(auto preset, faltrain::ParseQualityPreset(draft.preset));
  FALTRAIN_TRY(auto spec, client_.trainers().ForStyle(style));
  faltrain::TrainingSet set(kLimits);
  for (const auto& photo : photos) FALTRAIN_TRYV(set.AddImage(photo.name, photo.bytes));
  FALTRAIN_TRYV(set.Validate(spec.min_images));

  faltrain::NewJob new_job;
  new_job.user_id = std::to_string(draft.user_id);
  new_job.name = draft.name;
  new_job.style = std::string(faltrain::to_string(style));
  new_job.preset = std::string(faltrain::to_string(preset));
  new_job.trainer = spec.endpoint_id;
  FALTRAIN_TRY(auto job, jobs_->CreateJob(new_job));

  auto give_up = [&](const faltrain::error& e) {
    // The PENDING job ends here; the draft (and its photos) stays so the user can retry.
    auto finished = jobs_->Finish(job.id, {JobStatus::kFailed, "", e.message});
    if (!finished) log_.Error(fmt::format("job {}: {}", job.id, finished.error().message));
    return faltrain::fail(e);
  };
  if (auto recorded = on_created(job.id); !recorded) return give_up(recorded.error());
  auto url = client_.UploadTrainingSet(set, style);
  if (!url) return give_up(url.error());
  faltrain::TrainingRequest request;
  request.images_url = url.value();
  request.style = style;
  request.preset = preset;
  faltrain::JobSubmitOptions options;
  options.job_token_secret = job_token_secret_;
  FALTRAIN_TRY(auto submitted, faltrain::SubmitJob(*jobs_, client_, job.id, request, options));
  if (submitted.outcome_unknown) {
    // fal may have it: never submit again; the webhook (job token) or the reconciler settles it.
    log_.Warn(fmt::format("job {}: submit outcome unknown, left SUBMITTING: {}", job.id,
                          submitted.outcome_unknown->to_string()));
    return submitted.job;
  }
  log_.Info(fmt::format("job {}: submitted to {} as {}", job.id, spec.endpoint_id,
                        submitted.job.handle.request_id));
  Watch(*submitted.training, job.id);
  return submitted.job;
}

void TrainingService::EnableReconciler(std::chrono::seconds every, std::chrono::seconds submit_timeout) {
  if (every.count() <= 0) return;
  faltrain::JobReconcilerOptions options;
  options.submit_timeout = submit_timeout;
  options.pending_timeout = submit_timeout;
  options.log = [this](faltrain::LogLevel level, std::string_view message) {
    if (level >= faltrain::LogLevel::kWarning) {
      log_.Warn(std::string(message));
    } else {
      log_.Info(std::string(message));
    }
  };
  // The bot tells users from its own store (Notifier), so the processor's notifier has nothing to do.
  auto processor = std::make_shared<faltrain::JobProcessor>(
      jobs_, [](const faltrain::JobNotification&) { return faltrain::success(); });
  reconciler_ = std::make_unique<faltrain::JobReconciler>(jobs_, processor, client_, options);
  reconcile_every_ = every;
}

faltrain::result<faltrain::Job> TrainingService::FindJob(std::int64_t job_id) {
  return jobs_->FindJob(job_id);
}

faltrain::result<faltrain::Progress> TrainingService::LiveProgress(const faltrain::Job& job) {
  FALTRAIN_TRY(auto status, client_.GetStatus(job.handle, true));
  auto started = job.training_started_at.value_or(job.created_at);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - started);
  std::lock_guard<std::mutex> lock(trackers_mu_);
  auto& tracker = trackers_[job.id];
  if (!tracker) {
    auto training = TrainingJobOf(job);
    tracker = std::make_unique<faltrain::ProgressTracker>(
        training.steps, std::chrono::duration_cast<std::chrono::milliseconds>(training.estimate.midpoint()));
  }
  return tracker->Update(status, std::max(elapsed, std::chrono::milliseconds(0)));
}

faltrain::result<CancelResult> TrainingService::Cancel(const faltrain::Job& job) {
  FALTRAIN_TRY(auto outcome, client_.Cancel(job.handle));
  if (outcome == faltrain::CancelOutcome::kAlreadyCompleted) return CancelResult::kAlreadyFinished;
  FALTRAIN_TRY(bool changed, jobs_->Finish(job.id, {JobStatus::kCancelled, "", "cancelled by the user"}));
  if (!changed) return CancelResult::kAlreadyFinished;
  monitor_.Remove(job.handle.request_id);
  return CancelResult::kCancelled;
}

faltrain::result<std::vector<ImageToSend>> TrainingService::Generate(const faltrain::Job& job,
                                                                      std::string_view prompt) {
  FALTRAIN_TRY(auto output, faltrain::TrainingOutput::Parse(job.output_json));
  faltrain::GenerateRequest request;
  std::string trigger;
  if (auto spec = client_.trainers().Find(job.trainer)) trigger = spec.value().default_trigger;
  request.prompt = (trigger.empty() || prompt.find(trigger) != std::string_view::npos)
                       ? std::string(prompt)
                       : fmt::format("{}, {}", trigger, prompt);
  faltrain::WatchOptions watch;
  watch.min_interval = std::chrono::milliseconds(500);
  watch.max_interval = std::chrono::seconds(3);
  watch.timeout = std::chrono::minutes(5);
  FALTRAIN_TRY(auto generated, generator_.Generate(output, request, watch));
  std::vector<ImageToSend> images;
  for (const auto& image : generated.images) {
    if (image.url.rfind("data:", 0) == 0) {
      FALTRAIN_TRY(auto decoded, DecodeDataUri(image.url));
      images.push_back({"", std::move(decoded.bytes), std::move(decoded.content_type)});
    } else if (files_) {
      faltrain::HttpRequest get;
      get.url = image.url;
      FALTRAIN_TRY(auto response, files_->Send(get));
      if (response.status != 200) {
        return faltrain::fail(errc::http_error, fmt::format("image download: HTTP {}", response.status));
      }
      ImageToSend bytes;
      bytes.bytes = std::move(response.body);
      bytes.content_type = image.content_type.empty() ? "image/jpeg" : image.content_type;
      images.push_back(std::move(bytes));
    } else {
      images.push_back({image.url, "", image.content_type});
    }
  }
  if (images.empty()) return faltrain::fail(errc::malformed_response, "no image in the result");
  return images;
}

}  // namespace faltrain_bot
