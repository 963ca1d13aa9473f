#pragma once
// The photo check before training (faltrain::preflight): each photo on arrival, the whole set before
// a training starts, and a contact sheet to send back. Optional at compile time: without
// faltrain::preflight (FALTRAIN_WITH_PREFLIGHT=OFF) photo_checks_off.cpp is built instead, and
// PhotoChecksReady() says so; the bot then takes every photo that is a JPEG, PNG or WebP, as before.

#include "bot_store.hpp"

#include <faltrain/client/result.hpp>
#include <faltrain/client/trainers.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain_bot {

/// What the check found in one photo; reasons are preflight's codes ("blurry", "no_face", ...).
struct PhotoFinding {
  std::string name;
  bool rejected = false;             ///< not to be trained with
  std::vector<std::string> reasons;  ///< empty: nothing found
  std::string duplicate_of;          ///< for "duplicate": the photo it copies
};

/// The check of a draft's photos.
struct SetFinding {
  std::vector<PhotoFinding> photos;  ///< one per photo, in order
  std::size_t usable = 0;            ///< photos not rejected
  std::string sheet_png;             ///< the contact sheet, when asked for (and made)
  bool passed() const {
    for (const auto& p : photos) {
      if (p.rejected) return false;
    }
    return true;
  }
};

/// Success when photos can be checked here; else why not (`errc::unsupported` for a build
/// without faltrain::preflight, `errc::not_found` when OpenCV's face model is missing).
faltrain::result<void> PhotoChecksReady();
/// One photo on its own, as `trainer` would take it (near-duplicates are found by CheckPhotoSet).
faltrain::result<PhotoFinding> CheckOnePhoto(const std::string& name, std::string_view bytes,
                                             const faltrain::TrainerSpec& trainer);
/// The whole set (near-duplicates too), with its contact sheet as PNG when `with_sheet`.
faltrain::result<SetFinding> CheckPhotoSet(const std::vector<StoredPhoto>& photos,
                                           const faltrain::TrainerSpec& trainer, bool with_sheet);

}  // namespace faltrain_bot
