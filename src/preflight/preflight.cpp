#include <faltrain/preflight/preflight.hpp>

#include "preflight/detail/advice.hpp"
#include "preflight/detail/face_detector.hpp"
#include "preflight/detail/photo_analysis.hpp"
#include "preflight/detail/verdicts.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <thread>

namespace faltrain {
inline namespace v1 {
namespace {

using detail::FaceDetector;

result<void> CheckOptions(const PreflightOptions& o) {
  if (o.analysis_side < 64)
    return fail(errc::invalid_argument, "analysis_side must be at least 64");
  if (o.min_brightness > o.max_brightness) {
    return fail(errc::invalid_argument, "min_brightness must not exceed max_brightness");
  }
  if (o.min_face_fraction < 0 || o.other_face_ratio < 0 || o.other_face_ratio > 1) {
    return fail(errc::invalid_argument,
                "min_face_fraction must be >= 0 and other_face_ratio between 0 and 1");
  }
  return success();
}

// Measures one photo; an exception from OpenCV makes the photo unreadable, not the call fail.
void MeasureOne(const TrainingSet::Image& image, const PreflightOptions& options,
                FaceDetector* faces, PhotoCheck& check) {
  check.name = image.name;
  try {
    detail::MeasurePhoto(image.bytes, options, faces, check);
  } catch (const std::exception& e) {
    check = PhotoCheck();
    check.name = image.name;
    check.reasons.push_back(Reason::kUnreadable);
    check.detail = std::string("cannot be decoded: ") + e.what();
  }
}

unsigned WorkerCount(const PreflightOptions& options, std::size_t photos) {
  const unsigned wanted =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>(wanted, std::max<std::size_t>(photos, 1)));
}

struct FaceModels {
  std::filesystem::path finder;
  std::filesystem::path checker;
};

// Measures every photo on `workers` threads, each with a face detector of its own (when `models`
// are given). Detectors are loaded before any thread starts, so a model that does not load is an
// error rather than a photo verdict.
result<std::vector<PhotoCheck>> MeasureAll(const TrainingSet& set, const PreflightOptions& options,
                                           const std::optional<FaceModels>& models) {
  const auto& images = set.images();
  std::vector<PhotoCheck> checks(images.size());
  const unsigned workers = WorkerCount(options, images.size());
  std::vector<std::optional<FaceDetector>> detectors(workers);
  if (models) {
    for (auto& detector : detectors) {
      FALTRAIN_TRY(detector, FaceDetector::Load(models->finder, models->checker));
    }
  }
  std::atomic<std::size_t> next{0};
  auto work = [&](unsigned worker) {
    auto* faces = detectors[worker] ? &*detectors[worker] : nullptr;
    for (std::size_t i; (i = next.fetch_add(1)) < images.size();) {
      MeasureOne(images[i], options, faces, checks[i]);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& thread : threads) thread.join();
  return checks;
}

result<PreflightReport> Run(const TrainingSet& set, const PreflightOptions& options) {
  FALTRAIN_TRYV(CheckOptions(options));
  std::optional<FaceModels> models;
  if (options.detect_faces) {
    FALTRAIN_TRY(auto finder, FindFaceModel(options));
    FALTRAIN_TRY(auto checker, FindFaceCheckModel(options));
    models = FaceModels{std::move(finder), std::move(checker)};
  }
  PreflightReport report;
  FALTRAIN_TRY(report.photos, MeasureAll(set, options, models));
  for (auto& photo : report.photos) detail::JudgePhoto(options, photo);
  detail::MarkDuplicates(options, report.photos);
  detail::Conclude(options, report);
  report.advice = detail::Advise(report, options);
  return report;
}

}  // namespace

result<PreflightReport> Preflight(const TrainingSet& set, const PreflightOptions& options) {
  try {
    return Run(set, options);
  } catch (const cv::Exception& e) {
    return fail(errc::io_error, std::string("preflight: OpenCV failed: ") + e.what());
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("preflight failed: ") + e.what());
  }
}

}  // namespace v1
}  // namespace faltrain
