#include "preflight/detail/photo_analysis.hpp"

#include "preflight/detail/image_probe.hpp"
#include "preflight/detail/perceptual_hash.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Faces smaller than this many pixels of the analysis copy are not looked for.
constexpr int kMinFacePixels = 20;

// The imdecode flag that decodes a JPEG at the smallest DCT scale (1/8, 1/4, 1/2) whose longest
// side still reaches `side`; other formats decode at full size (their flags would only resize).
int DecodeFlag(const ImageProbe& probe, int side) {
  if (probe.format != "jpeg") return cv::IMREAD_GRAYSCALE;
  const int longest = std::max(probe.width, probe.height);
  if (longest >= 8 * side) return cv::IMREAD_REDUCED_GRAYSCALE_8;
  if (longest >= 4 * side) return cv::IMREAD_REDUCED_GRAYSCALE_4;
  if (longest >= 2 * side) return cv::IMREAD_REDUCED_GRAYSCALE_2;
  return cv::IMREAD_GRAYSCALE;
}

cv::Mat Decode(std::string_view bytes, int flag) {
  const cv::Mat data(1, static_cast<int>(bytes.size()), CV_8U,
                     const_cast<char*>(bytes.data()));  // imdecode only reads it
  return cv::imdecode(data, flag);
}

// The decoded image shrunk (area average) so its longest side is at most `side`.
cv::Mat AnalysisCopy(const cv::Mat& decoded, int side) {
  const double scale = static_cast<double>(side) / std::max(decoded.cols, decoded.rows);
  if (scale >= 1) return decoded;
  cv::Mat small;
  cv::resize(decoded, small, cv::Size(), scale, scale, cv::INTER_AREA);
  return small;
}

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
  const cv::Mat decoded = Decode(bytes, DecodeFlag(probe, options.analysis_side));
  if (decoded.empty()) {
    check.reasons.push_back(Reason::kUnreadable);
    check.detail = "the " + check.format + " data cannot be decoded";
    return;
  }
  const bool swap = SwapsSides(probe.orientation);
  check.width = probe.width > 0 ? (swap ? probe.height : probe.width) : decoded.cols;
  check.height = probe.height > 0 ? (swap ? probe.width : probe.height) : decoded.rows;
  const cv::Mat gray = AnalysisCopy(decoded, options.analysis_side);
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
