#pragma once
/// @file
/// Trainers as data: each fal trainer endpoint is described by a `TrainerSpec` (its input field
/// names, defaults and output kind), so a new trainer is a registration, not a code change.

#include <faltrain/client/presets.hpp>
#include <faltrain/client/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What a trainer produces.
enum class OutputKind {
  kLoraFile,    ///< a LoRA weights file (`diffusers_lora_file` or `lora_file`) + config file
  kFinetuneId,  ///< a hosted finetune referenced by `finetune_id`
};
/// "lora_file" / "finetune_id" (as in trainer spec JSON).
std::string_view to_string(OutputKind k) noexcept;
/// The inverse of `to_string(OutputKind)`; case-insensitive.
result<OutputKind> ParseOutputKind(std::string_view text);

/// One fal trainer endpoint, described as data: how to build its input and what it returns.
struct TrainerSpec {
  std::string endpoint_id;          ///< e.g. "fal-ai/flux-lora-portrait-trainer"
  std::string display_name;         ///< for people; `Register` uses the endpoint id when empty
  std::string images_field;         ///< input field carrying the zip URL ("images_data_url", ...)
  std::string trigger_field;        ///< "trigger_phrase" / "trigger_word"; empty = none
  std::string steps_field;          ///< "steps" / "iterations" / "number_of_steps"; empty = none
  std::string learning_rate_field;  ///< usually "learning_rate"; empty = none
  std::string default_trigger;      ///< used when the request gives none
  /// The trainer's default step count (0 = unknown). Informational, and used by the simulator:
  /// `TrainingClient::SubmitTraining` sends the preset's or the request's steps instead.
  std::int64_t default_steps = 0;
  /// The trainer's default learning rate (0 = unknown); informational like `default_steps`.
  double default_learning_rate = 0;
  std::size_t min_images = 1;       ///< fal's documented minimum
  /// fal's documented maximum number of images; unset when fal documents none, which is the case
  /// for every built-in trainer (fal's schemas and docs give minimums only), so
  /// `TrainingSetOptions::max_images` is then the only limit. When set, at least `min_images`.
  std::optional<std::size_t> max_images;
  OutputKind output = OutputKind::kLoraFile;  ///< what a finished training returns
  /// Extra input fields always sent, as a JSON object text (e.g. {"mode":"character"}); request
  /// extras override them. Empty = none.
  std::string fixed_inputs_json;
  /// Required input fields beyond the images field (the simulator validates these).
  std::vector<std::string> required_fields;
  /// Endpoint that generates images with this trainer's output.
  std::string generation_endpoint;  ///< "fal-ai/flux-lora" or "fal-ai/flux-pro/v1.1-ultra-finetuned"
  /// fal deprecated the endpoint: `SubmitTraining` still submits to it, and logs a warning.
  bool deprecated = false;
  std::string deprecation_note;     ///< appended to that warning, e.g. what to use instead
};

/// A thread-safe set of trainer specs plus the style → trainer mapping. Copies are deep; a
/// moved-from registry is empty and usable.
/// `TrainerRegistry::WithBuiltins()` knows portrait, flux-pro, fast-training and turbo trainers,
/// with fal's documented defaults. Where fal documents none, the built-ins choose: trigger
/// "ohwx person" for the portrait and fast-training trainers, 1000 steps for fast training,
/// min_images 1 for flux-pro and 10 for turbo (fal: "try to use at least 10 images"). The flux-pro
/// trainer always sends `finetune_type: "lora"`: fal's default is "full" (learning rate 1e-5),
/// while the artistic presets' rates (2e-4 / 1e-4 / 5e-5) are LoRA rates; `TrainingRequest::extra`
/// can still ask for "full". None has a `max_images`: fal documents no maximum.
class TrainerRegistry {
 public:
  /// An empty registry.
  TrainerRegistry();
  /// The built-in trainers; portrait → flux-lora-portrait-trainer, artistic → flux-pro-trainer.
  static TrainerRegistry WithBuiltins();

  TrainerRegistry(const TrainerRegistry&);             ///< a deep copy: specs and style mapping
  TrainerRegistry& operator=(const TrainerRegistry&);  ///< a deep copy: specs and style mapping
  TrainerRegistry(TrainerRegistry&&) noexcept;            ///< leaves the source empty and usable
  TrainerRegistry& operator=(TrainerRegistry&&) noexcept; ///< leaves the source empty and usable
  ~TrainerRegistry();

  /// Adds or replaces a spec (keyed by endpoint id; a replaced spec keeps its place in `List`).
  /// Fails with `errc::invalid_argument` unless the endpoint id and the generation endpoint are
  /// valid fal endpoint ids (owner/alias[/path]), the images field is set, default steps and
  /// learning rate are not negative, min_images >= 1, max_images (when set) >= min_images, and fixed_inputs_json is empty or a JSON
  /// object. An empty display name becomes the endpoint id.
  result<void> Register(TrainerSpec spec);
  /// Registers every spec in a JSON array of objects whose keys are `TrainerSpec`'s member names
  /// (`output` is "lora_file" or "finetune_id"; `fixed_inputs_json` an object or a string holding
  /// one; `max_images` a count, or null for none; missing or null keys keep `TrainerSpec`'s
  /// defaults); returns how many were read. All or
  /// nothing: an unknown key, a wrong type or an invalid spec registers none, and the error names
  /// the entry ("entry #2: ...").
  result<std::size_t> RegisterJson(std::string_view json);
  /// Maps a style to a registered trainer; `errc::not_found` when it is not registered.
  result<void> SetStyleTrainer(AvatarStyle style, std::string_view endpoint_id);

  /// The spec for an endpoint id, or `errc::not_found`.
  result<TrainerSpec> Find(std::string_view endpoint_id) const;
  /// The trainer chosen for a style; `errc::not_found` when none is set.
  result<TrainerSpec> ForStyle(AvatarStyle style) const;
  /// Every spec, in registration order (a copy).
  std::vector<TrainerSpec> List() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace v1
}  // namespace faltrain
