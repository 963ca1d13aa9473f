// The photo check with faltrain::preflight (built when the component is).
#include "photo_checks.hpp"

#include <faltrain/preflight.hpp>

namespace faltrain_bot {
namespace {

faltrain::PreflightOptions OptionsFor(const faltrain::TrainerSpec& trainer) {
  faltrain::PreflightOptions options = faltrain::PreflightOptionsFor(trainer);
  options.threads = 2;  // the bot's work queue runs other users' work beside it
  return options;
}

PhotoFinding FindingOf(const faltrain::PreflightReport& report, std::size_t index) {
  const faltrain::PhotoCheck& check = report.photos[index];
  PhotoFinding finding;
  finding.name = check.name;
  finding.rejected = check.verdict == faltrain::Verdict::kReject;
  for (auto reason : check.reasons) finding.reasons.emplace_back(faltrain::to_string(reason));
  if (check.duplicate_of) finding.duplicate_of = report.photos[*check.duplicate_of].name;
  return finding;
}

faltrain::result<faltrain::TrainingSet> SetOf(const std::vector<StoredPhoto>& photos) {
  faltrain::TrainingSet set;
  for (const auto& photo : photos) FALTRAIN_TRYV(set.AddImage(photo.name, photo.bytes));
  return set;
}

}  // namespace

faltrain::result<void> PhotoChecksReady() {
  FALTRAIN_TRYV(faltrain::FindFaceModel());
  FALTRAIN_TRYV(faltrain::FindFaceCheckModel());
  return faltrain::success();
}

faltrain::result<PhotoFinding> CheckOnePhoto(const std::string& name, std::string_view bytes,
                                             const faltrain::TrainerSpec& trainer) {
  FALTRAIN_TRY(auto set, SetOf({{name, std::string(bytes)}}));
  faltrain::PreflightOptions options = OptionsFor(trainer);
  options.min_photos = 1;  // the set's size is judged before training, not per photo
  options.threads = 1;
  FALTRAIN_TRY(auto report, faltrain::Preflight(set, options));
  return FindingOf(report, 0);
}

faltrain::result<SetFinding> CheckPhotoSet(const std::vector<StoredPhoto>& photos,
                                           const faltrain::TrainerSpec& trainer, bool with_sheet) {
  FALTRAIN_TRY(auto set, SetOf(photos));
  FALTRAIN_TRY(auto report, faltrain::Preflight(set, OptionsFor(trainer)));
  SetFinding finding;
  for (std::size_t i = 0; i < report.photos.size(); ++i) finding.photos.push_back(FindingOf(report, i));
  finding.usable = report.usable_photos;
  if (with_sheet) {
    FALTRAIN_TRY(finding.sheet_png, faltrain::ContactSheetPng(set, report));
  }
  return finding;
}

}  // namespace faltrain_bot
