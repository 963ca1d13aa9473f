#include <faltrain/client/presets.hpp>

#include "client/detail/enum_text.hpp"


#include <algorithm>
#include <array>
#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace {

using std::chrono::minutes;

// The seed product's table, exact (design.md "Quality presets").
constexpr std::array<PresetValues, 6> kPresets = {{
    {AvatarStyle::kPortrait, QualityPreset::kFast, 500, 0.0003, "0.0003", {minutes(3), minutes(5)}},
    {AvatarStyle::kPortrait, QualityPreset::kBalanced, 1000, 0.0002, "0.0002",
     {minutes(5), minutes(15)}},
    {AvatarStyle::kPortrait, QualityPreset::kQuality, 2500, 0.0001, "0.0001",
     {minutes(15), minutes(30)}},
    {AvatarStyle::kArtistic, QualityPreset::kFast, 200, 2e-4, "2e-4", {minutes(5), minutes(10)}},
    {AvatarStyle::kArtistic, QualityPreset::kBalanced, 500, 1e-4, "1e-4",
     {minutes(10), minutes(20)}},
    {AvatarStyle::kArtistic, QualityPreset::kQuality, 1000, 5e-5, "5e-5",
     {minutes(20), minutes(45)}},
}};

constexpr StyleInfo kPortraitInfo{
    AvatarStyle::kPortrait,
    "Portrait",
    "Портретный",
    "Realistic photos of a person: faces and portraits that look like the photos you sent.",
    "Реалистичные фотографии человека: лица и портреты, похожие на присланные фото.",
    "fal-ai/flux-lora-portrait-trainer"};

constexpr StyleInfo kArtisticInfo{
    AvatarStyle::kArtistic,
    "Artistic",
    "Художественный",
    "Stylised artistic images: the person as a painting, illustration or other art style.",
    "Стилизованные художественные изображения: человек в виде картины, иллюстрации или в другом "
    "художественном стиле.",
    "fal-ai/flux-pro-trainer"};

}  // namespace

std::string_view to_string(AvatarStyle s) noexcept {
  switch (s) {
    case AvatarStyle::kPortrait: return "portrait";
    case AvatarStyle::kArtistic: return "artistic";
  }
  return "portrait";
}

std::string_view to_string(QualityPreset p) noexcept {
  switch (p) {
    case QualityPreset::kFast: return "fast";
    case QualityPreset::kBalanced: return "balanced";
    case QualityPreset::kQuality: return "quality";
  }
  return "balanced";
}

result<AvatarStyle> ParseAvatarStyle(std::string_view text) {
  return detail::ParseEnum(text, "avatar style", {AvatarStyle::kPortrait, AvatarStyle::kArtistic});
}

result<QualityPreset> ParseQualityPreset(std::string_view text) {
  return detail::ParseEnum(text, "quality preset",
                           {QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality});
}

PresetValues GetPreset(AvatarStyle style, QualityPreset preset) noexcept {
  for (const auto& row : kPresets) {
    if (row.style == style && row.preset == preset) return row;
  }
  return kPresets[1];  // unreachable for valid enum values: portrait/balanced
}

std::vector<PresetValues> AllPresets() { return {kPresets.begin(), kPresets.end()}; }

StyleInfo GetStyleInfo(AvatarStyle style) noexcept {
  return style == AvatarStyle::kArtistic ? kArtisticInfo : kPortraitInfo;
}

}  // namespace v1
}  // namespace faltrain
