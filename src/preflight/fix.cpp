#include <faltrain/preflight/fix.hpp>

#include "preflight/detail/image_probe.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faltrain {
inline namespace v1 {
namespace {

bool Has(const PhotoCheck& photo, Reason reason) {
  return std::find(photo.reasons.begin(), photo.reasons.end(), reason) != photo.reasons.end();
}

// A square `crop_face_heights` face heights wide (at least `min_side`) around the face, inside
// the image.
cv::Rect SquareAroundFace(const FaceBox& face, cv::Size image, const FixOptions& options) {
  const int heights = static_cast<int>(std::lround(face.height * options.crop_face_heights));
  const int side = std::min({std::max(heights, options.min_side), image.width, image.height});
  const int cx = face.x + face.width / 2, cy = face.y + face.height / 2;
  const int x = std::clamp(cx - side / 2, 0, image.width - side);
  const int y = std::clamp(cy - side / 2, 0, image.height - side);
  return cv::Rect(x, y, side, side);
}

std::string Stem(const std::string& name) { return name.substr(0, name.rfind('.')); }

// Decodes at full size (orientation applied), crops if asked, and re-encodes.
result<void> Rewrite(const TrainingSet::Image& image, const PhotoCheck& photo,
                     const FixOptions& options, FixedPhoto& fixed) {
  const std::vector<uchar> data(image.bytes.begin(), image.bytes.end());
  cv::Mat pixels = cv::imdecode(data, cv::IMREAD_COLOR);
  if (pixels.empty()) return fail(errc::io_error, "cannot decode " + image.name);
  if (fixed.cropped) {
    pixels = pixels(SquareAroundFace(photo.faces.front(), pixels.size(), options));
  }
  const bool png = photo.format == "png";
  std::vector<uchar> encoded;
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
  if (!cv::imencode(png ? ".png" : ".jpg", pixels, encoded, png ? std::vector<int>{} : params)) {
    return fail(errc::io_error, "cannot encode " + image.name);
  }
  fixed.bytes.assign(encoded.begin(), encoded.end());
  fixed.output_name = Stem(image.name) + (png ? ".png" : ".jpg");
  return success();
}

result<FixedPhoto> FixOne(const TrainingSet::Image& image, const PreflightReport& report,
                          std::size_t index, const FixOptions& options) {
  const PhotoCheck& photo = report.photos[index];
  FixedPhoto fixed;
  fixed.name = image.name;
  fixed.caption = image.caption;
  fixed.reasons = DescribeReasons(report, index);
  fixed.kept = photo.verdict != Verdict::kReject;
  if (!fixed.kept) return fixed;
  fixed.oriented = detail::ProbeImage(image.bytes).orientation != 1;
  fixed.cropped = Has(photo, Reason::kFaceTooSmall) && !photo.faces.empty();
  if (!fixed.oriented && !fixed.cropped) {
    fixed.output_name = image.name;
    fixed.bytes = image.bytes;
    return fixed;
  }
  FALTRAIN_TRYV(Rewrite(image, photo, options, fixed));
  return fixed;
}

}  // namespace

result<std::vector<FixedPhoto>> FixPhotos(const TrainingSet& set, const PreflightReport& report,
                                          const FixOptions& options) {
  if (report.photos.size() != set.images().size()) {
    return fail(errc::invalid_argument,
                "the report is not of this training set (photo counts differ)");
  }
  if (options.crop_face_heights < 1 || options.jpeg_quality < 1 || options.jpeg_quality > 100) {
    return fail(errc::invalid_argument, "crop_face_heights must be >= 1 and jpeg_quality 1..100");
  }
  std::vector<FixedPhoto> fixed;
  try {
    for (std::size_t i = 0; i < report.photos.size(); ++i) {
      FALTRAIN_TRY(auto photo, FixOne(set.images()[i], report, i, options));
      fixed.push_back(std::move(photo));
    }
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("fixing the photos failed: ") + e.what());
  }
  return fixed;
}

}  // namespace v1
}  // namespace faltrain
