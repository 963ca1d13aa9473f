#include "bot_config.hpp"

#include <cstdlib>
#include <string_view>

namespace faltrain_bot {
namespace {

using faltrain::errc;

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

faltrain::result<long long> PositiveNumber(const char* name, const std::string& text) {
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < 0) {
    return faltrain::fail(errc::invalid_argument,
                          std::string(name) + " must be a non-negative integer");
  }
  return value;
}

}  // namespace

faltrain::result<BotConfig> BotConfig::FromEnvironment() {
  BotConfig config;
  FALTRAIN_TRY(config.client, faltrain::ClientOptions::FromEnvironment());
  auto token = Env("TELEGRAM_TOKEN");
  if (!token) return faltrain::fail(errc::missing_credentials, "TELEGRAM_TOKEN is not set");
  config.token = *token;
  if (auto url = Env("TELEGRAM_API_URL")) config.api_url = *url;
  if (config.api_url.rfind("https://", 0) != 0 && config.api_url.rfind("http://", 0) != 0) {
    return faltrain::fail(errc::invalid_argument, "TELEGRAM_API_URL must be an http(s) URL");
  }
  if (auto v = Env("TELEGRAM_POLL_TIMEOUT")) {
    FALTRAIN_TRY(long long seconds, PositiveNumber("TELEGRAM_POLL_TIMEOUT", *v));
    config.poll_timeout = std::chrono::seconds(seconds);
  }
  if (auto v = Env("BOT_STATE_DB")) config.state_db = *v;
  // The webhook receiver calls the same file FALTRAIN_WEBHOOK_DB: one variable can serve both.
  if (auto v = Env("FALTRAIN_JOBS_DB")) {
    config.jobs_db = *v;
  } else if (auto shared = Env("FALTRAIN_WEBHOOK_DB")) {
    config.jobs_db = *shared;
  }
  // A shared PostgreSQL job store (postgresql://...) for several receivers and bots.
  if (auto url = Env("FALTRAIN_DATABASE_URL")) config.jobs_db = *url;
  if (auto v = Env("BOT_JOB_POLL_MS")) {
    FALTRAIN_TRY(long long ms, PositiveNumber("BOT_JOB_POLL_MS", *v));
    if (ms == 0) return faltrain::fail(errc::invalid_argument, "BOT_JOB_POLL_MS must be positive");
    config.job_poll_interval = std::chrono::milliseconds(ms);
  }
  if (auto v = Env("BOT_RECONCILE_SECONDS")) {
    FALTRAIN_TRY(long long seconds, PositiveNumber("BOT_RECONCILE_SECONDS", *v));
    config.reconcile_every = std::chrono::seconds(seconds);
  }
  if (auto v = Env("FALTRAIN_SUBMIT_TIMEOUT")) {
    FALTRAIN_TRY(long long seconds, PositiveNumber("FALTRAIN_SUBMIT_TIMEOUT", *v));
    if (seconds == 0) return faltrain::fail(errc::invalid_argument, "FALTRAIN_SUBMIT_TIMEOUT must be positive");
    config.submit_timeout = std::chrono::seconds(seconds);
  }
  if (auto v = Env("FALTRAIN_JOB_TOKEN_SECRET")) config.job_token_secret = *v;
  if (auto v = Env("BOT_VERBOSE")) config.verbose = faltrain::ParseEnvBool(*v);
  if (auto v = Env("BOT_PHOTO_CHECK")) config.photo_check = faltrain::ParseEnvBool(*v);
  if (config.client.test_mode) {
    if (auto v = Env("FALTRAIN_SIM_FAULTS")) {
      std::string_view rest = *v;
      while (!rest.empty()) {
        auto cut = rest.find(';');
        std::string_view spec = rest.substr(0, cut);
        rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
        if (spec.empty()) continue;
        FALTRAIN_TRY(auto fault, faltrain::SimFault::Parse(spec));
        config.sim_faults.push_back(fault);
      }
    }
    if (auto v = Env("FALTRAIN_SIM_QUEUE_MS")) {
      FALTRAIN_TRY(long long ms, PositiveNumber("FALTRAIN_SIM_QUEUE_MS", *v));
      config.sim_queue = std::chrono::milliseconds(ms);
    }
  }
  return config;
}

}  // namespace faltrain_bot
