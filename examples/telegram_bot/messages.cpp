#include "messages.hpp"

#include <cctype>

namespace faltrain_bot {

const Messages& MessagesFor(std::string_view language_code) {
  if (language_code.size() >= 2 && std::tolower(static_cast<unsigned char>(language_code[0])) == 'r' &&
      std::tolower(static_cast<unsigned char>(language_code[1])) == 'u' &&
      (language_code.size() == 2 || language_code[2] == '-' || language_code[2] == '_')) {
    return RussianMessages();
  }
  return EnglishMessages();
}

std::string ReasonsText(const Messages& m, const PhotoFinding& finding) {
  std::string text;
  for (const auto& code : finding.reasons) {
    if (!text.empty()) text += ", ";
    text += m.Reason(code, finding.duplicate_of);
  }
  return text;
}

std::vector<std::string> RejectedLines(const Messages& m, const SetFinding& set) {
  std::vector<std::string> lines;
  for (const auto& photo : set.photos) {
    if (photo.rejected) lines.push_back(photo.name + " — " + ReasonsText(m, photo));
  }
  return lines;
}

faltrain::DurationEstimate StyleEstimate(faltrain::AvatarStyle style) {
  return {faltrain::GetPreset(style, faltrain::QualityPreset::kFast).estimate.min,
          faltrain::GetPreset(style, faltrain::QualityPreset::kQuality).estimate.max};
}

faltrain::AvatarStyle StyleFrom(std::string_view text) {
  auto style = faltrain::ParseAvatarStyle(text);
  return style ? style.value() : faltrain::AvatarStyle::kPortrait;
}

faltrain::QualityPreset PresetFrom(std::string_view text) {
  auto preset = faltrain::ParseQualityPreset(text);
  return preset ? preset.value() : faltrain::QualityPreset::kBalanced;
}

}  // namespace faltrain_bot
