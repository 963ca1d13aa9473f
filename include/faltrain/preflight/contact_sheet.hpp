#pragma once
/// @file
/// A contact sheet of a preflight check, since people would rather look than read: every photo as a
/// thumbnail with its face boxes, framed in its verdict's colour, its reasons written underneath.

#include <faltrain/client/result.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/preflight/report.hpp>

#include <string>

namespace faltrain {
inline namespace v1 {

/// How `ContactSheetPng` lays out the sheet.
struct ContactSheetOptions {
  int thumbnail_side = 240;  ///< longest side of each thumbnail, pixels (64..1024)
  int columns = 0;           ///< photos per row; 0 = about square, at most 5
};

/// The sheet as PNG bytes: thumbnails (EXIF orientation applied) in the set's order, face boxes
/// drawn, framed green (ok), orange (warn) or red (reject), with the photo's name and reasons
/// below; a photo that cannot be decoded is a grey tile. `report` must be the `Preflight` report
/// of `set` (`errc::invalid_argument` when the photo counts differ or the options are out of
/// range).
result<std::string> ContactSheetPng(const TrainingSet& set, const PreflightReport& report,
                                    const ContactSheetOptions& options = {});

}  // namespace v1
}  // namespace faltrain
