#include "preflight/detail/advice.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// "a.jpg (blurry, too_dark), b.jpg (duplicate of a.jpg)" for the photos with this verdict.
std::string ListPhotos(const PreflightReport& report, Verdict verdict, std::size_t& count) {
  std::string list;
  count = 0;
  for (std::size_t i = 0; i < report.photos.size(); ++i) {
    if (report.photos[i].verdict != verdict) continue;
    list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", report.photos[i].name,
                        DescribeReasons(report, i));
    ++count;
  }
  return list;
}

void AdvisePhotos(const PreflightReport& report, std::vector<std::string>& advice) {
  std::size_t count = 0;
  const auto rejected = ListPhotos(report, Verdict::kReject, count);
  if (count > 0) {
    advice.push_back(fmt::format("Leave out or replace {} rejected photo{}: {}.", count,
                                 count == 1 ? "" : "s", rejected));
  }
  const auto warned = ListPhotos(report, Verdict::kWarn, count);
  if (count > 0) {
    advice.push_back(fmt::format("Consider replacing {} photo{} with warnings: {}.", count,
                                 count == 1 ? "" : "s", warned));
  }
}

void AdviseSize(const PreflightReport& report, const PreflightOptions& options,
                std::vector<std::string>& advice) {
  if (report.usable_photos < options.min_photos) {
    const auto missing = options.min_photos - report.usable_photos;
    advice.push_back(fmt::format(
        "Add at least {} more good photo{}: the trainer needs {}, the set has {} usable.", missing,
        missing == 1 ? "" : "s", options.min_photos, report.usable_photos));
  }
  if (report.photos.size() > options.max_photos) {
    advice.push_back(fmt::format("Leave out at least {} photos: at most {} are accepted.",
                                 report.photos.size() - options.max_photos, options.max_photos));
  }
}

}  // namespace

std::vector<std::string> Advise(const PreflightReport& report, const PreflightOptions& options) {
  std::vector<std::string> advice;
  AdvisePhotos(report, advice);
  AdviseSize(report, options, advice);
  return advice;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
