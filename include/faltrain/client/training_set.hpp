#pragma once
/// @file
/// A set of training photos (with optional captions) that becomes the zip a trainer takes.

#include <faltrain/client/result.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// Limits a `TrainingSet` enforces while photos are added and before zipping.
struct TrainingSetOptions {
  std::size_t min_images = 4;                      ///< the trainer's minimum is checked too
  std::size_t max_images = 200;                    ///< photos per set
  std::size_t max_image_bytes = 20u << 20;         ///< 20 MiB per photo
  std::size_t max_total_bytes = 500u << 20;        ///< 500 MiB for the whole set, captions included
};

/// Photos in memory or on disk, validated by content (JPEG, PNG, WebP signatures, not file names),
/// each with an optional caption stored as `<stem>.txt` beside it in the zip.
class TrainingSet {
 public:
  /// One photo of the set.
  struct Image {
    std::string name;     ///< file name inside the zip, e.g. "face01.jpg"
    std::string bytes;    ///< the file's content (JPEG, PNG or WebP)
    std::string caption;  ///< empty = none
  };

  /// An empty set that enforces `options`.
  explicit TrainingSet(TrainingSetOptions options = {});

  /// Adds a photo from memory. Fails on an empty name, a name with a path, a duplicate name
  /// (compared without case or extension: captions pair with photos by stem), an unsupported
  /// format, or a limit exceeded.
  result<void> AddImage(std::string name, std::string bytes, std::string caption = {});
  /// Adds a photo file; a caption is read from `<stem>.txt` beside it when present.
  result<void> AddFile(const std::filesystem::path& path);
  /// Adds every .jpg/.jpeg/.png/.webp in a folder (not recursive), in name order. All or nothing:
  /// when one photo fails, the set is left as it was.
  result<void> AddDirectory(const std::filesystem::path& dir);

  /// Checks the count against the limits and `trainer_min_images`.
  result<void> Validate(std::size_t trainer_min_images = 0) const;
  /// The zip archive's bytes (validated first).
  result<std::string> ToZip(std::size_t trainer_min_images = 0) const;

  /// The photos, in the order they were added.
  const std::vector<Image>& images() const { return images_; }
  /// Bytes of all photos and captions so far (checked against `max_total_bytes`).
  std::size_t total_bytes() const { return total_bytes_; }

 private:
  TrainingSetOptions limits_;
  std::vector<Image> images_;
  std::size_t total_bytes_ = 0;
};

/// "image/jpeg", "image/png", "image/webp" from the leading bytes, or empty when not an image.
std::string_view DetectImageType(std::string_view bytes) noexcept;

}  // namespace v1
}  // namespace faltrain
