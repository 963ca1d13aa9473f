#include "messages.hpp"

#include <fmt/format.h>

namespace faltrain_bot {
namespace {

using faltrain::AvatarStyle;
using faltrain::QualityPreset;

std::string PhaseEn(const std::string& phase) {
  if (phase.empty()) return "waiting";
  return phase;
}

std::string StatusWordEn(AvatarStatus s) {
  switch (s) {
    case AvatarStatus::kDraft: return "📝 collecting photos";
    case AvatarStatus::kPending: return "📦 starting";
    case AvatarStatus::kTraining: return "⏳ training";
    case AvatarStatus::kCompleted: return "✅ ready";
    case AvatarStatus::kFailed: return "❌ failed";
    case AvatarStatus::kCancelled: return "🚫 cancelled";
  }
  return "";
}

class English final : public Messages {
 public:
  std::string Welcome(std::string_view first_name) const override {
    return fmt::format("👋 Hi{}! I train a personal avatar from your photos and then draw new "
                       "images of you from a text prompt.\n\n{}",
                       first_name.empty() ? "" : ", " + std::string(first_name), Help());
  }
  std::string Help() const override {
    return "Commands:\n"
           "/new [name] — create an avatar\n"
           "/train — start training with the photos sent\n"
           "/status — training progress\n"
           "/cancel — cancel the avatar being created or trained\n"
           "/check — check the photos sent and get them back as a contact sheet\n"
           "/avatars — your avatars\n"
           "/generate <prompt> — an image with your latest ready avatar\n"
           "/help — this text";
  }
  std::string UnknownCommand(std::string_view command) const override {
    return fmt::format("🤔 I don't know the command {}. /help lists what I can do.", command);
  }
  std::string IdleText() const override {
    return "I'm not waiting for text right now. /new creates an avatar, /help shows everything.";
  }
  std::string SlowDown() const override {
    return "⏸ That's a lot of messages at once. Please wait a moment; I'm ignoring new ones for "
           "a few seconds.";
  }
  std::string InternalError() const override {
    return "⚠️ Something went wrong on my side. Please try again in a minute.";
  }
  std::string AskName() const override { return "✏️ How should the new avatar be called?"; }
  std::string NameInvalid(std::size_t max_chars) const override {
    return fmt::format("The name must be 1 to {} characters of plain text. Please send another.",
                       max_chars);
  }
  std::string DraftDiscarded(std::string_view name) const override {
    return fmt::format("The unfinished avatar \"{}\" was discarded.", name);
  }
  std::string ChooseStyle(std::string_view name) const override {
    std::string text = fmt::format("🎭 Avatar \"{}\". Choose a style:\n", name);
    for (AvatarStyle s : {AvatarStyle::kPortrait, AvatarStyle::kArtistic}) {
      text += fmt::format("\n• {} — {} ⏱ {}", StyleName(s), StyleDescription(s),
                          Minutes(StyleEstimate(s)));
    }
    return text;
  }
  std::string StyleName(AvatarStyle style) const override {
    return std::string(faltrain::GetStyleInfo(style).name_en);
  }
  std::string StyleDescription(AvatarStyle style) const override {
    return std::string(faltrain::GetStyleInfo(style).description_en);
  }
  std::string ChoosePreset(AvatarStyle style) const override {
    std::string text = fmt::format("{} style. Choose the quality:\n", StyleName(style));
    for (QualityPreset p : {QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality}) {
      auto row = faltrain::GetPreset(style, p);
      text += fmt::format("\n• {} — {} steps, ⏱ {}", PresetName(p), row.steps, Minutes(row.estimate));
    }
    return text;
  }
  std::string PresetName(QualityPreset preset) const override {
    switch (preset) {
      case QualityPreset::kFast: return "Fast";
      case QualityPreset::kBalanced: return "Balanced";
      case QualityPreset::kQuality: return "Quality";
    }
    return "Balanced";
  }
  std::string Minutes(const faltrain::DurationEstimate& e) const override {
    return fmt::format("{}–{} min", e.min.count(), e.max.count());
  }
  std::string ButtonExpired() const override { return "This button is no longer active."; }
  std::string SendPhotos(std::size_t required, std::size_t max) const override {
    return fmt::format("📸 Now send at least {} photos of the person (up to {}): as photos, albums "
                       "or files (JPEG, PNG, WebP). Different angles and lighting work best. "
                       "Then press \"Start training\" or send /train.",
                       required, max);
  }
  std::string PhotoReceived(std::size_t count, std::size_t required) const override {
    if (count >= required) {
      return fmt::format("✅ Photo {} received. That's enough to train: send more or /train.", count);
    }
    return fmt::format("✅ Photo {} received, {} more needed.", count, required - count);
  }
  std::string AlbumReceived(std::size_t added, std::size_t count, std::size_t required) const override {
    if (count >= required) {
      return fmt::format("✅ {} photos from the album received ({} in total). That's enough to "
                         "train: send more or /train.", added, count);
    }
    return fmt::format("✅ {} photos from the album received ({} in total), {} more needed.", added,
                       count, required - count);
  }
  std::string PhotoDuplicate() const override { return "ℹ️ I already have this photo."; }
  std::string PhotoTooLarge(std::size_t limit_mb) const override {
    return fmt::format("⚠️ This file is too large; photos can be at most {} MB.", limit_mb);
  }
  std::string NotAnImage() const override {
    return "⚠️ This is not a photo I can use. Please send JPEG, PNG or WebP images.";
  }
  std::string UnsupportedMedia() const override {
    return "⚠️ I can only use photos and text. /help lists what I can do.";
  }
  std::string PhotoWithoutDraft() const override {
    return "📸 Nice photo! Create an avatar first with /new, then send the photos.";
  }
  std::string TooManyPhotos(std::size_t max) const override {
    return fmt::format("⚠️ That's the maximum of {} photos. Send /train to start.", max);
  }
  std::string DownloadFailed() const override {
    return "⚠️ I couldn't download that file from Telegram. Please send it again.";
  }
  std::string Reason(std::string_view code, std::string_view duplicate_of) const override {
    if (code == "unreadable") return "the file is damaged or cut off";
    if (code == "low_resolution") return "the resolution is too low";
    if (code == "blurry") return "it is blurry";
    if (code == "too_dark") return "it is too dark";
    if (code == "too_bright") return "it is overexposed";
    if (code == "duplicate") return fmt::format("it is almost the same as {}", duplicate_of);
    if (code == "no_face") return "I can't find a face";
    if (code == "multiple_faces") return "there is more than one person";
    if (code == "face_too_small") return "the face is too small (a closer shot is better)";
    return std::string(code);
  }
  std::string PhotoRejected(std::string_view reasons) const override {
    return fmt::format("❌ I can't use this photo: {}. I didn't add it; please send another one.",
                       reasons);
  }
  std::string PhotoNote(std::size_t number, std::string_view reasons) const override {
    return fmt::format("⚠️ Photo {}: {}. I'll use it, but a better photo makes a better avatar.",
                       number, reasons);
  }
  std::string Checking() const override { return "🔍 Checking your photos..."; }
  std::string CheckPassed(std::size_t total) const override {
    return fmt::format("🔍 All {} photos passed the check.", total);
  }
  std::string SetProblems(const std::vector<std::string>& lines, std::size_t total, std::size_t usable,
                          std::size_t required) const override {
    std::string text = fmt::format("🔍 I checked all {} photos. These can't be used for training:", total);
    for (const auto& line : lines) text += "\n• " + line;
    if (usable >= required) {
      return text + fmt::format("\n\nI won't train with them. Press \"Train with {} photos\" to "
                                "train with the others, or send better photos first.", usable);
    }
    return text + fmt::format("\n\n{} good photos are left; this style needs at least {}. Please "
                              "send {} more.", usable, required, required - usable);
  }
  std::string SheetCaption() const override {
    return "Your photos: green frame — fine, orange — usable with a remark, red — not used.";
  }
  std::string CheckUnavailable() const override {
    return "Photo checks are not available in this bot; I only check that files are images.";
  }
  std::string NoDraft() const override {
    return "There is no avatar being created. Start one with /new.";
  }
  std::string ChooseFirst() const override {
    return "Please choose the style and the quality with the buttons first.";
  }
  std::string NeedMorePhotos(std::size_t have, std::size_t need) const override {
    return fmt::format("📸 I have {} photos; this style needs at least {}. Please send {} more.",
                       have, need, need - have);
  }
  std::string TrainingStarting(std::string_view name) const override {
    return fmt::format("📦 Packing and uploading the photos of \"{}\"...", name);
  }
  std::string TrainingStarted(std::string_view name, std::string_view trainer, QualityPreset preset,
                              const faltrain::DurationEstimate& estimate) const override {
    return fmt::format("🚀 Training of \"{}\" started (status TRAINING).\nTrainer: {}\nQuality: {}\n"
                       "Expected time: {}\n\nI'll message you when it's ready. /status shows the "
                       "progress, /cancel stops it.",
                       name, trainer, PresetName(preset), Minutes(estimate));
  }
  std::string TrainingStartFailed(std::string_view reason) const override {
    return fmt::format("❌ Training could not be started: {}\nYour photos are kept; try /train again.",
                       reason);
  }
  std::string Status(const Avatar& avatar, const faltrain::Progress* live) const override {
    std::string text = fmt::format("🎭 {} — {}", avatar.name, StatusWordEn(avatar.status));
    if (avatar.status != AvatarStatus::kTraining) return text;
    double percent = live ? live->percent : avatar.progress;
    std::string phase = PhaseEn(live ? live->phase_text : std::string());
    text += fmt::format("\n📊 {:.0f}% — {}", percent, phase);
    if (live && live->queue_position) text += fmt::format(" (position in queue: {})", *live->queue_position);
    if (live && live->step && live->total_steps && *live->total_steps > 0) {
      text += fmt::format("\nStep {} of {}", *live->step, *live->total_steps);
    }
    if (live && live->eta) {
      auto minutes = std::chrono::duration_cast<std::chrono::minutes>(*live->eta).count();
      text += minutes < 1 ? std::string("\n⏱ less than a minute left")
                          : fmt::format("\n⏱ about {} min left", minutes);
    }
    return text;
  }
  std::string NothingTraining() const override {
    return "Nothing is training right now. /avatars lists your avatars.";
  }
  std::string Cancelled(std::string_view name) const override {
    return fmt::format("🚫 Training of \"{}\" was cancelled.", name);
  }
  std::string CancelTooLate(std::string_view name) const override {
    return fmt::format("Training of \"{}\" has already finished; nothing to cancel.", name);
  }
  std::string DraftCancelled(std::string_view name) const override {
    return fmt::format("🗑 Avatar \"{}\" was discarded with its photos.", name);
  }
  std::string NothingToCancel() const override { return "There is nothing to cancel."; }
  std::string CancelFailed(std::string_view reason) const override {
    return fmt::format("⚠️ I couldn't cancel the training: {}", reason);
  }
  std::string Completed(std::string_view name, AvatarStyle style) const override {
    return fmt::format("🎉 Your avatar is ready!\n🎭 **{}** ({} style)\n✅ Training completed "
                       "successfully\nYou can now use the avatar to generate images!",
                       name, StyleName(style));
  }
  std::string Failed(std::string_view name, std::string_view reason) const override {
    return fmt::format("❌ Training of \"{}\" failed: {}\nYou can try again with /new.", name, reason);
  }
  std::string AvatarList(const std::vector<Avatar>& avatars) const override {
    std::string text = "Your avatars:";
    for (const auto& a : avatars) {
      text += fmt::format("\n🎭 {}", a.name);
      if (!a.style.empty()) text += fmt::format(" ({}", StyleName(StyleOf(a)));
      if (!a.style.empty() && !a.preset.empty()) text += ", " + PresetName(PresetOf(a));
      if (!a.style.empty()) text += ")";
      text += " — " + StatusWordEn(a.status);
      if (a.status == AvatarStatus::kTraining) text += fmt::format(" {:.0f}%", a.progress);
    }
    return text;
  }
  std::string NoAvatars() const override { return "You have no avatars yet. /new creates one."; }
  std::string AvatarNotFound() const override { return "I can't find that avatar."; }
  std::string NoCompletedAvatar() const override {
    return "You have no ready avatar yet. Train one with /new first.";
  }
  std::string AskPrompt(std::string_view name) const override {
    return fmt::format("🎨 What should \"{}\" look like? Describe the image, e.g. \"in a spacesuit "
                       "on the Moon\".", name);
  }
  std::string PromptInvalid(std::size_t max_chars) const override {
    return fmt::format("The description must be 1 to {} characters.", max_chars);
  }
  std::string Generating(std::string_view name) const override {
    return fmt::format("🎨 Drawing with \"{}\"... this takes a few seconds.", name);
  }
  std::string GenerationFailed(std::string_view reason) const override {
    return fmt::format("❌ The image could not be generated: {}", reason);
  }
  std::string Busy() const override {
    return "⏳ I'm still working on your previous request; please wait for it to finish.";
  }
  std::string ButtonNewAvatar() const override { return "➕ New avatar"; }
  std::string ButtonTrain() const override { return "🚀 Start training"; }
  std::string ButtonStatus() const override { return "📊 Status"; }
  std::string ButtonCancel() const override { return "🚫 Cancel"; }
  std::string ButtonGenerate(std::string_view name) const override {
    return fmt::format("🎨 Generate with {}", name);
  }
  std::string ButtonTrainWith(std::size_t photos) const override {
    return fmt::format("🚀 Train with {} photos", photos);
  }
  std::string ButtonCheck() const override { return "🔍 Check photos"; }
};

}  // namespace

const Messages& EnglishMessages() {
  static const English messages;
  return messages;
}

}  // namespace faltrain_bot
