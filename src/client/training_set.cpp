#include <faltrain/client/training_set.hpp>

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <memory>
#include <system_error>

namespace faltrain {
inline namespace v1 {
namespace {

namespace fs = std::filesystem;

// Entries get a fixed timestamp so the same photos always make the same zip bytes.
constexpr std::time_t kEntryMtime = 946684800;  // 2000-01-01T00:00:00Z

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "face01.JPG" -> {"face01", "jpg"}; no dot -> {name, ""}.
std::pair<std::string_view, std::string> SplitExtension(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {name, {}};
  return {name.substr(0, dot), Lower(name.substr(dot + 1))};
}

bool IsImageExtension(std::string_view lower_ext) {
  return lower_ext == "jpg" || lower_ext == "jpeg" || lower_ext == "png" || lower_ext == "webp";
}

// Zip entry names must be plain file names: trainers unpack the archive, so a path or ".." could
// escape their folder, and a hidden or control-character name is never a real photo.
result<void> CheckName(std::string_view name) {
  if (name.empty()) return fail(errc::invalid_argument, "image name is empty");
  if (name.size() > 255) return fail(errc::invalid_argument, "image name is longer than 255 bytes");
  if (name.find("..") != std::string_view::npos || name.front() == '.') {
    return fail(errc::invalid_argument,
                fmt::format("image name \"{}\" must not start with '.' or contain \"..\"", name));
  }
  for (unsigned char c : name) {
    if (c == '/' || c == '\\' || c == ':' || c < 0x20 || c == 0x7f) {
      return fail(errc::invalid_argument,
                  fmt::format("image name \"{}\" must be a plain file name (no path, no control "
                              "characters)", name));
    }
  }
  if (!IsImageExtension(SplitExtension(name).second)) {
    return fail(errc::invalid_argument,
                fmt::format("image name \"{}\" needs a .jpg, .jpeg, .png or .webp extension "
                            "(trainers pick images by extension)", name));
  }
  return success();
}

result<std::string> ReadFile(const fs::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return fail(errc::io_error, fmt::format("cannot read {}: {}", path.string(), ec.message()));
  if (size > max_bytes) {
    return fail(errc::payload_too_large,
                fmt::format("{} is {} bytes, over the {} byte limit", path.string(), size, max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errc::io_error, fmt::format("cannot open {}", path.string()));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    return fail(errc::io_error, fmt::format("short read from {}", path.string()));
  }
  return bytes;
}

std::string ZipErrorText(zip_error_t* error) {
  const char* text = zip_error_strerror(error);
  return text ? text : "unknown libzip error";
}

struct ZipSourceDeleter {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using ZipSourcePtr = std::unique_ptr<zip_source_t, ZipSourceDeleter>;

// Adds one stored-or-deflated entry whose bytes stay owned by the caller until zip_close.
result<void> AddEntry(zip_t* archive, const std::string& name, const std::string& bytes,
                      bool compress) {
  zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
  if (source == nullptr) {
    return fail(errc::io_error, fmt::format("zip: {}", zip_strerror(archive)));
  }
  zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);  // not taken over by the archive on failure
    return fail(errc::io_error, fmt::format("zip: adding {}: {}", name, zip_strerror(archive)));
  }
  auto entry = static_cast<zip_uint64_t>(index);
  // Photos are already compressed; deflating them again costs time and saves nothing.
  if (zip_set_file_compression(archive, entry, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_mtime(archive, entry, kEntryMtime, 0) != 0) {
    return fail(errc::io_error, fmt::format("zip: {}: {}", name, zip_strerror(archive)));
  }
  return success();
}

}  // namespace

std::string_view DetectImageType(std::string_view bytes) noexcept {
  auto starts_with = [&](std::string_view prefix, std::size_t at = 0) {
    return bytes.size() >= at + prefix.size() && bytes.substr(at, prefix.size()) == prefix;
  };
  if (starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts_with("\x89PNG\r\n\x1A\n")) return "image/png";
  if (starts_with("RIFF") && starts_with("WEBP", 8)) return "image/webp";
  return {};
}

TrainingSet::TrainingSet(TrainingSetOptions options) : limits_(options) {}

result<void> TrainingSet::AddImage(std::string name, std::string bytes, std::string caption) {
  FALTRAIN_TRYV(CheckName(name));
  if (bytes.empty()) {
    return fail(errc::invalid_argument, fmt::format("image \"{}\" is empty", name));
  }
  if (DetectImageType(bytes).empty()) {
    return fail(errc::invalid_argument,
                fmt::format("image \"{}\" is not a JPEG, PNG or WebP file", name));
  }
  if (bytes.size() > limits_.max_image_bytes) {
    return fail(errc::payload_too_large,
                fmt::format("image \"{}\" is {} bytes, over the {} byte limit", name, bytes.size(),
                            limits_.max_image_bytes));
  }
  if (images_.size() >= limits_.max_images) {
    return fail(errc::payload_too_large,
                fmt::format("a training set holds at most {} images", limits_.max_images));
  }
  if (total_bytes_ + bytes.size() + caption.size() > limits_.max_total_bytes) {
    return fail(errc::payload_too_large,
                fmt::format("adding \"{}\" would take the set over {} bytes", name,
                            limits_.max_total_bytes));
  }
  // Captions pair with photos by stem (<stem>.txt), so "a.jpg" and "A.png" would share one.
  const std::string stem = Lower(SplitExtension(name).first);
  for (const auto& image : images_) {
    if (Lower(SplitExtension(image.name).first) == stem) {
      return fail(errc::invalid_argument,
                  fmt::format("image \"{}\" duplicates \"{}\" (names are compared without case "
                              "and extension)", name, image.name));
    }
  }
  total_bytes_ += bytes.size() + caption.size();
  images_.push_back(Image{std::move(name), std::move(bytes), std::move(caption)});
  return success();
}

result<void> TrainingSet::AddFile(const fs::path& path) {
  FALTRAIN_TRY(auto bytes, ReadFile(path, limits_.max_image_bytes));
  std::string caption;
  fs::path caption_path = path;
  caption_path.replace_extension(".txt");
  std::error_code ec;
  if (fs::is_regular_file(caption_path, ec)) {
    FALTRAIN_TRY(caption, ReadFile(caption_path, limits_.max_total_bytes));
  }
  return AddImage(path.filename().string(), std::move(bytes), std::move(caption));
}

result<void> TrainingSet::AddDirectory(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> photos;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (IsImageExtension(SplitExtension(it->path().filename().string()).second)) {
      photos.push_back(it->path());
    }
  }
  if (ec) return fail(errc::io_error, fmt::format("cannot list {}: {}", dir.string(), ec.message()));
  std::sort(photos.begin(), photos.end());
  // All or nothing: a bad photo leaves the set as it was.
  const auto old_count = images_.size();
  const auto old_bytes = total_bytes_;
  for (const auto& photo : photos) {
    auto added = AddFile(photo);
    if (!added) {
      images_.resize(old_count);
      total_bytes_ = old_bytes;
      return added;
    }
  }
  return success();
}

result<void> TrainingSet::Validate(std::size_t trainer_min_images) const {
  const std::size_t needed = std::max<std::size_t>({limits_.min_images, trainer_min_images, 1});
  if (images_.size() < needed) {
    return fail(errc::invalid_argument,
                fmt::format("the training set has {} image{}; at least {} needed", images_.size(),
                            images_.size() == 1 ? "" : "s", needed));
  }
  if (images_.size() > limits_.max_images) {
    return fail(errc::payload_too_large,
                fmt::format("the training set has {} images; at most {} allowed", images_.size(),
                            limits_.max_images));
  }
  return success();
}

result<std::string> TrainingSet::ToZip(std::size_t trainer_min_images) const {
  FALTRAIN_TRYV(Validate(trainer_min_images));

  // The archive is written into an in-memory source that outlives the zip_t (zip_source_keep).
  zip_error_t error;
  zip_error_init(&error);
  ZipSourcePtr buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) {
    auto message = ZipErrorText(&error);
    zip_error_fini(&error);
    return fail(errc::io_error, "zip: " + message);
  }
  zip_t* archive = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    auto message = ZipErrorText(&error);
    zip_error_fini(&error);
    return fail(errc::io_error, "zip: " + message);
  }
  zip_error_fini(&error);
  zip_source_keep(buffer.get());

  for (const auto& image : images_) {
    auto added = AddEntry(archive, image.name, image.bytes, /*compress=*/false);
    if (added && !image.caption.empty()) {
      std::string caption_name = std::string(SplitExtension(image.name).first) + ".txt";
      added = AddEntry(archive, caption_name, image.caption, /*compress=*/true);
    }
    if (!added) {
      zip_discard(archive);
      return fail(std::move(added).error());
    }
  }
  if (zip_close(archive) != 0) {
    std::string message = zip_strerror(archive);
    zip_discard(archive);
    return fail(errc::io_error, "zip: " + message);
  }

  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_source_stat(buffer.get(), &stat) != 0 || (stat.valid & ZIP_STAT_SIZE) == 0 ||
      zip_source_open(buffer.get()) != 0) {
    return fail(errc::io_error, "zip: cannot read back the in-memory archive");
  }
  std::string bytes(static_cast<std::size_t>(stat.size), '\0');
  zip_int64_t read = zip_source_read(buffer.get(), bytes.data(), bytes.size());
  zip_source_close(buffer.get());
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    return fail(errc::io_error, "zip: short read of the in-memory archive");
  }
  return bytes;
}

}  // namespace v1
}  // namespace faltrain
