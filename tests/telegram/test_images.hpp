#pragma once
// Images for the conversations: tiny PNGs made here with zlib (each seed a different picture), the
// JPEG shipped in data/, and — when the bot checks photos (faltrain::preflight built) — real
// portraits that pass the check and photos with defects derived from them.

#include <string>

namespace faltrain_bot_test {

/// An 8x8 RGB PNG whose colour depends on `seed` (the photo check rejects it: low resolution).
std::string MakePng(int seed);
/// tests/telegram/data/face.jpg (8x8).
std::string TinyJpeg();
/// A text file that is not an image.
std::string NotAnImage();

/// A photo the bot takes for training: a real portrait (one of 22 distinct ones; consecutive seeds
/// give different photos) when the bot checks photos, else MakePng(seed).
std::string GoodPhoto(int seed);

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
/// GoodPhoto(seed) re-encoded slightly smaller: other bytes, the same picture (a near-duplicate).
std::string NearCopy(int seed);
/// GoodPhoto(seed) under a strong Gaussian blur.
std::string Blurred(int seed);
#endif

}  // namespace faltrain_bot_test
