#include "preflight/detail/perceptual_hash.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <bitset>

namespace faltrain {
inline namespace v1 {
namespace detail {

std::uint64_t PerceptualHash(const cv::Mat& gray) {
  cv::Mat small;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_32F);
  cv::Mat frequencies;
  cv::dct(small, frequencies);
  std::array<float, 64> low{};
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) low[y * 8 + x] = frequencies.at<float>(y, x);
  }
  // The median leaves out the DC term (overall brightness), which would dominate it.
  std::array<float, 63> ac{};
  std::copy(low.begin() + 1, low.end(), ac.begin());
  std::nth_element(ac.begin(), ac.begin() + 31, ac.end());
  const float median = ac[31];
  std::uint64_t hash = 0;
  for (int i = 0; i < 64; ++i) {
    if (low[i] > median) hash |= std::uint64_t{1} << i;
  }
  return hash;
}

int HashDistance(std::uint64_t a, std::uint64_t b) noexcept {
  return static_cast<int>(std::bitset<64>(a ^ b).count());
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
