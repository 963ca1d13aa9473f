#include "preflight/detail/face_detector.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {

result<FaceDetector> FaceDetector::Load(const std::filesystem::path& model) {
  FaceDetector detector;
  detector.cascade_ = std::make_shared<cv::CascadeClassifier>();
  bool loaded = false;
  try {
    loaded = detector.cascade_->load(model.string()) && !detector.cascade_->empty();
  } catch (const cv::Exception&) {
    // OpenCV's XML/YAML reader throws on a file that is neither.
  }
  if (!loaded) {
    return fail(errc::not_found, "cannot load the face model " + model.string() +
                                     " (an OpenCV cascade XML file is expected)");
  }
  return detector;
}

std::vector<cv::Rect> FaceDetector::Detect(const cv::Mat& gray, int min_size) {
  cv::Mat equalized;
  cv::equalizeHist(gray, equalized);
  std::vector<cv::Rect> faces;
  // Scale steps of 10% and 4 agreeing neighbours: few false faces, and fast at analysis size.
  cascade_->detectMultiScale(equalized, faces, 1.1, 4, 0, cv::Size(min_size, min_size));
  std::sort(faces.begin(), faces.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  return faces;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
