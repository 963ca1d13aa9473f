#include <faltrain/preflight/preflight.hpp>

#include <array>
#include <system_error>

namespace faltrain {
inline namespace v1 {
namespace {

// Where Debian's opencv-data (and a source install of OpenCV 4, or OpenCV 3) put the cascade.
constexpr std::array<const char*, 3> kStandardModels = {
    "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml",
    "/usr/local/share/opencv4/lbpcascades/lbpcascade_frontalface.xml",
    "/usr/share/opencv/lbpcascades/lbpcascade_frontalface.xml",
};

bool IsFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

result<std::filesystem::path> FindFaceModel(const PreflightOptions& options) {
  if (!options.face_model.empty()) {
    if (IsFile(options.face_model)) return options.face_model;
    return fail(errc::not_found, "face model " + options.face_model.string() + " does not exist");
  }
  std::string looked;
  for (const char* candidate : kStandardModels) {
    if (IsFile(candidate)) return std::filesystem::path(candidate);
    looked += looked.empty() ? candidate : std::string(", ") + candidate;
  }
  return fail(errc::not_found, "no face model found (looked for " + looked +
                                   "); install Debian's opencv-data package or set "
                                   "PreflightOptions::face_model");
}

}  // namespace v1
}  // namespace faltrain
