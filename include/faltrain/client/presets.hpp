#pragma once
// Avatar styles and quality presets: the seed product's tables, exact, queryable.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What the avatar is for. Picks the trainer (see `TrainerRegistry::ForStyle`).
enum class AvatarStyle { kPortrait, kArtistic };
/// Speed versus quality of a training.
enum class QualityPreset { kFast, kBalanced, kQuality };

std::string_view to_string(AvatarStyle s) noexcept;     ///< "portrait" / "artistic"
std::string_view to_string(QualityPreset p) noexcept;   ///< "fast" / "balanced" / "quality"
/// The inverse of `to_string(AvatarStyle)`; case-insensitive.
result<AvatarStyle> ParseAvatarStyle(std::string_view text);
/// The inverse of `to_string(QualityPreset)`; case-insensitive.
result<QualityPreset> ParseQualityPreset(std::string_view text);

/// A range of expected wall-clock minutes, e.g. 3–5.
struct DurationEstimate {
  std::chrono::minutes min;
  std::chrono::minutes max;
  std::chrono::minutes midpoint() const { return (min + max) / 2; }
};

/// The training parameters one preset means for one style.
struct PresetValues {
  AvatarStyle style;
  QualityPreset preset;
  std::int64_t steps;                  ///< steps (portrait) or iterations (artistic)
  double learning_rate;
  std::string_view learning_rate_text; ///< as the seed table writes it: "0.0003", "2e-4", ...
  DurationEstimate estimate;
};

/// Human descriptions of a style, in the seed's two languages.
struct StyleInfo {
  AvatarStyle style;
  std::string_view name_en, name_ru;                ///< "Portrait" / "Портретный"
  std::string_view description_en, description_ru;
  std::string_view default_trainer;                 ///< endpoint id
};

PresetValues GetPreset(AvatarStyle style, QualityPreset preset) noexcept;
/// All six rows, portrait first, fast to quality.
std::vector<PresetValues> AllPresets();
StyleInfo GetStyleInfo(AvatarStyle style) noexcept;

}  // namespace v1
}  // namespace faltrain
