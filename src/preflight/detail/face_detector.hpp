#pragma once
// Frontal faces with one of OpenCV's cascades (Debian's opencv-data). One detector per thread: a
// cascade is not safe to use from two threads at once. Private.

#include <faltrain/client/result.hpp>

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include <filesystem>
#include <memory>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

class FaceDetector {
 public:
  /// Loads a cascade file; `errc::not_found` when it cannot be read as one.
  static result<FaceDetector> Load(const std::filesystem::path& model);

  /// Faces in an 8-bit grayscale image at least `min_size` pixels high, largest first.
  std::vector<cv::Rect> Detect(const cv::Mat& gray, int min_size);

 private:
  std::shared_ptr<cv::CascadeClassifier> cascade_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
