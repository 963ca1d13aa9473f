#include "preflight/detail/photo_analysis.hpp"

#include "preflight/detail/decode.hpp"
#include "preflight/detail/image_probe.hpp"
#include "preflight/detail/perceptual_hash.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Faces smaller than this many pixels of the analysis copy are not looked for.
constexpr int kMinFacePixels = 20;

// The image with its 1st..99th percentile of brightness stretched to 0..255, so that exposure
// does not pass for blur (a darkened photo has weaker edges, not softer ones).
cv::Mat Stretched(const cv::Mat& gray) {
  int histogram[256] = {};
  for (int y = 0; y < gray.rows; ++y) {
    const auto* row = gray.ptr<uchar>(y);
    for (int x = 0; x < gray.cols; ++x) ++histogram[row[x]];
  }
  const int total = gray.rows * gray.cols;
  int low = 0, high = 255;
  for (int seen = 0; low < 255 && (seen += histogram[low]) < total / 100;) ++low;
  for (int seen = 0; high > 0 && (seen += histogram[high]) < total / 100;) --high;
  if (high <= low) return gray;
  cv::Mat out;
  const double gain = 255.0 / (high - low);
  gray.convertTo(out, CV_8U, gain, -low * gain);
  return out;
}

double LaplacianVariance(const cv::Mat& gray) {
  cv::Mat laplacian;
  cv::Laplacian(Stretched(gray), laplacian, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

// Faces scaled to the full-resolution photo; those much smaller than the largest are left out.
void FindFaces(const cv::Mat& gray, double to_full, const PreflightOptions& options,
               FaceDetector& detector, PhotoCheck& check) {
  const auto found = detector.Detect(gray, kMinFacePixels);
  for (const auto& face : found) {
    if (face.height < options.other_face_ratio * found.front().height) continue;
    check.faces.push_back(FaceBox{static_cast<int>(std::lround(face.x * to_full)),
                                  static_cast<int>(std::lround(face.y * to_full)),
                                  static_cast<int>(std::lround(face.width * to_full)),
                                  static_cast<int>(std::lround(face.height * to_full))});
  }
}

}  // namespace

void MeasurePhoto(std::string_view bytes, const PreflightOptions& options, FaceDetector* faces,
                  PhotoCheck& check) {
  const auto probe = ProbeImage(bytes);
  check.format = std::string(probe.format);
  if (!probe.problem.empty()) {
    check.reasons.push_back(Reason::kUnreadable);
    check.detail = probe.problem;
    return;
  }
  const cv::Mat gray = DecodeForSide(bytes, probe, options.analysis_side, /*color=*/false);
  if (gray.empty()) {
    check.reasons.push_back(Reason::kUnreadable);
    check.detail = "the " + check.format + " data cannot be decoded";
    return;
  }
  const bool swap = SwapsSides(probe.orientation);
  // A probe without a size (a rare JPEG that gives it after the first scan) is never reduced.
  check.width = probe.width > 0 ? (swap ? probe.height : probe.width) : gray.cols;
  check.height = probe.height > 0 ? (swap ? probe.width : probe.height) : gray.rows;
  check.brightness = cv::mean(gray)[0];
  check.sharpness = LaplacianVariance(gray);
  check.perceptual_hash = PerceptualHash(gray);
  if (faces != nullptr) {
    FindFaces(gray, static_cast<double>(check.width) / gray.cols, options, *faces, check);
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
