#pragma once
// Measures one photo: decodes a reduced grayscale copy (EXIF orientation applied), then its size,
// sharpness, brightness, perceptual hash and faces. Reasons are judged later (verdicts.hpp).
// Private.

#include "preflight/detail/face_detector.hpp"

#include <faltrain/preflight/options.hpp>
#include <faltrain/preflight/report.hpp>

#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Fills `check`'s measured values (format, width, height, sharpness, brightness, faces, hash).
/// An unreadable photo gets `Reason::kUnreadable` and `detail`. `faces` may be null (not checked).
/// OpenCV may throw; the caller catches.
void MeasurePhoto(std::string_view bytes, const PreflightOptions& options, FaceDetector* faces,
                  PhotoCheck& check);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
