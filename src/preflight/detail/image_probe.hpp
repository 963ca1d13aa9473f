#pragma once
// Reads an image's header without decoding it: format, stored size, EXIF orientation, and whether
// the data is complete (decoders half-read a truncated JPEG with only a warning). Private.

#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

struct ImageProbe {
  std::string_view format;  ///< "jpeg", "png", "webp"; empty when not recognised
  int width = 0;            ///< as stored, before orientation (0 when unknown)
  int height = 0;
  int orientation = 1;    ///< EXIF orientation 1..8 (JPEG only; 1 = as stored)
  bool complete = false;  ///< the data reaches the format's end (JPEG EOI, PNG IEND, RIFF size)
  std::string problem;    ///< why it is not complete or not recognised; empty when fine
};

ImageProbe ProbeImage(std::string_view bytes);

/// True for EXIF orientations 5..8, which turn the image a quarter (width and height swap).
constexpr bool SwapsSides(int orientation) { return orientation >= 5 && orientation <= 8; }

/// The EXIF orientation in an APP1 payload after "Exif\0\0" (a TIFF header and IFD0), or 1.
int ExifOrientation(std::string_view tiff);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
