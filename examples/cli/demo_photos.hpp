#pragma once
// Demo "photos": small, valid PNG portraits drawn by this program (zlib does the deflate), so the
// offline demo needs no image files in the repository and no network.

#include <faltrain/client/result.hpp>

#include <filesystem>
#include <string>

namespace faltrain_cli {

/// A `size`×`size` RGB PNG of a simple face; `index` varies colours and pose.
std::string DemoPortraitPng(int index, int size = 96);

/// Writes `count` portraits as `<dir>/portrait_NN.png` (creating `dir`), each with a
/// `portrait_NN.txt` caption naming `[trigger]`.
faltrain::result<void> WriteDemoPhotos(const std::filesystem::path& dir, int count);

}  // namespace faltrain_cli
