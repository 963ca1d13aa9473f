// The header reader behind `unreadable` (truncation) and the reported size (EXIF orientation).

#include "preflight/detail/image_probe.hpp"

#include "real_photos.hpp"

#include <doctest/doctest.h>

using faltrain::detail::ExifOrientation;
using faltrain::detail::ProbeImage;
using namespace preflight_test;

namespace {

cv::Mat Landscape() { return Photo("coffee.png"); }  // 600x400

}  // namespace

TEST_CASE("a complete JPEG: size, no orientation, complete") {
  const auto probe = ProbeImage(Jpeg(Landscape()));
  CHECK(probe.format == "jpeg");
  CHECK(probe.width == 600);
  CHECK(probe.height == 400);
  CHECK(probe.orientation == 1);
  CHECK(probe.complete);
  CHECK(probe.problem.empty());
}

TEST_CASE("a progressive JPEG is complete too") {
  const auto bytes = Encode(Landscape(), ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  const auto probe = ProbeImage(bytes);
  CHECK(probe.complete);
  CHECK(probe.width == 600);
  CHECK_FALSE(ProbeImage(bytes.substr(0, bytes.size() * 2 / 3)).complete);
}

TEST_CASE("a JPEG cut anywhere after its header is truncated") {
  const auto bytes = Jpeg(Landscape());
  for (double keep : {0.1, 0.5, 0.9, 0.999}) {
    CAPTURE(keep);
    const auto probe = ProbeImage(bytes.substr(0, static_cast<std::size_t>(bytes.size() * keep)));
    CHECK(probe.format == "jpeg");
    CHECK_FALSE(probe.complete);
    CHECK(probe.problem.find("truncated") != std::string::npos);
  }
  CHECK_FALSE(ProbeImage(bytes.substr(0, bytes.size() - 2)).complete);  // without its EOI
}

TEST_CASE("EXIF orientation is read from a JPEG's APP1 segment, both byte orders") {
  const auto jpeg = Jpeg(Landscape());
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CHECK(ProbeImage(WithExifOrientation(jpeg, orientation)).orientation == orientation);
  }
  const std::string little =
      std::string("II\x2A\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0", 22);
  CHECK(ExifOrientation(little) == 6);
  CHECK(ExifOrientation("MM") == 1);
  CHECK(ExifOrientation(std::string("II\x2A\0\xFF\xFF\0\0", 8)) == 1);  // IFD past the end
  CHECK(faltrain::detail::SwapsSides(6));
  CHECK_FALSE(faltrain::detail::SwapsSides(3));
}

TEST_CASE("PNG: size from IHDR, truncated without IEND") {
  const auto bytes = Png(Landscape());
  const auto probe = ProbeImage(bytes);
  CHECK(probe.format == "png");
  CHECK(probe.width == 600);
  CHECK(probe.height == 400);
  CHECK(probe.complete);
  CHECK_FALSE(ProbeImage(bytes.substr(0, bytes.size() / 2)).complete);
  CHECK_FALSE(ProbeImage(bytes.substr(0, bytes.size() - 1)).complete);
}

TEST_CASE("WebP, lossy and lossless: size, truncated when shorter than its RIFF size") {
  for (int quality : {80, 101}) {
    CAPTURE(quality);
    const auto bytes = Encode(Landscape(), ".webp", {cv::IMWRITE_WEBP_QUALITY, quality});
    const auto probe = ProbeImage(bytes);
    CHECK(probe.format == "webp");
    CHECK(probe.width == 600);
    CHECK(probe.height == 400);
    CHECK(probe.complete);
    CHECK_FALSE(ProbeImage(bytes.substr(0, bytes.size() - 10)).complete);
  }
}

TEST_CASE("not an image") {
  const auto probe = ProbeImage("hello, this is text");
  CHECK(probe.format.empty());
  CHECK_FALSE(probe.complete);
  CHECK_FALSE(probe.problem.empty());
  CHECK_FALSE(ProbeImage(std::string("\xFF\xD8\xFF", 3)).complete);
}
