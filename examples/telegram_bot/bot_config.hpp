#pragma once
// The bot's settings, from the environment (the seed's names kept: TELEGRAM_TOKEN, AVATAR_TEST_MODE,
// FAL_WEBHOOK_URL, FAL_MOCK_TRAINING_DURATION, FAL_ENABLE_WEBHOOK_SIMULATION, FAL_KEY/FAL_API_KEY).

#include <faltrain/client/config.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace faltrain_bot {

struct BotConfig {
  std::string token;                                   ///< TELEGRAM_TOKEN (required)
  std::string api_url = "https://api.telegram.org";    ///< TELEGRAM_API_URL
  std::chrono::seconds poll_timeout{30};               ///< TELEGRAM_POLL_TIMEOUT (long-poll seconds)
  std::filesystem::path state_db = "faltrain-bot.db";  ///< BOT_STATE_DB: offset, chats, drafts
  /// FALTRAIN_JOBS_DB (else FALTRAIN_WEBHOOK_DB, the receiver's name for it): the
  /// faltrain::JobStore shared with the webhook receiver.
  std::filesystem::path jobs_db = "faltrain-jobs.db";
  /// BOT_JOB_POLL_MS: how often running trainings are polled at least (progress, and the outcome
  /// when no webhook arrives); the interval grows up to 12x while nothing changes.
  std::chrono::milliseconds job_poll_interval{std::chrono::seconds(5)};
  /// BOT_RECONCILE_SECONDS: how often the reconciler runs (0 = off; default 60). It resolves jobs that
  /// got no news: TRAINING ones are polled, SUBMITTING ones (the bot died mid-submit, or fal's answer
  /// was lost) end FAILED after `submit_timeout` unless their webhook came, and the user is told.
  std::chrono::seconds reconcile_every{60};
  /// FALTRAIN_SUBMIT_TIMEOUT (seconds, default 86400).
  std::chrono::seconds submit_timeout{std::chrono::hours(24)};
  /// FALTRAIN_JOB_TOKEN_SECRET: signs the job token in the webhook URL (as the receiver verifies it).
  std::string job_token_secret;
  /// BOT_VERBOSE=true logs every update handled.
  bool verbose = false;
  /// BOT_PHOTO_CHECK (default true): check photos before training (faltrain::preflight). Has no
  /// effect in a build without it (FALTRAIN_WITH_PREFLIGHT=OFF) or without OpenCV's face model.
  bool photo_check = true;
  /// Test mode only: FALTRAIN_SIM_FAULTS, fault specs separated by ';' (see SimFault::Parse), and
  /// FALTRAIN_SIM_QUEUE_MS, the simulated time in the queue.
  std::vector<faltrain::SimFault> sim_faults;
  std::optional<std::chrono::milliseconds> sim_queue;
  faltrain::ClientOptions client;                       ///< FAL_* / FALTRAIN_* / AVATAR_TEST_MODE

  static faltrain::result<BotConfig> FromEnvironment();
};

}  // namespace faltrain_bot
