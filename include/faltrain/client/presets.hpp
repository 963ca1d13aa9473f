#pragma once
/// @file
/// Avatar styles and quality presets: the seed product's tables, exact, queryable.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What the avatar is for. Picks the trainer (see `TrainerRegistry::ForStyle`).
enum class AvatarStyle {
  kPortrait,  ///< realistic photos of the person (fal-ai/flux-lora-portrait-trainer by default)
  kArtistic,  ///< the person in painted or illustrated styles (fal-ai/flux-pro-trainer by default)
};
/// Speed versus quality of a training: the seed's three rows per style (see `GetPreset`).
enum class QualityPreset {
  kFast,      ///< fewest steps: portrait 500, artistic 200 iterations
  kBalanced,  ///< the default: portrait 1000 steps, artistic 500 iterations
  kQuality,   ///< most steps: portrait 2500, artistic 1000 iterations
};

std::string_view to_string(AvatarStyle s) noexcept;     ///< "portrait" / "artistic"
std::string_view to_string(QualityPreset p) noexcept;   ///< "fast" / "balanced" / "quality"
/// The inverse of `to_string(AvatarStyle)`; case-insensitive.
result<AvatarStyle> ParseAvatarStyle(std::string_view text);
/// The inverse of `to_string(QualityPreset)`; case-insensitive.
result<QualityPreset> ParseQualityPreset(std::string_view text);

/// A range of expected wall-clock minutes, e.g. 3–5.
struct DurationEstimate {
  std::chrono::minutes min;  ///< fastest expected training time
  std::chrono::minutes max;  ///< slowest expected training time
  /// (min + max) / 2, rounded down to whole minutes: the estimate progress reports use.
  std::chrono::minutes midpoint() const { return (min + max) / 2; }
};

/// The training parameters one preset means for one style.
struct PresetValues {
  AvatarStyle style;                   ///< the row's style
  QualityPreset preset;                ///< the row's preset
  std::int64_t steps;                  ///< steps (portrait) or iterations (artistic)
  double learning_rate;                ///< e.g. 0.0003; the value sent to the trainer
  std::string_view learning_rate_text; ///< as the seed table writes it: "0.0003", "2e-4", ...
  DurationEstimate estimate;           ///< expected wall-clock time, e.g. 3-5 minutes
};

/// Human descriptions of a style, in the seed's two languages.
struct StyleInfo {
  AvatarStyle style;                                ///< the style described
  std::string_view name_en;                         ///< "Portrait" / "Artistic"
  std::string_view name_ru;                         ///< "Портретный" / "Художественный"
  std::string_view description_en;                  ///< one sentence for users, in English
  std::string_view description_ru;                  ///< the same sentence in Russian
  std::string_view default_trainer;                 ///< endpoint id
};

/// The seed's row for a style and preset, e.g. portrait + fast = 500 steps at 0.0003, 3-5 min.
PresetValues GetPreset(AvatarStyle style, QualityPreset preset) noexcept;
/// All six rows, portrait first, fast to quality.
std::vector<PresetValues> AllPresets();
/// Names and descriptions of a style (for menus and messages).
StyleInfo GetStyleInfo(AvatarStyle style) noexcept;

}  // namespace v1
}  // namespace faltrain
