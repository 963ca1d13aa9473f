#include "check_command.hpp"

#include "json_out.hpp"
#include "preflight_table.hpp"

#include <faltrain/client/presets.hpp>
#include <faltrain/preflight.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace faltrain_cli {
namespace {

using faltrain::PhotoCheck;
using faltrain::PreflightReport;

std::string FacesJson(const PhotoCheck& photo) {
  std::vector<std::string> faces;
  for (const auto& face : photo.faces) {
    faltrain::JsonFields f;
    f.SetInt("x", face.x)
        .SetInt("y", face.y)
        .SetInt("width", face.width)
        .SetInt("height", face.height);
    faces.push_back(Object(f));
  }
  return Array(faces);
}

std::string PhotoJson(const PhotoCheck& photo, const PreflightReport& report) {
  std::vector<std::string> reasons;
  for (auto reason : photo.reasons) reasons.push_back(faltrain::JsonQuote(faltrain::to_string(reason)));
  faltrain::JsonFields f;
  f.SetString("file", photo.name).SetString("verdict", faltrain::to_string(photo.verdict));
  f.SetRaw("reasons", Array(reasons));
  f.SetInt("width", photo.width).SetInt("height", photo.height);
  f.SetDouble("sharpness", photo.sharpness).SetDouble("brightness", photo.brightness);
  f.SetRaw("faces", FacesJson(photo));
  if (photo.duplicate_of) f.SetString("duplicate_of", report.photos[*photo.duplicate_of].name);
  if (!photo.detail.empty()) f.SetString("detail", photo.detail);
  return Object(f);
}

std::string ReportJson(const PreflightReport& report) {
  std::vector<std::string> photos, set_reasons, advice;
  for (const auto& photo : report.photos) photos.push_back(PhotoJson(photo, report));
  for (auto reason : report.set_reasons) set_reasons.push_back(faltrain::JsonQuote(faltrain::to_string(reason)));
  for (const auto& line : report.advice) advice.push_back(faltrain::JsonQuote(line));
  faltrain::JsonFields f;
  f.SetRaw("photos", Array(photos)).SetString("verdict", faltrain::to_string(report.verdict));
  f.SetBool("usable", report.usable())
      .SetInt("usable_photos", static_cast<std::int64_t>(report.usable_photos));
  f.SetInt("min_photos", static_cast<std::int64_t>(report.min_photos));
  f.SetRaw("set_reasons", Array(set_reasons)).SetRaw("advice", Array(advice));
  return Object(f);
}

// The trainer whose minimum applies: --trainer, else the one for --style (default portrait).
faltrain::result<faltrain::TrainerSpec> TrainerFor(const ParsedArgs& args) {
  const auto registry = faltrain::TrainerRegistry::WithBuiltins();
  if (auto id = args.Value("trainer")) return registry.Find(*id);
  auto style = faltrain::ParseAvatarStyle(args.ValueOr("style", "portrait"));
  if (!style) return faltrain::fail(std::move(style).error());
  return registry.ForStyle(style.value());
}

faltrain::result<void> WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush())
    return faltrain::fail(faltrain::errc::io_error, "cannot write " + path.string());
  return faltrain::success();
}

// --sheet FILE: the contact sheet as a PNG file.
faltrain::result<void> WriteSheet(const std::string& path, const faltrain::TrainingSet& set,
                                  const PreflightReport& report) {
  auto png = faltrain::ContactSheetPng(set, report);
  if (!png) return faltrain::fail(std::move(png).error());
  return WriteFile(path, png.value());
}

// "kept a.jpg (oriented, cropped to the face)" / "left out b.jpg: duplicate of a.jpg".
std::string FixLine(const faltrain::FixedPhoto& photo) {
  if (!photo.kept) return "left out " + photo.name + ": " + photo.reasons;
  std::string changes = photo.oriented ? "turned upright" : "";
  if (photo.cropped) changes += std::string(changes.empty() ? "" : ", ") + "cropped to the face";
  return "kept " + photo.output_name + (changes.empty() ? "" : " (" + changes + ")");
}

// --fix OUT: the cleaned set written to OUT (created; captions beside their photos).
faltrain::result<std::vector<std::string>> WriteFixedSet(const std::string& dir,
                                                         const faltrain::TrainingSet& set,
                                                         const PreflightReport& report) {
  FALTRAIN_TRY(auto photos, faltrain::FixPhotos(set, report));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return faltrain::fail(faltrain::errc::io_error, "cannot create " + dir + ": " + ec.message());
  std::vector<std::string> lines;
  for (const auto& photo : photos) {
    lines.push_back(FixLine(photo));
    if (!photo.kept) continue;
    auto path = std::filesystem::path(dir) / photo.output_name;
    FALTRAIN_TRYV(WriteFile(path, photo.bytes));
    if (!photo.caption.empty())
      FALTRAIN_TRYV(WriteFile(path.replace_extension(".txt"), photo.caption));
  }
  return lines;
}

int RunCheck(Context& ctx, const ParsedArgs& args) {
  if (args.positional.size() != 1) {
    return Report(ctx, faltrain::error(faltrain::errc::invalid_argument, "check needs one DIR"),
                  kExitUsage);
  }
  auto trainer = TrainerFor(args);
  if (!trainer) return Report(ctx, trainer.error(), kExitUsage);
  faltrain::TrainingSetOptions limits;
  limits.min_images = 0;  // the check reports a small set itself
  faltrain::TrainingSet set(limits);
  if (auto added = set.AddDirectory(args.positional.front()); !added) {
    return Report(ctx, added.error(), kExitInputError);
  }
  auto report = faltrain::Preflight(set, faltrain::PreflightOptionsFor(trainer.value()));
  if (!report) return Report(ctx, report.error(), ExitCodeFor(report.error()));
  const auto sheet = args.Value("sheet");
  if (sheet) {
    if (auto written = WriteSheet(*sheet, set, report.value()); !written) {
      return Report(ctx, written.error(), kExitInputError);
    }
  }
  std::vector<std::string> fixed;
  if (auto dir = args.Value("fix")) {
    auto written = WriteFixedSet(*dir, set, report.value());
    if (!written) return Report(ctx, written.error(), kExitInputError);
    fixed = std::move(written).value();
  }
  if (ctx.json) {
    std::printf("%s\n", ReportJson(report.value()).c_str());
  } else {
    PrintPreflightTable(stdout, report.value());
    if (sheet) std::printf("\ncontact sheet: %s\n", sheet->c_str());
    if (!fixed.empty()) std::printf("\nfixed set in %s:\n", args.ValueOr("fix", "").c_str());
    for (const auto& line : fixed) std::printf("  %s\n", line.c_str());
  }
  return report.value().usable() ? kExitOk : kExitInputError;
}

}  // namespace

Command CheckCommand() {
  std::vector<OptionSpec> options = {
      {"style", true, "STYLE", "portrait (default) or artistic: whose trainer's minimum applies"},
      {"trainer", true, "ID", "the trainer whose minimum photo count applies (overrides --style)"},
      {"sheet", true, "FILE", "also write a contact sheet PNG: thumbnails, face boxes, verdicts"},
      {"fix", true, "DIR", "also write a cleaned set to DIR (rejected photos left out, upright)"},
  };
  options.insert(options.end(), GlobalOptions().begin(), GlobalOptions().end());
  return {
      "check",
      "DIR",
      "check a photo folder before training (faces, blur, exposure, duplicates)",
      "Checks every .jpg/.jpeg/.png/.webp in DIR: readable (not truncated), resolution,\n"
      "sharpness, exposure, near-duplicates, one face of a good size; and the count against\n"
      "the trainer. Prints a table (photo, verdict, size, faces, reasons) and advice, or with\n"
      "--json one object {\"photos\":[{\"file\",\"verdict\",\"reasons\",...}],\"verdict\",...}.\n"
      "--sheet FILE also draws it: each photo framed in its verdict's colour, faces boxed.\n"
      "--fix DIR writes the photos worth keeping to DIR: rejected ones and duplicates left out,\n"
      "each turned upright, a small face cropped closer; it says what it did with each.\n"
      "Exits 0 when the set is usable (warnings allowed), 6 when it is not.",
      options,
      RunCheck};
}

int CheckBeforeTraining(const Context& ctx, const faltrain::TrainingSet& set,
                        const faltrain::TrainerSpec& trainer) {
  auto report = faltrain::Preflight(set, faltrain::PreflightOptionsFor(trainer));
  if (!report) return Report(ctx, report.error(), ExitCodeFor(report.error()));
  const auto& r = report.value();
  if (r.usable()) {
    if (!ctx.json && r.verdict == faltrain::Verdict::kWarn) {
      for (const auto& advice : r.advice) std::printf("photo check: %s\n", advice.c_str());
    }
    return kExitOk;
  }
  if (ctx.json) {
    std::printf("{\"event\":\"check_failed\",\"check\":%s}\n", ReportJson(r).c_str());
  } else {
    PrintPreflightTable(stderr, r);
  }
  std::fprintf(stderr,
               "faltrain: the photo check rejected this set; fix it (faltrain check DIR) "
               "or pass --skip-check to train anyway\n");
  return kExitInputError;
}

}  // namespace faltrain_cli
