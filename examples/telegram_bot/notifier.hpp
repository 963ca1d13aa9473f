#pragma once
// Tells users how their trainings ended. Whoever records the outcome in the shared JobStore (this
// bot's watcher, the webhook receiver, its reconciler), the notifier sees the final job and sends
// the seed's completion message or a failure message, at least once: the bot store's claim is atomic
// (duplicate webhooks or a poll racing a webhook never notify twice) and is confirmed only after
// Telegram took the message, so a restart re-sends exactly the messages not confirmed.

#include "bot_log.hpp"
#include "bot_store.hpp"
#include "telegram_api.hpp"
#include "training_service.hpp"

namespace faltrain_bot {

class Notifier {
 public:
  Notifier(BotStore& store, TrainingService& training, TelegramApi& api, BotLog& log)
      : store_(store), training_(training), api_(api), log_(log) {}

  /// Notifies every finished job not notified yet; returns how many messages were sent.
  std::size_t NotifyFinished();

 private:
  BotStore& store_;
  TrainingService& training_;
  TelegramApi& api_;
  BotLog& log_;
};

/// The completion or failure text of a final job, in the catalogue of `language`.
std::string OutcomeText(const faltrain::Job& job, std::string_view language);

}  // namespace faltrain_bot
