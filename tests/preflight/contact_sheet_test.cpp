// The contact sheet: a thumbnail per photo, framed in its verdict's colour, on real photos.

#include <faltrain/preflight.hpp>

#include "real_photos.hpp"

#include <doctest/doctest.h>

using namespace faltrain;
using namespace preflight_test;

namespace {

cv::Mat DecodePng(const std::string& png) {
  const std::vector<uchar> bytes(png.begin(), png.end());
  cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  REQUIRE_FALSE(image.empty());
  return image;
}

bool Near(const cv::Vec3b& pixel, cv::Vec3b want) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(pixel[c] - want[c]) > 12) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a sheet of three photos: a 2x2 grid, frames in the verdicts' colours") {
  const cv::Mat astronaut = Photo("astronaut.png");
  const auto set = SetOf({{"good.jpg", Jpeg(astronaut)},
                          {"coffee.png", Png(Photo("coffee.png"))},
                          {"dark.jpg", Jpeg(Exposed(Mirrored(astronaut), 0.3, 0))}});
  const auto report = CheckedAlone(set);
  auto png = ContactSheetPng(set, report);
  REQUIRE_MESSAGE(png, png.error().to_string());
  CHECK(png.value().substr(1, 3) == "PNG");
  const cv::Mat sheet = DecodePng(png.value());
  // Cells of 240 + 2*10 wide, 240 + 3*10 + 3*16 high.
  CHECK(sheet.cols == 2 * 260);
  CHECK(sheet.rows == 2 * 318);
  // Left edges of the frames: good (green) at x 7, coffee (red; 240x160 thumbnail) at 260 + 7,
  // dark (orange) at 7 in the second row.
  CHECK(Near(sheet.at<cv::Vec3b>(120, 7), {60, 170, 40}));
  CHECK(Near(sheet.at<cv::Vec3b>(130, 267), {40, 40, 220}));
  CHECK(Near(sheet.at<cv::Vec3b>(318 + 120, 7), {0, 150, 255}));
  // The empty fourth cell is background.
  CHECK(Near(sheet.at<cv::Vec3b>(318 + 120, 260 + 130), {245, 245, 245}));
}

TEST_CASE("an unreadable photo is a grey tile, options and mismatched reports are refused") {
  const auto jpeg = Jpeg(Photo("astronaut.png"));
  const auto set = SetOf({{"cut.jpg", jpeg.substr(0, 100)}});
  const auto report = CheckedAlone(set);
  ContactSheetOptions sheet_options;
  sheet_options.thumbnail_side = 100;
  auto png = ContactSheetPng(set, report, sheet_options);
  REQUIRE(png);
  const cv::Mat sheet = DecodePng(png.value());
  CHECK(sheet.cols == 120);
  CHECK(Near(sheet.at<cv::Vec3b>(50, 60), {150, 150, 150}));

  sheet_options.thumbnail_side = 10;
  CHECK(ContactSheetPng(set, report, sheet_options).error().code == errc::invalid_argument);
  CHECK(ContactSheetPng(TrainingSet{}, report).error().code == errc::invalid_argument);
}
