#pragma once
// What the simulator knows about an endpoint: a trainer (from the TrainerRegistry), one of the two
// generation endpoints, or a generic model; and the typed input fields fal would validate. Private.

#include <faltrain/client/trainers.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

enum class SimModelKind { kTrainer, kLoraGeneration, kFinetuneGeneration, kGeneric };

enum class SimFieldType { kString, kInteger, kNumber, kBool, kAny };

struct SimFieldRule {
  std::string name;
  SimFieldType type = SimFieldType::kAny;
  bool required = false;
};

struct SimModel {
  SimModelKind kind = SimModelKind::kGeneric;
  std::string endpoint_id;
  std::optional<TrainerSpec> trainer;  ///< set for kTrainer
  /// Checked in order (pydantic reports errors in field order): required ones first.
  std::vector<SimFieldRule> rules;
};

/// Finds the model for an endpoint id: a registered trainer (exact id, else its owner/alias),
/// fal-ai/flux-lora[/...], fal-ai/flux-pro/v1.1-ultra-finetuned, or a generic model.
SimModel ResolveSimModel(std::string_view endpoint_id, const TrainerRegistry& trainers);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
