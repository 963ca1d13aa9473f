#include "check_command.hpp"

#include "json_out.hpp"

#include <faltrain/client/presets.hpp>
#include <faltrain/preflight.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace faltrain_cli {
namespace {

using faltrain::PhotoCheck;
using faltrain::PreflightReport;

std::string ReasonList(const PhotoCheck& photo, const PreflightReport& report) {
  std::string out;
  for (auto reason : photo.reasons) {
    if (!out.empty()) out += ", ";
    out += faltrain::to_string(reason);
    if (reason == faltrain::Reason::kDuplicate && photo.duplicate_of) {
      out += " of " + report.photos[*photo.duplicate_of].name;
    }
  }
  return out;
}

std::string SizeText(const PhotoCheck& photo) {
  return photo.width > 0 ? std::to_string(photo.width) + "x" + std::to_string(photo.height) : "-";
}

// The summary line: "reject: 8 of 10 photos usable (the trainer needs 10)".
std::string SetLine(const PreflightReport& report) {
  std::string line = std::string(faltrain::to_string(report.verdict)) + ": " +
                     std::to_string(report.usable_photos) + " of " +
                     std::to_string(report.photos.size()) + " photos usable (the trainer needs " +
                     std::to_string(report.min_photos) + ")";
  for (auto reason : report.set_reasons) line += ", " + std::string(faltrain::to_string(reason));
  return line;
}

void PrintTable(std::FILE* out, const PreflightReport& report) {
  std::size_t width = 5;
  for (const auto& photo : report.photos) width = std::max(width, photo.name.size());
  std::fprintf(out, "%-*s  %-7s  %-11s  %-5s  %s\n", static_cast<int>(width), "photo", "verdict",
               "size", "faces", "reasons");
  for (const auto& photo : report.photos) {
    std::fprintf(out, "%-*s  %-7s  %-11s  %-5zu  %s\n", static_cast<int>(width), photo.name.c_str(),
                 std::string(faltrain::to_string(photo.verdict)).c_str(), SizeText(photo).c_str(),
                 photo.faces.size(), ReasonList(photo, report).c_str());
  }
  std::fprintf(out, "\n%s\n", SetLine(report).c_str());
  for (const auto& advice : report.advice) std::fprintf(out, "  %s\n", advice.c_str());
}

std::string FacesJson(const PhotoCheck& photo) {
  std::vector<std::string> faces;
  for (const auto& face : photo.faces) {
    faltrain::JsonFields f;
    f.SetInt("x", face.x).SetInt("y", face.y).SetInt("width", face.width).SetInt("height", face.height);
    faces.push_back(Object(f));
  }
  return Array(faces);
}

std::string PhotoJson(const PhotoCheck& photo, const PreflightReport& report) {
  std::vector<std::string> reasons;
  for (auto reason : photo.reasons) reasons.push_back(Quote(faltrain::to_string(reason)));
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
  for (auto reason : report.set_reasons) set_reasons.push_back(Quote(faltrain::to_string(reason)));
  for (const auto& line : report.advice) advice.push_back(Quote(line));
  faltrain::JsonFields f;
  f.SetRaw("photos", Array(photos)).SetString("verdict", faltrain::to_string(report.verdict));
  f.SetBool("usable", report.usable()).SetInt("usable_photos", static_cast<std::int64_t>(report.usable_photos));
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

int RunCheck(Context& ctx, const ParsedArgs& args) {
  if (args.positional.size() != 1) {
    return Report(ctx, faltrain::error(faltrain::errc::invalid_argument, "check needs one DIR"),
                  kExitUsage);
  }
  auto trainer = TrainerFor(args);
  if (!trainer) return Report(ctx, trainer.error(), kExitUsage);
  faltrain::TrainingSetLimits limits;
  limits.min_images = 0;  // the check reports a small set itself
  faltrain::TrainingSet set(limits);
  if (auto added = set.AddDirectory(args.positional.front()); !added) {
    return Report(ctx, added.error(), kExitInputError);
  }
  auto report = faltrain::Preflight(set, faltrain::PreflightOptionsFor(trainer.value()));
  if (!report) return Report(ctx, report.error(), ExitCodeFor(report.error()));
  if (ctx.json) {
    std::printf("%s\n", ReportJson(report.value()).c_str());
  } else {
    PrintTable(stdout, report.value());
  }
  return report.value().usable() ? kExitOk : kExitInputError;
}

}  // namespace

Command CheckCommand() {
  std::vector<OptionSpec> options = {
      {"style", true, "STYLE", "portrait (default) or artistic: whose trainer's minimum applies"},
      {"trainer", true, "ID", "the trainer whose minimum photo count applies (overrides --style)"},
  };
  options.insert(options.end(), GlobalOptions().begin(), GlobalOptions().end());
  return {"check", "DIR", "check a photo folder before training (faces, blur, exposure, duplicates)",
          "Checks every .jpg/.jpeg/.png/.webp in DIR: readable (not truncated), resolution,\n"
          "sharpness, exposure, near-duplicates, one face of a good size; and the count against\n"
          "the trainer. Prints a table (photo, verdict, size, faces, reasons) and advice, or with\n"
          "--json one object {\"photos\":[{\"file\",\"verdict\",\"reasons\",...}],\"verdict\",...}.\n"
          "Exits 0 when the set is usable (warnings allowed), 6 when it is not.",
          options, RunCheck};
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
    PrintTable(stderr, r);
  }
  std::fprintf(stderr, "faltrain: the photo check rejected this set; fix it (faltrain check DIR) "
                       "or pass --skip-check to train anyway\n");
  return kExitInputError;
}

}  // namespace faltrain_cli
