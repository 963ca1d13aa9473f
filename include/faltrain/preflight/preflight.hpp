#pragma once
/// @file
/// Preflight: checks every photo of a training set (decodable, resolution, sharpness, exposure,
/// near-duplicates, faces) and the set's size before any money is spent on a training.

#include <faltrain/client/result.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/preflight/options.hpp>
#include <faltrain/preflight/report.hpp>

namespace faltrain {
inline namespace v1 {

/// Checks `set`'s photos (in parallel; EXIF orientation applied) and the set as a whole. A photo
/// that cannot be read is reported (`unreadable`), not an error. Fails with
/// `errc::invalid_argument` for unusable options and `errc::not_found` when face detection is on
/// and a face model cannot be found or loaded (install Debian's opencv-data or set
/// `PreflightOptions::face_model` / `face_check_model`).
result<PreflightReport> Preflight(const TrainingSet& set, const PreflightOptions& options = {});

/// The face-finding cascade `Preflight` would use: `options.face_model` when set and present, else
/// the first of the standard locations that exists; `errc::not_found` (naming them) when none does.
result<std::filesystem::path> FindFaceModel(const PreflightOptions& options = {});
/// The same for the cascade that confirms faces (`options.face_check_model`).
result<std::filesystem::path> FindFaceCheckModel(const PreflightOptions& options = {});

}  // namespace v1
}  // namespace faltrain
