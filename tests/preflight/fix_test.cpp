// FixPhotos on real photos: rejected photos and duplicates left out, EXIF orientation applied to
// the pixels, a small face cropped closer (and then no longer too small); untouched photos keep
// their bytes.

#include <faltrain/preflight.hpp>

#include "real_photos.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace faltrain;
using namespace preflight_test;

TEST_CASE("a fixed set: left out, kept as is, turned upright, cropped to the face") {
  const cv::Mat astronaut = Photo("astronaut.png");
  const auto good = Jpeg(astronaut);
  cv::Mat sideways;
  cv::rotate(Scaled(Mirrored(astronaut), 1.25)(cv::Rect(0, 0, 640, 560)), sideways,
             cv::ROTATE_90_COUNTERCLOCKWISE);
  const cv::Mat scene = Scaled(Photo("coffee.png"), 2)(cv::Rect(0, 0, 1024, 768));
  const auto set = SetOf({{"good.jpg", good},
                          {"copy.jpg", Jpeg(astronaut, 80)},
                          {"tagged.jpg", WithExifOrientation(Jpeg(sideways), 6)},
                          {"far.png", Png(Pasted(scene, astronaut, 300, 200))}});
  const auto report = CheckedAlone(set);
  auto fixed = FixPhotos(set, report);
  REQUIRE_MESSAGE(fixed, fixed.error().to_string());
  const auto& photos = fixed.value();
  REQUIRE(photos.size() == 4);

  CHECK(photos[0].kept);
  CHECK(photos[0].bytes == good);  // nothing to change: the original bytes
  CHECK(photos[0].output_name == "good.jpg");

  CHECK_FALSE(photos[1].kept);
  CHECK(photos[1].reasons == "duplicate of good.jpg");
  CHECK(photos[1].bytes.empty());

  CHECK(photos[2].kept);
  CHECK(photos[2].oriented);
  CHECK_FALSE(photos[2].cropped);
  const std::vector<uchar> upright(photos[2].bytes.begin(), photos[2].bytes.end());
  const cv::Mat decoded = cv::imdecode(upright, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  CHECK(decoded.cols == 640);  // the pixels themselves are upright now
  CHECK(decoded.rows == 560);

  CHECK(photos[3].kept);
  CHECK(photos[3].cropped);
  CHECK(photos[3].reasons == "face_too_small");
  CHECK(photos[3].output_name == "far.png");
  const auto again = CheckedAlone(SetOf({{"far.png", photos[3].bytes}}));
  const auto& cropped = again.photos[0];
  CHECK(cropped.width == 512);  // 3 face heights is less: min_side
  CHECK(cropped.height == 512);
  CHECK(cropped.faces.size() == 1);
  CHECK(cropped.reasons.empty());
}

TEST_CASE("FixPhotos refuses a report of another set and bad options") {
  const auto set = SetOf({{"a.jpg", Jpeg(Photo("astronaut.png"))}});
  const auto report = CheckedAlone(set);
  CHECK(FixPhotos(TrainingSet{}, report).error().code == errc::invalid_argument);
  FixOptions options;
  options.jpeg_quality = 0;
  CHECK(FixPhotos(set, report, options).error().code == errc::invalid_argument);
}
