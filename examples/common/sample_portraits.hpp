#pragma once
// Real photographs for the examples and their tests: distinct portraits derived from the
// public-domain astronaut photo (NASA) that Debian's python3-skimage ships, each cropped and
// mirrored differently so that no two are near-duplicates and every one passes faltrain::preflight.
// Needs OpenCV (built with faltrain::preflight).

#include <faltrain/client/result.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace faltrain_examples {

/// The most distinct portraits `SamplePortraitJpegs` makes.
constexpr std::size_t kMaxSamplePortraits = 22;

/// Where the sample images are: `FALTRAIN_SKIMAGE_DATA` when set, else python3-skimage's folder.
std::filesystem::path SkimageDataDir();

/// `count` (at most kMaxSamplePortraits) distinct 640x640 JPEG portraits; `errc::not_found` naming
/// the file when astronaut.png is missing (install python3-skimage), `errc::invalid_argument` for
/// too many.
faltrain::result<std::vector<std::string>> SamplePortraitJpegs(std::size_t count);

}  // namespace faltrain_examples
