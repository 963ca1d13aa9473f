#pragma once
/// @file
/// Thresholds and settings of a preflight check. Every default is documented beside its field.

#include <faltrain/client/trainers.hpp>
#include <faltrain/preflight/report.hpp>

#include <cstddef>
#include <filesystem>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What `Preflight` checks and how strictly; the defaults suit fal's portrait trainers.
struct PreflightOptions {
  // --- the set ---
  /// Fewer usable (not rejected) photos than this: `too_few_photos`. Use `PreflightOptionsFor` to
  /// take the trainer's minimum. Default 4 (`TrainingSetOptions::min_images`).
  std::size_t min_photos = 4;
  /// More photos than this: `too_many_photos`. Default 200 (`TrainingSetOptions::max_images`);
  /// `PreflightOptionsFor` lowers it to the trainer's `max_images` when that is set.
  std::size_t max_photos = 200;

  // --- each photo ---
  /// Shorter side (pixels, oriented) below this: `low_resolution`. Default 512, the smallest
  /// resolution fal's trainers train at.
  int min_side = 512;
  /// `PhotoCheck::sharpness` below this: `blurry`. Default 40 (sharp photos measure in the
  /// hundreds; a Gaussian blur of sigma 2 at analysis size brings them below 20).
  double min_sharpness = 40;
  /// `PhotoCheck::brightness` below this: `too_dark`. Default 50 (of 255).
  double min_brightness = 50;
  /// `PhotoCheck::brightness` above this: `too_bright`. Default 205 (of 255).
  double max_brightness = 205;
  /// Two photos whose perceptual hashes differ in at most this many of 64 bits are near-duplicates;
  /// the later one gets `duplicate`. Default 8 (re-encoding, resizing or a slight crop or colour
  /// change stay within it; different photos of one person differ in more than 20). Negative: off.
  int max_duplicate_distance = 8;

  // --- faces ---
  /// Look for faces (`no_face`, `multiple_faces`, `face_too_small`). Default on; turn it off for
  /// sets of objects or styles rather than people.
  bool detect_faces = true;
  /// The OpenCV cascade that finds face candidates (fast). Empty (default): Debian's opencv-data,
  /// /usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml (then the same file under
  /// /usr/local/share/opencv4 and /usr/share/opencv).
  std::filesystem::path face_model;
  /// The OpenCV cascade that confirms each candidate on its surroundings (fewer false faces).
  /// Empty (default): haarcascades/haarcascade_frontalface_alt2.xml in the same places.
  std::filesystem::path face_check_model;
  /// Largest face's height as a fraction of the photo's shorter side below this: `face_too_small`.
  /// Default 0.15 (a head-and-shoulders portrait measures 0.25 to 0.4, a full-length one under
  /// 0.1).
  double min_face_fraction = 0.15;
  /// A further face counts toward `multiple_faces` when its height is at least this fraction of the
  /// largest face's (smaller ones are people far behind or false detections). Default 0.5.
  double other_face_ratio = 0.5;

  // --- verdicts ---
  /// Reasons that only warn; every other reason rejects the photo (or the set). Default: too_dark,
  /// too_bright, face_too_small.
  std::vector<Reason> warning_reasons = {Reason::kTooDark, Reason::kTooBright,
                                         Reason::kFaceTooSmall};

  // --- speed ---
  /// Longest side, in pixels, of the grayscale copy that sharpness, brightness, the hash and faces
  /// are measured on. JPEGs are decoded at 1/2, 1/4 or 1/8 scale when that still gives this size.
  /// Default 512 (faces down to about a tenth of the longest side are found reliably).
  int analysis_side = 512;
  /// Photos checked at once. 0 (default): one per hardware thread.
  unsigned threads = 0;
};

/// Default options with the trainer's photo counts: `min_photos` is its `min_images`, and
/// `max_photos` its `max_images` when set and below the default (a training set never holds more
/// than `TrainingSetOptions::max_images`).
PreflightOptions PreflightOptionsFor(const TrainerSpec& trainer);

}  // namespace v1
}  // namespace faltrain
