#pragma once
// A 64-bit perceptual hash (the low frequencies of a 32x32 DCT against their median): near-copies
// (re-encoded, resized, slightly cropped or recoloured) differ in few bits. Private.

#include <opencv2/core.hpp>

#include <cstdint>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The hash of a single-channel 8-bit image.
std::uint64_t PerceptualHash(const cv::Mat& gray);

/// Bits in which two hashes differ (0..64).
int HashDistance(std::uint64_t a, std::uint64_t b) noexcept;

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
