#pragma once
// Real public-domain photographs (python3-skimage's sample images: NASA's astronaut portrait, the
// cameraman, coffee, a cat, ...) and the defects the tests derive from them at run time.

#include <faltrain/client/training_set.hpp>
#include <faltrain/preflight/preflight.hpp>

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <string>
#include <utility>
#include <vector>

namespace preflight_test {

/// A sample photo in BGR, e.g. Photo("astronaut.png") (512x512, one face).
inline cv::Mat Photo(const std::string& name) {
  cv::Mat photo = cv::imread(std::string(FALTRAIN_SKIMAGE_DATA) + "/" + name, cv::IMREAD_COLOR);
  REQUIRE_MESSAGE(!photo.empty(), "cannot read " << name << " from " << FALTRAIN_SKIMAGE_DATA);
  return photo;
}

inline std::string Encode(const cv::Mat& image, const std::string& ext,
                          std::vector<int> params = {}) {
  std::vector<uchar> bytes;
  REQUIRE(cv::imencode(ext, image, bytes, params));
  return std::string(bytes.begin(), bytes.end());
}
inline std::string Jpeg(const cv::Mat& image, int quality = 92) {
  return Encode(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, quality});
}
inline std::string Png(const cv::Mat& image) { return Encode(image, ".png"); }

/// `image` resized by `factor` (area average when shrinking, cubic when enlarging).
inline cv::Mat Scaled(const cv::Mat& image, double factor) {
  cv::Mat out;
  cv::resize(image, out, cv::Size(), factor, factor, factor < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  return out;
}
inline cv::Mat Blurred(const cv::Mat& image, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(image, out, cv::Size(), sigma);
  return out;
}
/// Each pixel * gain + offset (saturated).
inline cv::Mat Exposed(const cv::Mat& image, double gain, double offset) {
  cv::Mat out;
  image.convertTo(out, -1, gain, offset);
  return out;
}
inline cv::Mat Mirrored(const cv::Mat& image) {
  cv::Mat out;
  cv::flip(image, out, 1);
  return out;
}
/// Two photos of the same height next to each other.
inline cv::Mat SideBySide(const cv::Mat& left, const cv::Mat& right) {
  cv::Mat out;
  cv::hconcat(left, right, out);
  return out;
}
/// `inner` pasted at (x, y) onto a copy of `background`.
inline cv::Mat Pasted(const cv::Mat& background, const cv::Mat& inner, int x, int y) {
  cv::Mat out = background.clone();
  inner.copyTo(out(cv::Rect(x, y, inner.cols, inner.rows)));
  return out;
}

/// A JPEG with an APP1 Exif segment carrying `orientation` (1..8) right after its SOI marker.
inline std::string WithExifOrientation(const std::string& jpeg, int orientation) {
  const std::string tiff = std::string("MM\0\x2A\0\0\0\x08", 8) + std::string("\0\x01", 2) +
                           std::string("\x01\x12\0\x03\0\0\0\x01\0", 9) +
                           static_cast<char>(orientation) + std::string(6, '\0');
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const std::size_t length = payload.size() + 2;
  return jpeg.substr(0, 2) + "\xFF\xE1" + static_cast<char>(length >> 8) +
         static_cast<char>(length & 0xFF) + payload + jpeg.substr(2);
}

/// A training set of (name, bytes) photos.
inline faltrain::TrainingSet SetOf(std::vector<std::pair<std::string, std::string>> photos) {
  faltrain::TrainingSet set;
  for (auto& [name, bytes] : photos) {
    auto added = set.AddImage(name, std::move(bytes));
    REQUIRE_MESSAGE(added, name << ": " << added.error().to_string());
  }
  return set;
}

/// The check of `set` with default options but `min_photos` 1 (so a small set adds no reason).
inline faltrain::PreflightReport CheckedAlone(const faltrain::TrainingSet& set) {
  faltrain::PreflightOptions options;
  options.min_photos = 1;
  auto report = faltrain::Preflight(set, options);
  REQUIRE_MESSAGE(report, report.error().to_string());
  return std::move(report).value();
}

}  // namespace preflight_test
