#pragma once
/// @file
/// Typed results: what a training produced, and what a generation produced.

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
  std::string url;                        ///< where to download it (always set)
  std::string content_type;               ///< MIME type when fal sent one, else empty
  std::string file_name;                  ///< fal's file name when sent, else empty
  std::optional<std::uint64_t> file_size; ///< bytes, when fal sent a usable size
};

/// A trainer's output, decoded from the result JSON or a webhook payload.
struct TrainingOutput {
  OutputKind kind = OutputKind::kLoraFile;  ///< LoRA when a LoRA file is present, else finetune
  std::optional<FileRef> lora_file;     ///< `diffusers_lora_file` or `lora_file`
  std::optional<FileRef> config_file;   ///< the trainer's `config_file` (LoRA trainers), when sent
  std::string finetune_id;              ///< flux-pro-trainer's hosted finetune; empty otherwise
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

/// One image of a `GenerationResult`.
struct GeneratedImage {
  std::string url;   ///< https URL, or a data: URI with sync mode
  int width = 0;     ///< pixels; 0 when fal did not say
  int height = 0;    ///< pixels; 0 when fal did not say
  std::string content_type;  ///< e.g. "image/jpeg"; empty when fal did not say
};

/// What an image generation produced, decoded from its result JSON.
struct GenerationResult {
  std::vector<GeneratedImage> images;  ///< in fal's order; entries without a url are dropped
  std::string seed;                    ///< decimal text: seeds exceed int64
  std::vector<bool> has_nsfw_concepts; ///< one flag per image fal returned, when it checked
  std::string prompt;                  ///< the prompt fal used, when it echoed it
  std::optional<double> inference_seconds;  ///< `timings.inference`
  std::string raw_json;                ///< the result exactly as received

  /// Decodes fal-ai/flux-lora style output. Images without a url are dropped; `seed` keeps the
  /// number's exact text (or a string seed as is). Fails with `errc::malformed_response` unless the
  /// text is a valid JSON object with an "images" array.
  static result<GenerationResult> Parse(std::string_view json);
};

}  // namespace v1
}  // namespace faltrain
