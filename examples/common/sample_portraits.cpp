#include "sample_portraits.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <iterator>

namespace faltrain_examples {
namespace {

// Square crops of the 512x512 photo (side, left, top): far enough apart that their perceptual
// hashes differ in more than preflight's near-duplicate distance, and each keeps the face large.
struct Crop {
  int side, x, y;
};
constexpr Crop kCrops[] = {{512, 0, 0},  {448, 0, 0},   {448, 64, 0},  {448, 0, 64},
                           {448, 64, 64}, {384, 32, 0},  {384, 96, 32}, {416, 48, 16},
                           {400, 80, 60}, {360, 100, 20}, {440, 30, 50}};
constexpr int kSide = 640;
static_assert(kMaxSamplePortraits == 2 * std::size(kCrops), "each crop, as is and mirrored");

}  // namespace

std::filesystem::path SkimageDataDir() {
  const char* dir = std::getenv("FALTRAIN_SKIMAGE_DATA");
  return dir && *dir ? dir : "/usr/lib/python3/dist-packages/skimage/data";
}

faltrain::result<std::vector<std::string>> SamplePortraitJpegs(std::size_t count) {
  if (count > kMaxSamplePortraits) {
    return faltrain::fail(faltrain::errc::invalid_argument,
                          "at most " + std::to_string(kMaxSamplePortraits) + " sample portraits");
  }
  const std::filesystem::path path = SkimageDataDir() / "astronaut.png";
  const cv::Mat astronaut = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (astronaut.cols < 512 || astronaut.rows < 512) {
    return faltrain::fail(faltrain::errc::not_found,
                          "cannot read " + path.string() + " (install Debian's python3-skimage)");
  }
  std::vector<std::string> photos;
  for (std::size_t i = 0; i < count; ++i) {
    const Crop& c = kCrops[i / 2];
    cv::Mat photo;
    cv::resize(astronaut(cv::Rect(c.x, c.y, c.side, c.side)), photo, cv::Size(kSide, kSide), 0, 0,
               cv::INTER_CUBIC);
    if (i % 2) cv::flip(photo, photo, 1);
    std::vector<uchar> jpeg;
    if (!cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90})) {
      return faltrain::fail(faltrain::errc::io_error, "cannot encode a sample portrait");
    }
    photos.emplace_back(jpeg.begin(), jpeg.end());
  }
  return photos;
}

}  // namespace faltrain_examples
