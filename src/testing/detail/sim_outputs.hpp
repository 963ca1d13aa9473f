#pragma once
// Realistic outputs: a trainer's LoRA + config File objects (or a finetune id), a generation's
// images, a generic model's echo, with the files' bytes so the simulator can serve every URL. Private.

#include "testing/detail/sim_models.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimRandom;

struct SimFile {
  std::string path;          ///< "/files/koala/<id>_pytorch_lora_weights.safetensors"
  std::string content_type;
  std::string bytes;
};

struct SimOutput {
  std::string json;  ///< the result body
  std::vector<SimFile> files;
};

/// `file_base` is the scheme+host file URLs start with (e.g. "https://v3.fal.media").
SimOutput MakeTrainerOutput(const SimModel& model, std::string_view input_json, std::int64_t steps,
                            std::string_view file_base, SimRandom& random);
SimOutput MakeGenerationOutput(const SimModel& model, std::string_view input_json,
                               double inference_seconds, std::string_view file_base,
                               SimRandom& random);
SimOutput MakeGenericOutput(std::string_view input_json, double inference_seconds);

/// A fresh CDN path: "/files/<animal>/<21-char id>_<file_name>".
std::string MakeFilePath(std::string_view file_name, SimRandom& random);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
