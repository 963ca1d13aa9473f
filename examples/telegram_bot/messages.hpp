#pragma once
// What the bot says, in English and Russian; `MessagesFor` picks the catalogue from a Telegram
// language_code ("ru", "ru-RU" → Russian; anything else → English).

#include "avatar.hpp"
#include "photo_checks.hpp"

#include <faltrain/client/presets.hpp>
#include <faltrain/client/progress.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain_bot {

class Messages {
 public:
  virtual ~Messages() = default;

  virtual std::string Welcome(std::string_view first_name) const = 0;
  virtual std::string Help() const = 0;
  virtual std::string UnknownCommand(std::string_view command) const = 0;
  virtual std::string IdleText() const = 0;
  virtual std::string SlowDown() const = 0;
  virtual std::string InternalError() const = 0;

  // Creating an avatar.
  virtual std::string AskName() const = 0;
  virtual std::string NameInvalid(std::size_t max_chars) const = 0;
  virtual std::string DraftDiscarded(std::string_view name) const = 0;
  virtual std::string ChooseStyle(std::string_view name) const = 0;
  virtual std::string StyleName(faltrain::AvatarStyle style) const = 0;
  virtual std::string StyleDescription(faltrain::AvatarStyle style) const = 0;
  virtual std::string ChoosePreset(faltrain::AvatarStyle style) const = 0;
  virtual std::string PresetName(faltrain::QualityPreset preset) const = 0;
  virtual std::string Minutes(const faltrain::DurationEstimate& estimate) const = 0;
  virtual std::string ButtonExpired() const = 0;
  virtual std::string SendPhotos(std::size_t required, std::size_t max) const = 0;

  // Photos.
  virtual std::string PhotoReceived(std::size_t count, std::size_t required) const = 0;
  virtual std::string AlbumReceived(std::size_t added, std::size_t count,
                                    std::size_t required) const = 0;
  virtual std::string PhotoDuplicate() const = 0;
  virtual std::string PhotoTooLarge(std::size_t limit_mb) const = 0;
  virtual std::string NotAnImage() const = 0;
  virtual std::string UnsupportedMedia() const = 0;
  virtual std::string PhotoWithoutDraft() const = 0;
  virtual std::string TooManyPhotos(std::size_t max) const = 0;
  virtual std::string DownloadFailed() const = 0;

  // The photo check (faltrain::preflight), when built.
  /// One reason in words; `code` is preflight's ("blurry", "duplicate", ...).
  virtual std::string Reason(std::string_view code, std::string_view duplicate_of) const = 0;
  /// A photo that was not added because of `reasons` (already in words, joined).
  virtual std::string PhotoRejected(std::string_view reasons) const = 0;
  /// Photo `number` was added, but the check has a remark.
  virtual std::string PhotoNote(std::size_t number, std::string_view reasons) const = 0;
  virtual std::string Checking() const = 0;
  virtual std::string CheckPassed(std::size_t total) const = 0;
  /// The set cannot be trained as it is: `lines` names each rejected photo with its reasons.
  virtual std::string SetProblems(const std::vector<std::string>& lines, std::size_t total,
                                  std::size_t usable, std::size_t required) const = 0;
  virtual std::string SheetCaption() const = 0;
  virtual std::string CheckUnavailable() const = 0;

  // Training.
  virtual std::string NoDraft() const = 0;
  virtual std::string ChooseFirst() const = 0;
  virtual std::string NeedMorePhotos(std::size_t have, std::size_t need) const = 0;
  virtual std::string TrainingStarting(std::string_view name) const = 0;
  virtual std::string TrainingStarted(std::string_view name, std::string_view trainer,
                                      faltrain::QualityPreset preset,
                                      const faltrain::DurationEstimate& estimate) const = 0;
  virtual std::string TrainingStartFailed(std::string_view reason) const = 0;
  virtual std::string Status(const Avatar& avatar, const faltrain::Progress* live) const = 0;
  virtual std::string NothingTraining() const = 0;
  virtual std::string Cancelled(std::string_view name) const = 0;
  virtual std::string CancelTooLate(std::string_view name) const = 0;
  virtual std::string DraftCancelled(std::string_view name) const = 0;
  virtual std::string NothingToCancel() const = 0;
  virtual std::string CancelFailed(std::string_view reason) const = 0;
  /// The seed's completion message (the Russian one exactly as the seed wrote it).
  virtual std::string Completed(std::string_view name, faltrain::AvatarStyle style) const = 0;
  virtual std::string Failed(std::string_view name, std::string_view reason) const = 0;

  // Avatars and generation.
  virtual std::string AvatarList(const std::vector<Avatar>& avatars) const = 0;
  virtual std::string NoAvatars() const = 0;
  virtual std::string AvatarNotFound() const = 0;
  virtual std::string NoCompletedAvatar() const = 0;
  virtual std::string AskPrompt(std::string_view name) const = 0;
  virtual std::string PromptInvalid(std::size_t max_chars) const = 0;
  virtual std::string Generating(std::string_view name) const = 0;
  virtual std::string GenerationFailed(std::string_view reason) const = 0;
  virtual std::string Busy() const = 0;

  // Buttons.
  virtual std::string ButtonNewAvatar() const = 0;
  virtual std::string ButtonTrain() const = 0;
  virtual std::string ButtonStatus() const = 0;
  virtual std::string ButtonCancel() const = 0;
  virtual std::string ButtonGenerate(std::string_view name) const = 0;
  virtual std::string ButtonTrainWith(std::size_t photos) const = 0;
  virtual std::string ButtonCheck() const = 0;
};

const Messages& EnglishMessages();
const Messages& RussianMessages();
const Messages& MessagesFor(std::string_view language_code);

/// A finding's reasons in the user's words, joined by ", ".
std::string ReasonsText(const Messages& m, const PhotoFinding& finding);
/// "photo_004 — blurry" for each rejected photo of `set`.
std::vector<std::string> RejectedLines(const Messages& m, const SetFinding& set);

/// The time estimate of a style over all presets (fast's minimum to quality's maximum).
faltrain::DurationEstimate StyleEstimate(faltrain::AvatarStyle style);
/// Parses stored style/preset text, defaulting to portrait/balanced.
faltrain::AvatarStyle StyleFrom(std::string_view text);
faltrain::QualityPreset PresetFrom(std::string_view text);
inline faltrain::AvatarStyle StyleOf(const Avatar& avatar) { return StyleFrom(avatar.style); }
inline faltrain::QualityPreset PresetOf(const Avatar& avatar) { return PresetFrom(avatar.preset); }

}  // namespace faltrain_bot
