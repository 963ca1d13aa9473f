// Preflight's contract beyond single photos: reason codes, options, the face model, set-level
// reasons and parallel checking.

#include <faltrain/preflight.hpp>

#include "real_photos.hpp"

#include <doctest/doctest.h>

using namespace faltrain;
using namespace preflight_test;

namespace {

// Distinct, good photos for set-level checks: the astronaut, mirrored and cropped differently.
TrainingSet GoodSet(int count) {
  const cv::Mat astronaut = Photo("astronaut.png");
  std::vector<std::pair<std::string, std::string>> photos;
  for (int i = 0; i < count; ++i) {
    const cv::Mat variant = i % 2 ? Mirrored(astronaut) : astronaut;
    photos.emplace_back("photo" + std::to_string(i) + ".jpg", Jpeg(variant, 70 + i));
  }
  return SetOf(photos);
}

}  // namespace

TEST_CASE("reason codes and verdicts are stable strings that parse back") {
  for (int i = 0; i <= static_cast<int>(Reason::kTooManyPhotos); ++i) {
    const auto reason = static_cast<Reason>(i);
    CAPTURE(to_string(reason));
    CHECK(to_string(reason) != "unknown");
    CHECK(ParseReason(to_string(reason)).value() == reason);
  }
  CHECK(to_string(Reason::kLowResolution) == "low_resolution");
  CHECK(to_string(Reason::kFaceTooSmall) == "face_too_small");
  CHECK_FALSE(ParseReason("nope").has_value());
  CHECK(to_string(Verdict::kOk) == "ok");
  CHECK(to_string(Verdict::kWarn) == "warn");
  CHECK(to_string(Verdict::kReject) == "reject");
  for (auto verdict : {Verdict::kOk, Verdict::kWarn, Verdict::kReject}) {
    CHECK(ParseVerdict(to_string(verdict)).value() == verdict);
  }
  CHECK(ParseVerdict("maybe").error().code == errc::invalid_argument);
}

TEST_CASE("the face model: found in Debian's opencv-data, a clear error when missing") {
  auto standard = FindFaceModel();
  REQUIRE_MESSAGE(standard, standard.error().to_string());
  CHECK(standard.value().string().find("/opencv4/") != std::string::npos);
  auto check = FindFaceCheckModel();
  REQUIRE_MESSAGE(check, check.error().to_string());
  CHECK(check.value().string().find("haarcascade_frontalface_alt2.xml") != std::string::npos);

  PreflightOptions options;
  options.face_model = "/nonexistent/cascade.xml";
  auto missing = Preflight(GoodSet(1), options);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::not_found);
  CHECK(missing.error().message.find("/nonexistent/cascade.xml") != std::string::npos);

  options.face_model = FALTRAIN_SKIMAGE_DATA "/astronaut.png";  // a file, but no cascade
  auto wrong = Preflight(GoodSet(1), options);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == errc::not_found);

  options.face_model.clear();
  options.face_check_model = "/nonexistent/check.xml";
  auto no_checker = Preflight(GoodSet(1), options);
  REQUIRE_FALSE(no_checker);
  CHECK(no_checker.error().message.find("/nonexistent/check.xml") != std::string::npos);

  options.detect_faces = false;  // then no model is needed and no face reason is given
  options.min_photos = 1;
  auto without = Preflight(SetOf({{"coffee.png", Png(Scaled(Photo("coffee.png"), 2))}}), options);
  REQUIRE(without);
  CHECK(without.value().photos[0].reasons.empty());
  CHECK(without.value().verdict == Verdict::kOk);
}

TEST_CASE("unusable options are refused") {
  PreflightOptions options;
  options.analysis_side = 10;
  CHECK(Preflight(GoodSet(1), options).error().code == errc::invalid_argument);
  options = {};
  options.min_brightness = 200;
  options.max_brightness = 100;
  CHECK(Preflight(GoodSet(1), options).error().code == errc::invalid_argument);
  options = {};
  options.other_face_ratio = 2;
  CHECK(Preflight(GoodSet(1), options).error().code == errc::invalid_argument);
}

TEST_CASE("thresholds and severities are configurable") {
  PreflightOptions options;
  options.min_photos = 1;
  const auto blurred = SetOf({{"blurred.jpg", Jpeg(Blurred(Photo("astronaut.png"), 3))}});
  options.warning_reasons.push_back(Reason::kBlurry);
  auto warned = Preflight(blurred, options);
  REQUIRE(warned);
  CHECK(warned.value().photos[0].verdict == Verdict::kWarn);
  CHECK(warned.value().verdict == Verdict::kWarn);
  CHECK(warned.value().usable());
  options.min_sharpness = 1;
  auto passed = Preflight(blurred, options);
  REQUIRE(passed);
  CHECK(passed.value().photos[0].reasons.empty());
  options.min_side = 1024;
  CHECK(Preflight(blurred, options).value().photos[0].reasons ==
        std::vector<Reason>{Reason::kLowResolution});
}

TEST_CASE("the set: too few usable photos for the trainer, too many photos") {
  auto empty = Preflight(TrainingSet{});
  REQUIRE(empty);
  CHECK(empty.value().set_reasons == std::vector<Reason>{Reason::kTooFewPhotos});
  CHECK(empty.value().verdict == Verdict::kReject);

  auto portrait = TrainerRegistry::WithBuiltins().Find("fal-ai/flux-lora-portrait-trainer");
  REQUIRE(portrait);
  const auto for_portrait = PreflightOptionsFor(portrait.value());
  CHECK(for_portrait.min_photos == 10);
  auto two = Preflight(GoodSet(2), for_portrait);
  REQUIRE(two);
  CHECK(two.value().usable_photos == 2);
  CHECK(two.value().min_photos == 10);
  CHECK(two.value().set_reasons == std::vector<Reason>{Reason::kTooFewPhotos});
  CHECK(two.value().advice.back().find("8 more") != std::string::npos);

  PreflightOptions options;
  options.min_photos = 1;
  options.max_photos = 1;
  auto many = Preflight(GoodSet(2), options);
  REQUIRE(many);
  CHECK(many.value().set_reasons == std::vector<Reason>{Reason::kTooManyPhotos});
  CHECK(many.value().verdict == Verdict::kReject);
}

TEST_CASE("the set's limits are the trainer's: its minimum, and its maximum when fal documents one") {
  // No built-in trainer has a documented maximum: the training set's limit applies.
  for (const auto& trainer : TrainerRegistry::WithBuiltins().List()) {
    CAPTURE(trainer.endpoint_id);
    CHECK_FALSE(trainer.max_images.has_value());
    CHECK(PreflightOptionsFor(trainer).max_photos == TrainingSetOptions{}.max_images);
  }
  TrainerSpec capped;
  capped.min_images = 1;
  capped.max_images = 1;
  const auto options = PreflightOptionsFor(capped);
  CHECK(options.min_photos == 1);
  CHECK(options.max_photos == 1);
  auto report = Preflight(GoodSet(2), options);
  REQUIRE(report);
  CHECK(report.value().set_reasons == std::vector<Reason>{Reason::kTooManyPhotos});
  // A maximum above the training set's own limit cannot raise it.
  capped.max_images = 100000;
  CHECK(PreflightOptionsFor(capped).max_photos == TrainingSetOptions{}.max_images);
}

TEST_CASE("a good set passes with every photo ok and no advice") {
  PreflightOptions options;
  options.min_photos = 2;
  options.max_duplicate_distance = -1;  // the variants are one photo, after all
  auto report = Preflight(GoodSet(4), options);
  REQUIRE(report);
  CHECK(report.value().verdict == Verdict::kOk);
  CHECK(report.value().usable());
  CHECK(report.value().usable_photos == 4);
  CHECK(report.value().advice.empty());
}

TEST_CASE("one thread or many: the same report, in the set's order") {
  std::vector<std::pair<std::string, std::string>> photos;
  const char* names[] = {"astronaut.png", "coffee.png", "chelsea.png", "camera.png", "rocket.jpg"};
  for (const char* name : names) photos.emplace_back(name, Png(Scaled(Photo(name), 1.5)));
  const auto set = SetOf(photos);
  PreflightOptions one;
  one.threads = 1;
  PreflightOptions many;
  many.threads = 4;
  auto a = Preflight(set, one);
  auto b = Preflight(set, many);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a.value().photos.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(a.value().photos[i].name == names[i]);
    CHECK(b.value().photos[i].name == names[i]);
    CHECK(a.value().photos[i].reasons == b.value().photos[i].reasons);
    CHECK(a.value().photos[i].perceptual_hash == b.value().photos[i].perceptual_hash);
    CHECK(a.value().photos[i].sharpness == b.value().photos[i].sharpness);
  }
}
