#include <faltrain/preflight/preflight.hpp>

#include <system_error>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace {

// Where Debian's opencv-data (and a source install of OpenCV 4, or OpenCV 3) put cascade `file`.
std::vector<std::filesystem::path> StandardPlaces(const char* file) {
  std::vector<std::filesystem::path> places;
  for (const char* dir : {"/usr/share/opencv4", "/usr/local/share/opencv4", "/usr/share/opencv"}) {
    places.push_back(std::filesystem::path(dir) / file);
  }
  return places;
}

bool IsFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

result<std::filesystem::path> FindModel(const std::filesystem::path& chosen, const char* file,
                                        const char* option) {
  if (!chosen.empty()) {
    if (IsFile(chosen)) return chosen;
    return fail(errc::not_found, "face model " + chosen.string() + " does not exist");
  }
  std::string looked;
  for (const auto& candidate : StandardPlaces(file)) {
    if (IsFile(candidate)) return candidate;
    looked += (looked.empty() ? "" : ", ") + candidate.string();
  }
  return fail(errc::not_found, "no face model found (looked for " + looked +
                                   "); install Debian's opencv-data package or set "
                                   "PreflightOptions::" +
                                   option);
}

}  // namespace

result<std::filesystem::path> FindFaceModel(const PreflightOptions& options) {
  return FindModel(options.face_model, "lbpcascades/lbpcascade_frontalface.xml", "face_model");
}

result<std::filesystem::path> FindFaceCheckModel(const PreflightOptions& options) {
  return FindModel(options.face_check_model, "haarcascades/haarcascade_frontalface_alt2.xml",
                   "face_check_model");
}

}  // namespace v1
}  // namespace faltrain
