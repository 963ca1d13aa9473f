// faltrain-telegram-bot: the seed's Telegram avatar bot on faltrain's public API.
// Configuration comes from the environment (see README.md); AVATAR_TEST_MODE=true runs it against
// the offline simulator.

#include "bot.hpp"
#include "photo_checks.hpp"
#include "job_store_url.hpp"
#include "bot_config.hpp"
#include "bot_log.hpp"
#include "bot_store.hpp"
#include "notifier.hpp"
#include "telegram_api.hpp"
#include "training_service.hpp"
#include "work_queue.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/curl_transport.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnSignal(int) { g_stop = true; }

void SleepUnlessStopped(std::chrono::milliseconds total) {
  auto until = std::chrono::steady_clock::now() + total;
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

using namespace faltrain_bot;

// Where fal requests go. In test mode the simulator also serves the files: its file URLs exist only
// in-process, so generated images are fetched through it and uploaded to Telegram.
struct FalTransports {
  std::shared_ptr<faltrain::Transport> fal;
  std::shared_ptr<faltrain::Transport> files;  ///< null outside test mode
};

faltrain::result<FalTransports> MakeFalTransports(const BotConfig& config) {
  FalTransports out;
  if (config.client.test_mode) {
    FALTRAIN_TRY(auto sim_options, faltrain::SimOptions::FromEnvironment());
    for (const auto& fault : config.sim_faults) sim_options.faults.push_back(fault);
    if (config.sim_queue) sim_options.queue_duration = *config.sim_queue;
    auto sim = std::make_shared<faltrain::SimTransport>(sim_options);
    out.fal = sim;
    out.files = sim;
    return out;
  }
  faltrain::CurlTransportOptions fal_options;
  fal_options.connect_timeout = config.client.connect_timeout;
  fal_options.request_timeout = config.client.request_timeout;
  fal_options.user_agent = config.client.UserAgent();
  out.fal = std::make_shared<faltrain::CurlTransport>(fal_options);
  return out;
}

// The training client, and one for generations: those are awaited right away, need no webhook,
// and the receiver would only log deliveries for requests that are not jobs. Same transport, so
// one connection pool.
struct FalClients {
  faltrain::TrainingClient training;
  faltrain::TrainingClient generator;
};

faltrain::result<FalClients> MakeFalClients(const BotConfig& config,
                                            const std::shared_ptr<faltrain::Transport>& transport) {
  FALTRAIN_TRY(auto training, faltrain::TrainingClient::Create(config.client, transport));
  faltrain::ClientOptions generator_config = config.client;
  generator_config.webhook_url.clear();
  FALTRAIN_TRY(auto generator, faltrain::TrainingClient::Create(generator_config, transport));
  return FalClients{std::move(training), std::move(generator)};
}

TelegramApi MakeTelegramApi(const BotConfig& config) {
  faltrain::CurlTransportOptions curl_options;
  curl_options.request_timeout = config.poll_timeout + std::chrono::seconds(30);
  curl_options.user_agent = "faltrain-telegram-bot";
  // Bot API answers are small and files the bot downloads are at most 20 MB.
  curl_options.max_response_bytes = 32u << 20;
  return TelegramApi(std::make_shared<faltrain::CurlTransport>(curl_options),
                     TelegramApiOptions{config.token, config.api_url});
}

// Jobs a previous run left unnotified: watched again from the start.
std::vector<std::int64_t> UnnotifiedJobs(BotStore& store) {
  std::vector<std::int64_t> watched;
  if (auto pending = store.ListUnnotifiedJobs()) {
    for (const auto& job : pending.value()) watched.push_back(job.job_id);
  }
  return watched;
}

// Long-polls getUpdates and hands each update to the bot once, saving the offset after it, until
// a signal; 1 when Telegram rejects the token.
int RunUpdateLoop(const BotConfig& config, TelegramApi& api, Bot& bot, BotStore& store,
                  std::int64_t next_offset, BotLog& log) {
  std::chrono::milliseconds backoff{500};
  while (!g_stop) {
    // While an album acknowledgement waits, poll briefly so it goes out soon after the album.
    auto timeout = bot.HasPendingAlbums() ? std::min(config.poll_timeout, std::chrono::seconds(1))
                                          : config.poll_timeout;
    auto updates = api.GetUpdates(next_offset, timeout);
    bot.FlushAlbums(std::chrono::steady_clock::now());
    if (!updates && updates.error().code == faltrain::errc::unauthorized) {
      // A revoked or mistyped token never starts working by itself.
      log.Error("Telegram rejected the token (" + updates.error().message + "); exiting");
      return 1;
    }
    if (!updates) {
      // Telegram unreachable or failing: keep the offset and try again, backing off to 30 s.
      log.Warn(fmt::format("getUpdates failed ({}); retrying in {} ms", updates.error().message,
                           backoff.count()));
      SleepUnlessStopped(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
      continue;
    }
    backoff = std::chrono::milliseconds(500);
    for (const Update& update : updates.value()) {
      if (update.update_id < next_offset) continue;  // confirmed before: never handled twice
      bot.Handle(update);
      next_offset = update.update_id + 1;
      if (auto saved = store.SaveOffset(next_offset); !saved) {
        log.Error("saving the update offset: " + saved.error().message);
      }
    }
    bot.FlushAlbums(std::chrono::steady_clock::now());
  }
  return 0;
}

// Whether photos are checked before training: asked for, built and able to run here.
bool PhotoChecksOn(const BotConfig& config, BotLog& log) {
  if (!config.photo_check) {
    log.Info("photo checks: off (BOT_PHOTO_CHECK=false)");
    return false;
  }
  if (auto ready = PhotoChecksReady(); !ready) {
    log.Warn("photo checks: off: " + ready.error().message);
    return false;
  }
  log.Info("photo checks: on (faltrain::preflight)");
  return true;
}

// The bot and its workers, until the update loop ends; queued work finishes while the bot exists.
int RunBot(const BotConfig& config, TelegramApi& api, BotStore& store, TrainingService& training,
           std::int64_t offset, BotLog& log) {
  WorkQueue work(2);
  Bot bot(api, store, training, work, log, config.verbose, PhotoChecksOn(config, log));
  const int exit_code = RunUpdateLoop(config, api, bot, store, offset, log);
  log.Info("stopping: finishing queued work");
  work.Shutdown();
  return exit_code;
}

}  // namespace

int main() {
  auto loaded = BotConfig::FromEnvironment();
  if (!loaded) {
    std::fprintf(stderr, "faltrain-telegram-bot: %s\n", loaded.error().message.c_str());
    return 2;
  }
  BotConfig config = std::move(loaded).value();
  BotLog log(config.token);
  config.client.log = [&log](faltrain::LogLevel level, std::string_view message) {
    if (level == faltrain::LogLevel::kDebug) return;
    if (level == faltrain::LogLevel::kError) log.Error(message); else log.Info(message);
  };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  auto transports = MakeFalTransports(config);
  if (!transports) {
    log.Error("simulator settings: " + transports.error().message);
    return 2;
  }
  auto clients = MakeFalClients(config, transports.value().fal);
  if (!clients) {
    log.Error("fal client: " + clients.error().message);
    return 2;
  }
  auto jobs = faltrain_examples::OpenJobStoreUrl(config.jobs_db.string());  // a path, or postgresql://...
  if (!jobs) {
    log.Error("job store: " + jobs.error().message);
    return 1;
  }
  auto store = BotStore::Open(config.state_db);
  if (!store) {
    log.Error("bot store: " + store.error().message);
    return 1;
  }
  TelegramApi api = MakeTelegramApi(config);
  auto offset = store.value()->LoadOffset();
  if (!offset) {
    log.Error("loading the update offset: " + offset.error().message);
    return 1;
  }

  TrainingService training(clients.value().training, clients.value().generator, jobs.value(),
                           transports.value().files, config.job_poll_interval, log);
  training.SetJobTokenSecret(config.job_token_secret);
  training.EnableReconciler(config.reconcile_every, config.submit_timeout);
  Notifier notifier(*store.value(), training, api, log);
  // Messages a killed predecessor claimed but never saw confirmed are sent again.
  if (auto released = store.value()->ReleaseUnconfirmedNotifications(); !released) {
    log.Error("releasing unconfirmed notifications: " + released.error().message);
  }
  training.Start(UnnotifiedJobs(*store.value()), [&notifier] { notifier.NotifyFinished(); });
  log.Info(fmt::format("started: Bot API {}, {}, update offset {}, state {}, jobs {}", config.api_url,
                       config.client.test_mode ? "test mode (simulator)" : "fal", offset.value(),
                       config.state_db.string(), faltrain_examples::RedactStoreUrl(config.jobs_db.string())));
  const int exit_code = RunBot(config, api, *store.value(), training, offset.value(), log);
  training.Stop();
  log.Info("stopped");
  return exit_code;
}
