#include "notifier.hpp"

#include "messages.hpp"

#include <fmt/format.h>

namespace faltrain_bot {

std::string OutcomeText(const faltrain::Job& job, std::string_view language) {
  const Messages& m = MessagesFor(language);
  Avatar avatar = AvatarOf(job);
  switch (job.status) {
    case faltrain::JobStatus::kCompleted: return m.Completed(job.name, StyleOf(avatar));
    case faltrain::JobStatus::kCancelled: return m.Cancelled(job.name);
    default: break;
  }
  std::string reason = job.error.empty() ? "unknown error" : job.error;
  if (reason.size() > 300) reason = reason.substr(0, 300) + "…";
  return m.Failed(job.name, reason);
}

namespace {

std::size_t NotifierSend(TelegramApi& api, BotStore& store, BotLog& log, const BotJob& bot_job,
                         const faltrain::Job& job, std::string_view language) {
  InlineKeyboard keyboard;
  if (job.status == faltrain::JobStatus::kCompleted) {
    keyboard.push_back({{MessagesFor(language).ButtonGenerate(job.name), fmt::format("gen:{}", job.id)}});
  }
  auto sent = api.SendMessage(bot_job.chat_id, OutcomeText(job, language), keyboard);
  if (!sent) {
    // Telegram down or throttling: give the claim back so the next tick tries again. A refusal
    // (the user blocked the bot, the chat is gone) is final.
    bool again = sent.error().retryable;
    if (again) {
      (void)store.ReleaseNotification(job.id);
    } else {
      (void)store.ConfirmNotification(job.id);
    }
    log.Error(fmt::format("job {}: the outcome message was not delivered{}: {}", job.id,
                          again ? " (will retry)" : "", sent.error().message));
    return 0;
  }
  // Recorded only now that Telegram took it: a crash before this line sends it again on restart.
  if (auto confirmed = store.ConfirmNotification(job.id); !confirmed) {
    log.Error(fmt::format("job {}: recording the sent message failed: {}", job.id, confirmed.error().message));
  }
  return 1;
}

}  // namespace

std::size_t Notifier::NotifyFinished() {
  auto pending = store_.ListUnnotifiedJobs();
  if (!pending) {
    log_.Error("listing unnotified jobs: " + pending.error().message);
    return 0;
  }
  std::size_t sent = 0;
  for (const BotJob& bot_job : pending.value()) {
    auto job = training_.FindJob(bot_job.job_id);
    if (!job) {
      log_.Warn(fmt::format("job {}: {}", bot_job.job_id, job.error().message));
      continue;
    }
    if (!faltrain::IsFinal(job.value().status)) continue;
    auto claimed = store_.ClaimNotification(bot_job.job_id);
    if (!claimed) {
      log_.Error(fmt::format("job {}: {}", bot_job.job_id, claimed.error().message));
      continue;
    }
    if (!claimed.value()) continue;  // told already (e.g. the cancel reply)
    auto language = store_.UserLanguage(bot_job.user_id);
    sent += NotifierSend(api_, store_, log_, bot_job, job.value(), language ? language.value() : "");
    log_.Info(fmt::format("job {}: user told it is {}", bot_job.job_id,
                          faltrain::to_string(job.value().status)));
  }
  return sent;
}

}  // namespace faltrain_bot
