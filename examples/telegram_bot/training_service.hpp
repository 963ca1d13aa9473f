#pragma once
// Everything the bot asks of faltrain: submitting a draft (zip, upload, submit with the trainer the
// style picks and the webhook URL), live progress, cancel, generation, and a watcher thread that
// polls running trainings with one JobMonitor and records their outcome in the shared JobStore.

#include "bot_log.hpp"
#include "bot_store.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/job_monitor.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/jobs/processor.hpp>
#include <faltrain/client/progress.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace faltrain_bot {

/// A generated image ready to send: its bytes when Telegram cannot fetch it by URL (a data: URI, or
/// a file the in-process simulator serves), else its URL.
struct ImageToSend {
  std::string url;
  std::string bytes;
  std::string content_type;
};

enum class CancelResult { kCancelled, kAlreadyFinished };

class TrainingService {
 public:
  /// `generator` is used for image generation (a client without the training webhook); `files`
  /// fetches generated images for upload (the simulator in test mode); null = send URLs.
  TrainingService(faltrain::TrainingClient client, faltrain::TrainingClient generator,
                  std::shared_ptr<faltrain::JobStore> jobs,
                  std::shared_ptr<faltrain::Transport> files, std::chrono::milliseconds poll_interval,
                  BotLog& log);
  ~TrainingService();

  /// Resumes watching the TRAINING jobs in `job_ids` and starts the watcher thread; `on_tick` runs
  /// in that thread about twice a second (the notifier).
  void Start(const std::vector<std::int64_t>& job_ids, std::function<void()> on_tick);
  void Stop();

  /// The trainer `style` selects (its photo counts are what the photo check applies).
  faltrain::result<faltrain::TrainerSpec> TrainerFor(faltrain::AvatarStyle style);
  /// How many photos the trainer for `style` needs, and at most how many are taken.
  std::size_t RequiredPhotos(faltrain::AvatarStyle style);
  std::size_t MaxPhotos() const;
  std::size_t MaxPhotoBytes() const;
  /// Checks a photo the way the zip will (format by content, size).
  faltrain::result<void> CheckPhoto(std::string_view bytes) const;

  /// Zips the photos, creates the job (and tells `on_created` before anything is sent; it must
  /// succeed), uploads, submits through faltrain::SubmitJob (SUBMITTING first, the job token in the
  /// webhook URL) and watches the job once TRAINING. A job whose submit outcome is unknown is
  /// returned SUBMITTING: its webhook or the reconciler settles it. `errc::invalid_argument` with
  /// nothing created when the photos do not satisfy the trainer.
  faltrain::result<faltrain::Job> Submit(const Draft& draft, const std::vector<StoredPhoto>& photos,
                                         const std::function<faltrain::result<void>(std::int64_t)>& on_created);
  /// Runs a faltrain::JobReconciler every `every` from the watcher thread (before Start).
  void EnableReconciler(std::chrono::seconds every, std::chrono::seconds submit_timeout);
  /// The secret of the job tokens put in webhook URLs (before Start); empty: none.
  void SetJobTokenSecret(std::string secret) { job_token_secret_ = std::move(secret); }
  faltrain::result<faltrain::Job> FindJob(std::int64_t job_id);
  /// Asks fal for the status now and folds it into the job's progress tracker.
  faltrain::result<faltrain::Progress> LiveProgress(const faltrain::Job& job);
  faltrain::result<CancelResult> Cancel(const faltrain::Job& job);
  faltrain::result<std::vector<ImageToSend>> Generate(const faltrain::Job& job, std::string_view prompt);
  std::string TrainerName(const std::string& endpoint_id);

 private:
  void Watch(const faltrain::TrainingJob& training, std::int64_t job_id);
  void OnDone(std::int64_t job_id, const faltrain::TrainingJob& training,
              faltrain::result<faltrain::TrainingOutput> outcome);
  void RunWatcher();
  faltrain::TrainingJob TrainingJobOf(const faltrain::Job& job);

  faltrain::TrainingClient client_;
  faltrain::TrainingClient generator_;
  std::shared_ptr<faltrain::JobStore> jobs_;
  std::shared_ptr<faltrain::Transport> files_;
  BotLog& log_;
  faltrain::JobMonitor monitor_;
  std::function<void()> on_tick_;
  std::string job_token_secret_;
  std::unique_ptr<faltrain::JobReconciler> reconciler_;
  std::chrono::seconds reconcile_every_{0};
  std::chrono::steady_clock::time_point last_reconcile_{};

  std::mutex trackers_mu_;
  std::map<std::int64_t, std::unique_ptr<faltrain::ProgressTracker>> trackers_;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool wake_now_ = false;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace faltrain_bot
