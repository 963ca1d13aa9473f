// Built when faltrain::preflight is not (FALTRAIN_WITH_PREFLIGHT=OFF): the bot checks only the
// format and size of photos.
#include "photo_checks.hpp"

namespace faltrain_bot {
namespace {

faltrain::error NotBuilt() {
  return faltrain::error(faltrain::errc::unsupported,
                         "photo checks are not built (FALTRAIN_WITH_PREFLIGHT=OFF)");
}

}  // namespace

faltrain::result<void> PhotoChecksReady() { return faltrain::fail(NotBuilt()); }

faltrain::result<PhotoFinding> CheckOnePhoto(const std::string&, std::string_view,
                                             const faltrain::TrainerSpec&) {
  return faltrain::fail(NotBuilt());
}

faltrain::result<SetFinding> CheckPhotoSet(const std::vector<StoredPhoto>&,
                                           const faltrain::TrainerSpec&, bool) {
  return faltrain::fail(NotBuilt());
}

}  // namespace faltrain_bot
