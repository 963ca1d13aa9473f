#include "preflight/detail/face_detector.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// A candidate is confirmed on its box plus a third of its size around, scaled so the box is this
// many pixels wide: large enough for the Haar cascade, small enough to be cheap.
constexpr int kConfirmSide = 96;

result<std::shared_ptr<cv::CascadeClassifier>> LoadCascade(const std::filesystem::path& model) {
  auto cascade = std::make_shared<cv::CascadeClassifier>();
  bool loaded = false;
  try {
    loaded = cascade->load(model.string()) && !cascade->empty();
  } catch (const cv::Exception&) {
    // OpenCV's XML/YAML reader throws on a file that is neither.
  }
  if (!loaded) {
    return fail(errc::not_found, "cannot load the face model " + model.string() +
                                     " (an OpenCV cascade XML file is expected)");
  }
  return cascade;
}

}  // namespace

result<FaceDetector> FaceDetector::Load(const std::filesystem::path& finder,
                                        const std::filesystem::path& checker) {
  FaceDetector detector;
  FALTRAIN_TRY(detector.finder_, LoadCascade(finder));
  FALTRAIN_TRY(detector.checker_, LoadCascade(checker));
  return detector;
}

bool FaceDetector::Confirm(const cv::Mat& gray, const cv::Rect& candidate) {
  const int margin = candidate.width / 3;
  const cv::Rect around = cv::Rect(candidate.x - margin, candidate.y - margin,
                                   candidate.width + 2 * margin, candidate.height + 2 * margin) &
                          cv::Rect(0, 0, gray.cols, gray.rows);
  const double scale = static_cast<double>(kConfirmSide) / candidate.width;
  cv::Mat patch;
  cv::resize(gray(around), patch, cv::Size(), scale, scale,
             scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  std::vector<cv::Rect> faces;
  const int min_side = kConfirmSide * 6 / 10;
  checker_->detectMultiScale(patch, faces, 1.05, 3, 0, cv::Size(min_side, min_side));
  return !faces.empty();
}

std::vector<cv::Rect> FaceDetector::Detect(const cv::Mat& gray, int min_size) {
  cv::Mat equalized;
  cv::equalizeHist(gray, equalized);
  std::vector<cv::Rect> candidates;
  // Scale steps of 10% and 4 agreeing neighbours: few false candidates, and fast.
  finder_->detectMultiScale(equalized, candidates, 1.1, 4, 0, cv::Size(min_size, min_size));
  std::vector<cv::Rect> faces;
  for (const auto& candidate : candidates) {
    if (Confirm(equalized, candidate)) faces.push_back(candidate);
  }
  std::sort(faces.begin(), faces.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  return faces;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
