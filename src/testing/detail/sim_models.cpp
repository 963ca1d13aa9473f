#include "testing/detail/sim_models.hpp"

#include <algorithm>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Types of the trainer and generation inputs fal documents (reference §6), for fields the
// registry names without a type.
SimFieldType KnownFieldType(std::string_view name) {
  static const std::pair<std::string_view, SimFieldType> kTypes[] = {
      {"images_data_url", SimFieldType::kString}, {"image_data_url", SimFieldType::kString},
      {"training_data_url", SimFieldType::kString}, {"data_url", SimFieldType::kString},
      {"trigger_phrase", SimFieldType::kString}, {"trigger_word", SimFieldType::kString},
      {"finetune_comment", SimFieldType::kString}, {"mode", SimFieldType::kString},
      {"priority", SimFieldType::kString}, {"finetune_type", SimFieldType::kString},
      {"default_caption", SimFieldType::kString}, {"data_archive_format", SimFieldType::kString},
      {"resume_from_checkpoint", SimFieldType::kString}, {"training_style", SimFieldType::kString},
      {"output_lora_format", SimFieldType::kString}, {"training_type", SimFieldType::kString},
      {"steps", SimFieldType::kInteger}, {"iterations", SimFieldType::kInteger},
      {"number_of_steps", SimFieldType::kInteger}, {"lora_rank", SimFieldType::kInteger},
      {"learning_rate", SimFieldType::kNumber}, {"captioning", SimFieldType::kBool},
      {"create_masks", SimFieldType::kBool}, {"multiresolution_training", SimFieldType::kBool},
      {"subject_crop", SimFieldType::kBool}, {"is_style", SimFieldType::kBool},
      {"is_input_format_already_preprocessed", SimFieldType::kBool}, {"face_crop", SimFieldType::kBool},
      {"prompt", SimFieldType::kString}, {"finetune_id", SimFieldType::kString},
      {"finetune_strength", SimFieldType::kNumber}, {"seed", SimFieldType::kInteger},
      {"num_images", SimFieldType::kInteger}, {"num_inference_steps", SimFieldType::kInteger},
      {"guidance_scale", SimFieldType::kNumber}, {"enable_safety_checker", SimFieldType::kBool},
      {"output_format", SimFieldType::kString}, {"sync_mode", SimFieldType::kBool},
      {"aspect_ratio", SimFieldType::kString}, {"safety_tolerance", SimFieldType::kString},
      {"raw", SimFieldType::kBool}, {"enhance_prompt", SimFieldType::kBool},
      {"image_prompt_strength", SimFieldType::kNumber}, {"acceleration", SimFieldType::kString},
  };
  for (const auto& [field, type] : kTypes) {
    if (field == name) return type;
  }
  return SimFieldType::kAny;
}

void AddRule(std::vector<SimFieldRule>& rules, std::string_view name, bool required,
             SimFieldType type = SimFieldType::kAny) {
  if (name.empty()) return;
  if (type == SimFieldType::kAny) type = KnownFieldType(name);
  auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.name == name; });
  if (it != rules.end()) {
    it->required = it->required || required;
    return;
  }
  rules.push_back({std::string(name), type, required});
}

void AddOptionalRules(std::vector<SimFieldRule>& rules, std::initializer_list<std::string_view> names) {
  for (auto name : names) AddRule(rules, name, false);
}

}  // namespace

SimModel ResolveSimModel(std::string_view endpoint_id, const TrainerRegistry& trainers) {
  SimModel model;
  model.endpoint_id = std::string(endpoint_id);
  auto spec = trainers.Find(endpoint_id);
  if (!spec) {
    // A sub-path of a registered trainer ("fal-ai/wan-trainer/t2v") is that trainer.
    auto first = endpoint_id.find('/');
    auto second = first == std::string_view::npos ? first : endpoint_id.find('/', first + 1);
    if (second != std::string_view::npos) spec = trainers.Find(endpoint_id.substr(0, second));
  }
  if (spec) {
    model.kind = SimModelKind::kTrainer;
    const TrainerSpec& t = spec.value();
    AddRule(model.rules, t.images_field, true, SimFieldType::kString);
    for (const auto& field : t.required_fields) AddRule(model.rules, field, true);
    AddRule(model.rules, t.trigger_field, false, SimFieldType::kString);
    AddRule(model.rules, t.steps_field, false, SimFieldType::kInteger);
    AddRule(model.rules, t.learning_rate_field, false, SimFieldType::kNumber);
    AddOptionalRules(model.rules, {"lora_rank", "captioning", "create_masks", "is_style",
                                   "multiresolution_training", "subject_crop", "face_crop",
                                   "mode", "priority", "finetune_type"});
    model.trainer = std::move(spec).value();
    return model;
  }
  if (endpoint_id == "fal-ai/flux-lora" || endpoint_id.substr(0, 17) == "fal-ai/flux-lora/") {
    model.kind = SimModelKind::kLoraGeneration;
    AddRule(model.rules, "prompt", true);
    AddOptionalRules(model.rules, {"num_images", "seed", "num_inference_steps", "guidance_scale",
                                   "enable_safety_checker", "output_format", "sync_mode"});
    return model;
  }
  if (endpoint_id == "fal-ai/flux-pro/v1.1-ultra-finetuned") {
    model.kind = SimModelKind::kFinetuneGeneration;
    AddRule(model.rules, "prompt", true);
    AddRule(model.rules, "finetune_id", true);
    AddRule(model.rules, "finetune_strength", true);
    AddOptionalRules(model.rules, {"num_images", "seed", "aspect_ratio", "safety_tolerance", "raw",
                                   "enhance_prompt", "output_format", "image_prompt_strength",
                                   "sync_mode", "image_url"});  // no enable_safety_checker (§9)
    return model;
  }
  return model;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
