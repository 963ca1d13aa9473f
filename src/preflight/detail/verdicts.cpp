#include "preflight/detail/verdicts.hpp"

#include "preflight/detail/perceptual_hash.hpp"

#include <algorithm>
#include <numeric>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

bool Has(const PhotoCheck& check, Reason reason) {
  return std::find(check.reasons.begin(), check.reasons.end(), reason) != check.reasons.end();
}

bool IsRejected(const PhotoCheck& check, const PreflightOptions& options) {
  return std::any_of(check.reasons.begin(), check.reasons.end(),
                     [&](Reason r) { return SeverityOf(r, options) == Verdict::kReject; });
}

void JudgeFaces(const PreflightOptions& options, PhotoCheck& check) {
  if (check.faces.empty()) {
    check.reasons.push_back(Reason::kNoFace);
    return;
  }
  if (check.faces.size() > 1) check.reasons.push_back(Reason::kMultipleFaces);
  const double shorter = std::min(check.width, check.height);
  if (check.faces.front().height < options.min_face_fraction * shorter) {
    check.reasons.push_back(Reason::kFaceTooSmall);
  }
}

Verdict PhotoVerdict(const PhotoCheck& check, const PreflightOptions& options) {
  Verdict verdict = Verdict::kOk;
  for (Reason r : check.reasons) verdict = std::max(verdict, SeverityOf(r, options));
  return verdict;
}

}  // namespace

Verdict SeverityOf(Reason reason, const PreflightOptions& options) {
  const auto& warn = options.warning_reasons;
  return std::find(warn.begin(), warn.end(), reason) != warn.end() ? Verdict::kWarn
                                                                   : Verdict::kReject;
}

void JudgePhoto(const PreflightOptions& options, PhotoCheck& check) {
  if (Has(check, Reason::kUnreadable)) return;
  if (std::min(check.width, check.height) < options.min_side) {
    check.reasons.push_back(Reason::kLowResolution);
  }
  if (check.sharpness < options.min_sharpness) check.reasons.push_back(Reason::kBlurry);
  if (check.brightness < options.min_brightness) check.reasons.push_back(Reason::kTooDark);
  if (check.brightness > options.max_brightness) check.reasons.push_back(Reason::kTooBright);
  if (options.detect_faces) JudgeFaces(options, check);
}

void MarkDuplicates(const PreflightOptions& options, std::vector<PhotoCheck>& photos) {
  if (options.max_duplicate_distance < 0) return;
  std::vector<std::size_t> order(photos.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return !IsRejected(photos[a], options) && IsRejected(photos[b], options);
  });
  std::vector<std::size_t> kept;
  for (std::size_t index : order) {
    auto& photo = photos[index];
    if (Has(photo, Reason::kUnreadable)) continue;
    auto original = std::find_if(kept.begin(), kept.end(), [&](std::size_t k) {
      return HashDistance(photos[k].perceptual_hash, photo.perceptual_hash) <=
             options.max_duplicate_distance;
    });
    if (original == kept.end()) {
      kept.push_back(index);
    } else {
      photo.reasons.push_back(Reason::kDuplicate);
      photo.duplicate_of = *original;
    }
  }
}

void Conclude(const PreflightOptions& options, PreflightReport& report) {
  report.verdict = Verdict::kOk;
  report.usable_photos = 0;
  for (auto& photo : report.photos) {
    std::sort(photo.reasons.begin(), photo.reasons.end());
    photo.verdict = PhotoVerdict(photo, options);
    if (photo.verdict != Verdict::kReject) ++report.usable_photos;
    report.verdict = std::max(report.verdict, photo.verdict);
  }
  report.min_photos = options.min_photos;
  if (report.usable_photos < options.min_photos)
    report.set_reasons.push_back(Reason::kTooFewPhotos);
  if (report.photos.size() > options.max_photos) {
    report.set_reasons.push_back(Reason::kTooManyPhotos);
  }
  for (Reason r : report.set_reasons)
    report.verdict = std::max(report.verdict, SeverityOf(r, options));
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
