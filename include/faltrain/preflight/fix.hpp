#pragma once
/// @file
/// A cleaned training set from a preflight check: rejected photos and duplicates left out, every
/// photo upright (EXIF orientation applied to its pixels), small faces cropped closer.

#include <faltrain/client/result.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/preflight/report.hpp>

#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// How `FixPhotos` crops and re-encodes.
struct FixOptions {
  /// A photo with `face_too_small` is cropped to a square of this many face heights around its
  /// face, but not below `min_side` (nor beyond the photo). Default 3: head and shoulders.
  double crop_face_heights = 3;
  /// The smallest side a crop may have. Default 512 (`PreflightOptions::min_side`'s default).
  int min_side = 512;
  int jpeg_quality = 95;  ///< for photos that are re-encoded as JPEG (1..100)
};

/// What became of one photo.
struct FixedPhoto {
  std::string name;         ///< the photo's name in the set
  bool kept = false;        ///< false: left out, because its verdict is `reject`
  std::string reasons;      ///< why it was left out or changed, e.g. "duplicate of a.jpg"
  bool oriented = false;    ///< its EXIF orientation was applied to the pixels
  bool cropped = false;     ///< cropped to a square around the face
  std::string output_name;  ///< the name to write it under (kept only; ".jpg" or ".png")
  std::string bytes;        ///< the photo to write (kept only): the original bytes when unchanged
  std::string caption;      ///< the set's caption for it
};

/// One `FixedPhoto` per photo of `set`, in order. `report` must be `set`'s `Preflight` report
/// (`errc::invalid_argument` when the photo counts differ or the options are out of range).
result<std::vector<FixedPhoto>> FixPhotos(const TrainingSet& set, const PreflightReport& report,
                                          const FixOptions& options = {});

}  // namespace v1
}  // namespace faltrain
