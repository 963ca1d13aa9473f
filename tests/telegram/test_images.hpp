#pragma once
// Tiny valid images for the conversations: PNGs made here with zlib (each seed a different
// picture, so no two are duplicates) and the JPEG shipped in data/.

#include <string>

namespace faltrain_bot_test {

/// An 8x8 RGB PNG whose colour depends on `seed`.
std::string MakePng(int seed);
/// tests/telegram/data/face.jpg.
std::string TinyJpeg();
/// A text file that is not an image.
std::string NotAnImage();

}  // namespace faltrain_bot_test
