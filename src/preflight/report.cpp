#include <faltrain/preflight/report.hpp>

#include <array>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace {

constexpr std::array<std::pair<Reason, std::string_view>, 11> kReasonCodes = {{
    {Reason::kUnreadable, "unreadable"},
    {Reason::kLowResolution, "low_resolution"},
    {Reason::kBlurry, "blurry"},
    {Reason::kTooDark, "too_dark"},
    {Reason::kTooBright, "too_bright"},
    {Reason::kDuplicate, "duplicate"},
    {Reason::kNoFace, "no_face"},
    {Reason::kMultipleFaces, "multiple_faces"},
    {Reason::kFaceTooSmall, "face_too_small"},
    {Reason::kTooFewPhotos, "too_few_photos"},
    {Reason::kTooManyPhotos, "too_many_photos"},
}};

}  // namespace

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kWarn: return "warn";
    case Verdict::kReject: return "reject";
  }
  return "unknown";
}

std::string_view to_string(Reason r) noexcept {
  for (const auto& [reason, code] : kReasonCodes) {
    if (reason == r) return code;
  }
  return "unknown";
}

std::optional<Reason> ParseReason(std::string_view code) noexcept {
  for (const auto& [reason, known] : kReasonCodes) {
    if (known == code) return reason;
  }
  return std::nullopt;
}

}  // namespace v1
}  // namespace faltrain
