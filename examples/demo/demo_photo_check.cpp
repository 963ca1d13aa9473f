#include "demo_photo_check.hpp"

#ifdef FALTRAIN_DEMO_WITH_PREFLIGHT
#include "preflight_table.hpp"
#include "sample_portraits.hpp"

#include <faltrain/preflight.hpp>

#include <cstdio>
#include <fstream>
#endif

namespace faltrain_demo {

#ifdef FALTRAIN_DEMO_WITH_PREFLIGHT

bool PhotoChecksBuilt() { return true; }

faltrain::result<void> WriteRealPortraits(const std::filesystem::path& dir, int count) {
  FALTRAIN_TRY(auto portraits, faltrain_examples::SamplePortraitJpegs(static_cast<std::size_t>(count)));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return faltrain::fail(faltrain::errc::io_error, "cannot create " + dir.string() + ": " + ec.message());
  for (std::size_t i = 0; i < portraits.size(); ++i) {
    char name[48];
    std::snprintf(name, sizeof name, "portrait_%02zu.jpg", i + 1);
    std::ofstream file(dir / name, std::ios::binary | std::ios::trunc);
    file << portraits[i];
    if (!file.flush()) return faltrain::fail(faltrain::errc::io_error, "cannot write " + (dir / name).string());
  }
  return faltrain::success();
}

faltrain::result<PhotoCheckOutcome> CheckPhotos(std::FILE* out, const faltrain::TrainingSet& set,
                                                const faltrain::TrainerSpec& trainer) {
  FALTRAIN_TRY(auto report, faltrain::Preflight(set, faltrain::PreflightOptionsFor(trainer)));
  faltrain_cli::PrintPreflightTable(out, report);
  return PhotoCheckOutcome{true, report.usable(), faltrain_cli::PreflightSummaryLine(report)};
}

#else

bool PhotoChecksBuilt() { return false; }

faltrain::result<void> WriteRealPortraits(const std::filesystem::path&, int) {
  return faltrain::fail(faltrain::errc::unsupported, "built without faltrain::preflight");
}

faltrain::result<PhotoCheckOutcome> CheckPhotos(std::FILE*, const faltrain::TrainingSet&,
                                                const faltrain::TrainerSpec&) {
  return PhotoCheckOutcome{};
}

#endif

}  // namespace faltrain_demo
