#include "preflight_table.hpp"

#include <algorithm>

namespace faltrain_cli {
namespace {

std::string SizeText(const faltrain::PhotoCheck& photo) {
  return photo.width > 0 ? std::to_string(photo.width) + "x" + std::to_string(photo.height) : "-";
}

}  // namespace

std::string PreflightSummaryLine(const faltrain::PreflightReport& report) {
  std::string line = std::string(faltrain::to_string(report.verdict)) + ": " +
                     std::to_string(report.usable_photos) + " of " +
                     std::to_string(report.photos.size()) + " photos usable (the trainer needs " +
                     std::to_string(report.min_photos) + ")";
  for (auto reason : report.set_reasons) line += ", " + std::string(faltrain::to_string(reason));
  return line;
}

void PrintPreflightTable(std::FILE* out, const faltrain::PreflightReport& report) {
  std::size_t width = 5;
  for (const auto& photo : report.photos) width = std::max(width, photo.name.size());
  std::fprintf(out, "%-*s  %-7s  %-11s  %-5s  %s\n", static_cast<int>(width), "photo", "verdict",
               "size", "faces", "reasons");
  for (std::size_t i = 0; i < report.photos.size(); ++i) {
    const auto& photo = report.photos[i];
    std::fprintf(out, "%-*s  %-7s  %-11s  %-5zu  %s\n", static_cast<int>(width), photo.name.c_str(),
                 std::string(faltrain::to_string(photo.verdict)).c_str(), SizeText(photo).c_str(),
                 photo.faces.size(), faltrain::DescribeReasons(report, i).c_str());
  }
  std::fprintf(out, "\n%s\n", PreflightSummaryLine(report).c_str());
  for (const auto& advice : report.advice) std::fprintf(out, "  %s\n", advice.c_str());
}

}  // namespace faltrain_cli
