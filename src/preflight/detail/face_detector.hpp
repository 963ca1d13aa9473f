#pragma once
// Frontal faces with two of OpenCV's cascades (Debian's opencv-data): a fast LBP cascade finds
// candidates on the whole image, a Haar cascade confirms each one on its surroundings (LBP alone
// sees faces in clothing and flags). One detector per thread: a cascade is not safe to use from
// two threads at once. Private.

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
  /// Loads both cascade files; `errc::not_found` when one cannot be read as a cascade.
  static result<FaceDetector> Load(const std::filesystem::path& finder,
                                   const std::filesystem::path& checker);

  /// Confirmed faces in an 8-bit grayscale image, at least `min_size` pixels high, largest first.
  std::vector<cv::Rect> Detect(const cv::Mat& gray, int min_size);

 private:
  bool Confirm(const cv::Mat& gray, const cv::Rect& candidate);

  std::shared_ptr<cv::CascadeClassifier> finder_;
  std::shared_ptr<cv::CascadeClassifier> checker_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
