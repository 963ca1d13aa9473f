#include "preflight/detail/decode.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// The imdecode flag that decodes a JPEG at the smallest DCT scale (1/8, 1/4, 1/2) whose longest
// side still reaches `side`; other formats decode at full size (their flags would only resize).
int DecodeFlag(const ImageProbe& probe, int side, bool color) {
  const int full = color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE;
  if (probe.format != "jpeg") return full;
  const int longest = std::max(probe.width, probe.height);
  if (longest >= 8 * side)
    return color ? cv::IMREAD_REDUCED_COLOR_8 : cv::IMREAD_REDUCED_GRAYSCALE_8;
  if (longest >= 4 * side)
    return color ? cv::IMREAD_REDUCED_COLOR_4 : cv::IMREAD_REDUCED_GRAYSCALE_4;
  if (longest >= 2 * side)
    return color ? cv::IMREAD_REDUCED_COLOR_2 : cv::IMREAD_REDUCED_GRAYSCALE_2;
  return full;
}

}  // namespace

cv::Mat DecodeForSide(std::string_view bytes, const ImageProbe& probe, int side, bool color) {
  const cv::Mat data(1, static_cast<int>(bytes.size()), CV_8U,
                     const_cast<char*>(bytes.data()));  // imdecode only reads it
  cv::Mat decoded = cv::imdecode(data, DecodeFlag(probe, side, color));
  if (decoded.empty()) return decoded;
  const double scale = static_cast<double>(side) / std::max(decoded.cols, decoded.rows);
  if (scale >= 1) return decoded;
  cv::Mat small;
  cv::resize(decoded, small, cv::Size(), scale, scale, cv::INTER_AREA);
  return small;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
