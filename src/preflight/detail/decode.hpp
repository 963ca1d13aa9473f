#pragma once
// Decoding at reduced scale: a JPEG is decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT
// scaling) when that still reaches the size wanted. EXIF orientation is applied. Private.

#include "preflight/detail/image_probe.hpp"

#include <opencv2/core.hpp>

#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The image in `bytes` (as `probe` describes it), grayscale or BGR, decoded at the smallest
/// scale whose longest side is still at least `side`, then shrunk (area average) to at most
/// `side`. Empty when it cannot be decoded. OpenCV may throw.
cv::Mat DecodeForSide(std::string_view bytes, const ImageProbe& probe, int side, bool color);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
