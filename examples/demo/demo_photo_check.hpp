#pragma once
// The demo's photos and their check before training. With faltrain::preflight built (and
// python3-skimage installed) the demo trains from real portraits and shows preflight's table before
// any training is submitted; without it, from generated portraits with no check, as before.

#include <faltrain/client/result.hpp>
#include <faltrain/client/trainers.hpp>
#include <faltrain/client/training_set.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

namespace faltrain_demo {

/// Whether this build checks photos (faltrain::preflight).
bool PhotoChecksBuilt();

/// Writes `count` real portraits (portrait_NN.jpg) into `dir`. Fails when this build has no photo
/// check or the sample photos are missing; the caller then writes generated ones.
faltrain::result<void> WriteRealPortraits(const std::filesystem::path& dir, int count);

/// What the check said.
struct PhotoCheckOutcome {
  bool ran = false;     ///< false: built without faltrain::preflight
  bool usable = true;   ///< the set can be trained as it is
  std::string summary;  ///< "ok: 12 of 12 photos usable (the trainer needs 10)"
};

/// Checks `set` with `trainer`'s photo counts and prints the table to `out` (as `faltrain check`).
faltrain::result<PhotoCheckOutcome> CheckPhotos(std::FILE* out, const faltrain::TrainingSet& set,
                                                const faltrain::TrainerSpec& trainer);

}  // namespace faltrain_demo
