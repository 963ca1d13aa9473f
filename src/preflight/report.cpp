#include <faltrain/preflight/report.hpp>

#include "client/detail/enum_text.hpp"

#include <array>
#include <string>
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

result<Reason> ParseReason(std::string_view code) {
  return detail::ParseEnum(code, "reason",
                           {Reason::kUnreadable, Reason::kLowResolution, Reason::kBlurry,
                            Reason::kTooDark, Reason::kTooBright, Reason::kDuplicate, Reason::kNoFace,
                            Reason::kMultipleFaces, Reason::kFaceTooSmall, Reason::kTooFewPhotos,
                            Reason::kTooManyPhotos});
}

result<Verdict> ParseVerdict(std::string_view text) {
  return detail::ParseEnum(text, "verdict", {Verdict::kOk, Verdict::kWarn, Verdict::kReject});
}

std::string DescribeReasons(const PreflightReport& report, std::size_t index) {
  if (index >= report.photos.size()) return {};
  const auto& photo = report.photos[index];
  std::string text;
  for (Reason r : photo.reasons) {
    text += (text.empty() ? "" : ", ") + std::string(to_string(r));
    if (r == Reason::kDuplicate && photo.duplicate_of &&
        *photo.duplicate_of < report.photos.size()) {
      text += " of " + report.photos[*photo.duplicate_of].name;
    }
  }
  return text;
}

}  // namespace v1
}  // namespace faltrain
