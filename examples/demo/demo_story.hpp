#pragma once
// The demo's story, step by step: start fal (simulated) and the webhook receiver, train an avatar
// over HTTP, see the signed webhook land in the job store, generate an image, stop everything.

#include "child_process.hpp"
#include "demo_options.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/client/clock.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace faltrain_demo {

/// What the summary reports; filled as the story goes.
struct DemoFacts {
  std::string sim_url, webhook_url;
  std::filesystem::path db_path;
  std::size_t photo_count = 0, photo_bytes = 0;
  std::string photo_check;  ///< preflight's summary line; empty when not built
  std::string images_url;
  faltrain::TrainerSpec trainer;
  faltrain::PresetValues preset{};
  std::int64_t job_id = 0;
  std::string request_id;
  std::string lora_url;
  std::string webhook_status;   ///< the webhook's `status` ("OK")
  std::string webhook_user_id;  ///< X-Fal-Webhook-User-Id it was signed for
  std::string inbox_note;       ///< what the receiver's processor did with it ("applied")
  std::string job_status;       ///< the job's status in the store at the end
  std::string image_url, image_type;
  int image_width = 0, image_height = 0;
  std::size_t image_bytes = 0;
  std::string sim_exit, receiver_exit;
  // Seconds spent in each part.
  double t_start = 0, t_upload = 0, t_training = 0, t_webhook = 0, t_generate = 0, t_stop = 0, t_total = 0;
};

class DemoStory {
 public:
  DemoStory(DemoOptions options, faltrain::CancelToken cancel, std::FILE* out);

  /// Runs everything and stops what it started. Returns the process exit code (0 = the whole
  /// story succeeded; 2 = a step failed; 130/143 interrupted is decided by the caller).
  int Run();

 private:
  faltrain::result<void> Story();
  faltrain::result<void> PrepareWorkDir();
  faltrain::result<void> StartSimulator();
  faltrain::result<void> StartReceiver();
  faltrain::result<void> ConnectClientAndStore();
  faltrain::result<void> UploadPhotos();
  /// Shows preflight's table for the set (when built) before anything is submitted.
  faltrain::result<void> CheckPhotosBeforeTraining(const faltrain::TrainingSet& set);
  faltrain::result<faltrain::TrainingJob> SubmitTraining();
  faltrain::result<faltrain::TrainingOutput> FollowTraining(const faltrain::TrainingJob& job);
  /// Waits for the job to be final in the store; returns the output the webhook delivered.
  faltrain::result<faltrain::TrainingOutput> AwaitWebhook();
  faltrain::result<void> GenerateImage(const faltrain::TrainingOutput& trained);
  /// Stops the receiver, then the simulator; true when both exited cleanly.
  bool StopPrograms();
  void PrintSummary() const;
  void Step(const std::string& text) const;
  /// Time left before `--timeout`.
  std::chrono::milliseconds Remaining() const;
  double SecondsSince(std::chrono::steady_clock::time_point t) const;

  DemoOptions options_;
  faltrain::CancelToken cancel_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point started_;
  std::filesystem::path work_dir_;
  bool own_work_dir_ = false;
  std::string failed_step_;
  ChildProcess sim_, receiver_;
  std::shared_ptr<faltrain::Transport> transport_;
  std::optional<faltrain::TrainingClient> client_;
  std::shared_ptr<faltrain::JobStore> store_;
  DemoFacts facts_;
};

}  // namespace faltrain_demo
