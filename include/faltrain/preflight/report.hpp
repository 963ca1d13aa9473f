#pragma once
/// @file
/// What a preflight check found: a verdict per photo with machine-readable reasons and the measured
/// values, and a verdict for the whole set with advice.

#include <faltrain/client/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// How usable a photo (or a whole set) is for training. Ordered: a worse verdict compares greater.
enum class Verdict {
  kOk = 0,      ///< nothing found
  kWarn = 1,    ///< usable, but the avatar may be worse for it
  kReject = 2,  ///< leave it out (a photo) or do not train with it as it is (a set)
};
/// "ok", "warn", "reject".
std::string_view to_string(Verdict v) noexcept;
/// The inverse of `to_string(Verdict)`; case-insensitive.
result<Verdict> ParseVerdict(std::string_view text);

/// Why a photo or a set was faulted. `to_string` gives the stable, machine-readable code.
enum class Reason {
  kUnreadable,     ///< "unreadable": not decodable, or truncated (the data ends before the image)
  kLowResolution,  ///< "low_resolution": the shorter side is below `PreflightOptions::min_side`
  kBlurry,         ///< "blurry": sharpness below `PreflightOptions::min_sharpness`
  kTooDark,        ///< "too_dark": mean brightness below `PreflightOptions::min_brightness`
  kTooBright,      ///< "too_bright": mean brightness above `PreflightOptions::max_brightness`
  kDuplicate,      ///< "duplicate": a near-copy of an earlier photo (perceptual hash)
  kNoFace,         ///< "no_face": no face found
  kMultipleFaces,  ///< "multiple_faces": more than one prominent face
  kFaceTooSmall,   ///< "face_too_small": the face is below `PreflightOptions::min_face_fraction`
  kTooFewPhotos,   ///< "too_few_photos" (set): fewer usable photos than the trainer needs
  kTooManyPhotos,  ///< "too_many_photos" (set): more photos than `PreflightOptions::max_photos`
};
/// The reason's code, e.g. "low_resolution".
std::string_view to_string(Reason r) noexcept;
/// The inverse of `to_string(Reason)`; case-insensitive; `errc::invalid_argument` for an unknown code.
result<Reason> ParseReason(std::string_view code);

/// A face's bounding box in the oriented, full-resolution photo, in pixels.
struct FaceBox {
  int x = 0;       ///< left edge
  int y = 0;       ///< top edge
  int width = 0;   ///< box width
  int height = 0;  ///< box height
};

/// The check of one photo.
struct PhotoCheck {
  std::string name;                ///< the photo's name in the training set
  Verdict verdict = Verdict::kOk;  ///< the worst severity among `reasons` (ok when none)
  std::vector<Reason> reasons;     ///< what was found, in `Reason` order; empty = nothing
  std::string detail;              ///< for `unreadable`: what is wrong with the file; else empty
  std::string format;              ///< "jpeg", "png" or "webp"; empty when not recognised
  int width = 0;                   ///< width in pixels, EXIF orientation applied (0 if unreadable)
  int height = 0;                  ///< height in pixels, EXIF orientation applied (0 if unreadable)
  /// Variance of the Laplacian of the grayscale analysis copy (longest side
  /// `PreflightOptions::analysis_side`, contrast stretched so exposure does not count); higher is
  /// sharper: sharp photos measure in the hundreds, blurred ones in the tens.
  double sharpness = 0;
  double brightness = 0;              ///< mean luma of the analysis copy, 0 (black) to 255 (white)
  std::vector<FaceBox> faces;         ///< faces found, largest first (empty when not checked)
  std::uint64_t perceptual_hash = 0;  ///< 64-bit DCT hash of the analysis copy
  /// For `duplicate`: the index (in `PreflightReport::photos`) of the photo it copies, the one to
  /// keep (a photo without other rejecting reasons is kept before one with them, then set order).
  std::optional<std::size_t> duplicate_of;
};

/// The check of a whole training set.
struct PreflightReport {
  std::vector<PhotoCheck> photos;   ///< one per photo, in the training set's order
  std::vector<Reason> set_reasons;  ///< `too_few_photos` / `too_many_photos`; empty = none
  /// `reject` if a photo is rejected or the set has a reason; else `warn` if a photo has a warning;
  /// else `ok`.
  Verdict verdict = Verdict::kOk;
  std::size_t usable_photos = 0;    ///< photos that are not rejected
  std::size_t min_photos = 0;       ///< the minimum the check applied (see `PreflightOptions`)
  std::vector<std::string> advice;  ///< what to do, one English sentence each; empty when ok

  /// True when the set can be trained as it is (the verdict is not `reject`).
  bool usable() const noexcept { return verdict != Verdict::kReject; }
};

/// A photo's reasons for people: codes joined by ", ", a duplicate naming the photo it copies
/// ("blurry, duplicate of a.jpg"); empty when it has none. `photo` indexes `report.photos`.
std::string DescribeReasons(const PreflightReport& report, std::size_t photo);

}  // namespace v1
}  // namespace faltrain
