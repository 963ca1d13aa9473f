// Every reason code on real photographs (python3-skimage's public-domain samples) with the defects
// derived from them here, and good portraits passing.

#include <faltrain/preflight.hpp>

#include "real_photos.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>

using namespace faltrain;
using namespace preflight_test;

namespace {

// NASA's portrait of astronaut Eileen Collins, 512x512: one sharp, well-exposed frontal face.
cv::Mat Astronaut() { return Photo("astronaut.png"); }
cv::Mat Rotated(const cv::Mat& image, int code) {
  cv::Mat out;
  cv::rotate(image, out, code);
  return out;
}

// The check of one photo, alone in a set (min_photos 1, so the set adds no reason).
PhotoCheck CheckOne(std::string name, std::string bytes, PreflightOptions options = {}) {
  options.min_photos = 1;
  auto report = Preflight(SetOf({{std::move(name), std::move(bytes)}}), options);
  REQUIRE_MESSAGE(report, report.error().to_string());
  REQUIRE(report.value().photos.size() == 1);
  return report.value().photos.front();
}

bool HasReason(const PhotoCheck& check, Reason reason) {
  return std::find(check.reasons.begin(), check.reasons.end(), reason) != check.reasons.end();
}

std::string Reasons(const PhotoCheck& check) {
  std::string out;
  for (Reason r : check.reasons) out += std::string(to_string(r)) + " ";
  return out;
}

void CheckGood(const PhotoCheck& check, int width, int height) {
  CAPTURE(check.name);
  CAPTURE(Reasons(check));
  CHECK(check.verdict == Verdict::kOk);
  CHECK(check.reasons.empty());
  CHECK(check.width == width);
  CHECK(check.height == height);
  CHECK(check.faces.size() == 1);
  CHECK(check.sharpness > 2 * PreflightOptions{}.min_sharpness);  // well clear of `blurry`
  CHECK(check.detail.empty());
}

}  // namespace

TEST_CASE("good portraits are not faulted, whatever the format and size") {
  const cv::Mat astronaut = Astronaut();
  CheckGood(CheckOne("astronaut.png", Png(astronaut)), 512, 512);
  CheckGood(CheckOne("astronaut.jpg", Jpeg(astronaut, 85)), 512, 512);
  CheckGood(CheckOne("mirrored.webp",
                     Encode(Mirrored(astronaut), ".webp", {cv::IMWRITE_WEBP_QUALITY, 90})),
            512, 512);
  // 2048x2048: decoded at a quarter of its size; the face box is in full-resolution pixels.
  const auto big = CheckOne("big.jpg", Jpeg(Scaled(astronaut, 4)));
  CheckGood(big, 2048, 2048);
  CHECK(big.faces.front().width > 300);
  CHECK(big.faces.front().x > 500);
  // Enlarged 3x: the fast cascade also "sees" a face in the suit's patch; the check rejects it.
  CheckGood(CheckOne("big3.jpg", Jpeg(Scaled(astronaut, 3), 95)), 1536, 1536);
}

TEST_CASE("EXIF orientation is applied: a portrait stored sideways is judged upright") {
  const cv::Mat upright = Scaled(Astronaut(), 1.25)(cv::Rect(0, 0, 640, 560));  // landscape
  const auto reference = CheckOne("upright.jpg", Jpeg(upright));
  CheckGood(reference, 640, 560);
  const auto stored = Jpeg(Rotated(upright, cv::ROTATE_90_COUNTERCLOCKWISE));  // 560x640
  const auto tagged = CheckOne("tagged.jpg", WithExifOrientation(stored, 6));
  CheckGood(tagged, 640, 560);
  // The face box is where it is in the upright photo (within a few pixels of re-encoding).
  CHECK(std::abs(tagged.faces.front().x - reference.faces.front().x) < 8);
  CHECK(std::abs(tagged.faces.front().y - reference.faces.front().y) < 8);
  // The same bytes without the tag are judged as stored.
  const auto untagged = CheckOne("untagged.jpg", stored);
  CHECK(untagged.width == 560);
  CHECK(untagged.height == 640);
}

TEST_CASE("unreadable: truncated JPEG and PNG uploads, and garbage behind a JPEG signature") {
  const auto jpeg = Jpeg(Astronaut());
  for (double keep : {0.3, 0.8, 0.99}) {
    CAPTURE(keep);
    const auto check =
        CheckOne("cut.jpg", jpeg.substr(0, static_cast<std::size_t>(jpeg.size() * keep)));
    CHECK(check.reasons == std::vector<Reason>{Reason::kUnreadable});
    CHECK(check.verdict == Verdict::kReject);
    CHECK(check.detail.find("truncated") != std::string::npos);
  }
  const auto png = Png(Astronaut());
  CHECK(CheckOne("cut.png", png.substr(0, png.size() / 2)).reasons ==
        std::vector<Reason>{Reason::kUnreadable});
  const auto garbage = CheckOne("garbage.jpg", std::string("\xFF\xD8\xFF\xD9", 4) + "not a photo");
  CHECK(garbage.reasons == std::vector<Reason>{Reason::kUnreadable});
  CHECK_FALSE(garbage.detail.empty());
}

TEST_CASE("low_resolution: a downscaled portrait") {
  const auto check = CheckOne("small.jpg", Jpeg(Scaled(Astronaut(), 0.5)));
  CHECK(check.width == 256);
  CHECK(HasReason(check, Reason::kLowResolution));
  CHECK(check.verdict == Verdict::kReject);
}

TEST_CASE("blurry: a blurred portrait, a slight blur passes") {
  const auto blurred = CheckOne("blurred.jpg", Jpeg(Blurred(Astronaut(), 3)));
  CHECK(blurred.reasons == std::vector<Reason>{Reason::kBlurry});
  CHECK(blurred.faces.size() == 1);
  CHECK(blurred.verdict == Verdict::kReject);
  CHECK(blurred.sharpness < 40);
  CheckGood(CheckOne("soft.jpg", Jpeg(Blurred(Astronaut(), 0.7))), 512, 512);
}

TEST_CASE("too_dark and too_bright warn, sharpness does not mistake exposure for blur") {
  const auto dark = CheckOne("dark.jpg", Jpeg(Exposed(Astronaut(), 0.3, 0)));
  CHECK(dark.reasons == std::vector<Reason>{Reason::kTooDark});
  CHECK(dark.verdict == Verdict::kWarn);
  CHECK(dark.brightness < 50);
  const auto bright = CheckOne("bright.jpg", Jpeg(Exposed(Astronaut(), 0.3, 180)));
  CHECK(bright.reasons == std::vector<Reason>{Reason::kTooBright});
  CHECK(bright.verdict == Verdict::kWarn);
  CHECK(bright.brightness > 205);
}

TEST_CASE("duplicate: a re-encoded, cropped, brightened copy, byte-identical copies, not others") {
  const cv::Mat astronaut = Astronaut();
  const cv::Mat cat = Scaled(Photo("chelsea.png"), 2);
  const cv::Mat near = Exposed(astronaut(cv::Rect(6, 6, 506, 506)), 1.05, 6);
  PreflightOptions options;
  options.min_photos = 1;
  options.detect_faces = false;
  auto report = Preflight(SetOf({{"a.png", Png(astronaut)},
                                 {"cat.jpg", Jpeg(cat)},
                                 {"b.jpg", Jpeg(Scaled(near, 1.1), 75)},
                                 {"cat2.jpg", Jpeg(cat)},
                                 {"mirrored.jpg", Jpeg(Mirrored(astronaut))}}),
                          options);
  REQUIRE(report);
  const auto& photos = report.value().photos;
  CHECK(photos[0].reasons.empty());
  CHECK(photos[1].reasons.empty());
  CHECK(photos[2].reasons == std::vector<Reason>{Reason::kDuplicate});
  CHECK(photos[2].duplicate_of == 0u);
  CHECK(photos[3].reasons == std::vector<Reason>{Reason::kDuplicate});
  CHECK(photos[3].duplicate_of == 1u);
  CHECK(photos[4].reasons.empty());  // a mirror image is a different photo to a trainer
  CHECK(report.value().advice.front().find("b.jpg (duplicate of a.png)") != std::string::npos);
}

TEST_CASE("duplicate: the sharp copy is kept even when the blurred one comes first") {
  PreflightOptions options;
  options.min_photos = 1;
  auto report = Preflight(
      SetOf({{"blurred.jpg", Jpeg(Blurred(Astronaut(), 3))}, {"sharp.jpg", Jpeg(Astronaut())}}),
      options);
  REQUIRE(report);
  const auto& photos = report.value().photos;
  CHECK(photos[0].reasons == std::vector<Reason>{Reason::kBlurry, Reason::kDuplicate});
  CHECK(photos[0].duplicate_of == 1u);
  CHECK(photos[1].reasons.empty());
}

TEST_CASE("no_face: real photos without people") {
  for (const char* name : {"coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png"}) {
    CAPTURE(name);
    const auto check = CheckOne(name, Png(Scaled(Photo(name), 2)));
    CHECK(check.reasons == std::vector<Reason>{Reason::kNoFace});
    CHECK(check.faces.empty());
  }
}

TEST_CASE("multiple_faces: two people side by side") {
  const cv::Mat astronaut = Astronaut();
  const auto check = CheckOne("two.jpg", Jpeg(SideBySide(astronaut, Mirrored(astronaut))));
  CHECK(check.reasons == std::vector<Reason>{Reason::kMultipleFaces});
  REQUIRE(check.faces.size() == 2);
  const auto left = std::min(check.faces[0].x, check.faces[1].x);
  const auto right = std::max(check.faces[0].x, check.faces[1].x);
  CHECK(left < 512);
  CHECK(right > 512);
}

TEST_CASE("face_too_small: the portrait far off in a wider scene") {
  const cv::Mat scene = Scaled(Photo("coffee.png"), 2)(cv::Rect(0, 0, 1024, 768));
  const auto check = CheckOne("far.jpg", Jpeg(Pasted(scene, Astronaut(), 300, 200)));
  CHECK(check.reasons == std::vector<Reason>{Reason::kFaceTooSmall});
  CHECK(check.verdict == Verdict::kWarn);
  REQUIRE(check.faces.size() == 1);
  CHECK(check.faces.front().x > 300);
  CHECK(check.faces.front().y > 200);
}

TEST_CASE("a mixed set: reasons per photo, set verdict and advice") {
  const cv::Mat astronaut = Astronaut();
  const auto jpeg = Jpeg(astronaut);
  auto report = Preflight(SetOf({{"good.jpg", jpeg},
                                 {"cut.jpg", jpeg.substr(0, jpeg.size() / 2)},
                                 {"coffee.jpg", Jpeg(Scaled(Photo("coffee.png"), 2))},
                                 {"dark.jpg", Jpeg(Exposed(Mirrored(astronaut), 0.3, 0))}}));
  REQUIRE(report);
  const auto& r = report.value();
  CHECK(r.photos[0].verdict == Verdict::kOk);
  CHECK(r.photos[1].verdict == Verdict::kReject);
  CHECK(r.photos[2].verdict == Verdict::kReject);
  CHECK(r.photos[3].verdict == Verdict::kWarn);
  CHECK(r.usable_photos == 2);
  CHECK(r.set_reasons == std::vector<Reason>{Reason::kTooFewPhotos});
  CHECK(r.verdict == Verdict::kReject);
  CHECK_FALSE(r.usable());
  REQUIRE(r.advice.size() == 3);
  CHECK(r.advice[0] ==
        "Leave out or replace 2 rejected photos: cut.jpg (unreadable), "
        "coffee.jpg (no_face).");
  CHECK(r.advice[1] == "Consider replacing 1 photo with warnings: dark.jpg (too_dark).");
  CHECK(r.advice[2] ==
        "Add at least 2 more good photos: the trainer needs 4, the set has 2 usable.");
}
