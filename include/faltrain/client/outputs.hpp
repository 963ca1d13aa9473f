#pragma once
// Typed results: what a training produced, and what a generation produced.

#include <faltrain/client/result.hpp>
#include <faltrain/client/trainers.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// fal's `File`: {"url", "content_type"?, "file_name"?, "file_size"?}.
struct FileRef {
  std::string url;
  std::string content_type;
  std::string file_name;
  std::optional<std::uint64_t> file_size;
};

/// A trainer's output, decoded from the result JSON or a webhook payload.
struct TrainingOutput {
  OutputKind kind = OutputKind::kLoraFile;
  std::optional<FileRef> lora_file;     ///< `diffusers_lora_file` or `lora_file`
  std::optional<FileRef> config_file;
  std::string finetune_id;              ///< flux-pro-trainer
  /// Other File-valued fields (e.g. "high_noise_lora", "debug_preprocessed_output").
  std::vector<std::pair<std::string, FileRef>> other_files;
  std::string raw_json;                 ///< the output exactly as received

  /// Decodes any trainer's output object. `diffusers_lora_file` wins over `lora_file` (the loser
  /// goes to other_files); any other member that is a File (an object with a string "url") goes to
  /// other_files; unknown members, nulls and unusable file sizes are ignored. Fails with
  /// `errc::malformed_response` if it is not valid JSON, not an object, or carries neither a LoRA
  /// file nor a non-empty finetune id.
  static result<TrainingOutput> Parse(std::string_view json);
};

struct GeneratedImage {
  std::string url;   ///< https URL, or a data: URI with sync mode
  int width = 0;
  int height = 0;
  std::string content_type;
};

struct GenerationResult {
  std::vector<GeneratedImage> images;
  std::string seed;                    ///< decimal text: seeds exceed int64
  std::vector<bool> has_nsfw_concepts;
  std::string prompt;
  std::optional<double> inference_seconds;  ///< `timings.inference`
  std::string raw_json;

  /// Decodes fal-ai/flux-lora style output. Images without a url are dropped; `seed` keeps the
  /// number's exact text (or a string seed as is). Fails with `errc::malformed_response` unless the
  /// text is a valid JSON object with an "images" array.
  static result<GenerationResult> Parse(std::string_view json);
};

}  // namespace v1
}  // namespace faltrain
