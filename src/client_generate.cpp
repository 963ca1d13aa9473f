// TrainingClient's image generation with a finished training.

#include <faltrain/client.hpp>

#include "detail/client_impl.hpp"
#include "detail/json_reader.hpp"
#include "detail/json_writer.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace {

constexpr std::string_view kLoraEndpoint = "fal-ai/flux-lora";
constexpr std::string_view kFinetuneEndpoint = "fal-ai/flux-pro/v1.1-ultra-finetuned";

}  // namespace

result<std::pair<std::string, std::string>> TrainingClient::BuildGenerationInput(
    const TrainingOutput& trained, const GenerateRequest& request) const {
  if (request.prompt.empty()) return fail(errc::invalid_argument, "prompt is required");
  if (request.num_images < 1) return fail(errc::invalid_argument, "num_images must be at least 1");
  if (request.width.has_value() != request.height.has_value()) {
    return fail(errc::invalid_argument, "width and height go together");
  }
  if (request.width && (*request.width <= 0 || *request.height <= 0)) {
    return fail(errc::invalid_argument, "width and height must be positive");
  }
  const bool finetune = trained.kind == OutputKind::kFinetuneId;
  if (finetune && trained.finetune_id.empty()) {
    return fail(errc::invalid_argument, "the training output has no finetune_id");
  }
  if (!finetune && (!trained.lora_file || trained.lora_file->url.empty())) {
    return fail(errc::invalid_argument, "the training output has no LoRA file");
  }
  std::string endpoint = request.endpoint.empty()
                             ? std::string(finetune ? kFinetuneEndpoint : kLoraEndpoint)
                             : request.endpoint;

  detail::JsonWriter w;
  w.BeginObject().Field("prompt", request.prompt);
  if (finetune) {
    w.Field("finetune_id", trained.finetune_id).Field("finetune_strength", request.finetune_strength);
    if (!request.aspect_ratio.empty()) w.Field("aspect_ratio", request.aspect_ratio);
  } else {
    w.Key("loras").BeginArray().BeginObject()
        .Field("path", trained.lora_file->url)
        .Field("scale", request.lora_scale)
        .EndObject().EndArray();
    if (request.width) {
      w.Key("image_size").BeginObject().Field("width", *request.width).Field("height", *request.height).EndObject();
    } else if (!request.image_size.empty()) {
      w.Field("image_size", request.image_size);
    }
    if (request.num_inference_steps) w.Field("num_inference_steps", *request.num_inference_steps);
    if (request.guidance_scale) w.Field("guidance_scale", *request.guidance_scale);
  }
  w.Field("num_images", request.num_images);
  if (request.seed) w.Key("seed").Uint(*request.seed);
  if (!request.output_format.empty()) w.Field("output_format", request.output_format);
  if (request.enable_safety_checker) w.Field("enable_safety_checker", *request.enable_safety_checker);
  for (const auto& [key, json] : request.extra.items()) {
    if (!detail::IsValidJson(json)) {
      return fail(errc::invalid_argument, fmt::format("extra field '{}' is not valid JSON", key));
    }
  }
  w.EndObject();
  std::string body = std::move(w).str();
  if (!request.extra.empty()) {
    // Extras win over typed fields: rebuild with replacements applied in place.
    detail::JsonDocument doc(body);
    detail::od::object root;
    if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "generation input could not be built");
    }
    std::vector<std::pair<std::string, std::string>> fields;
    for (auto field : root) {
      std::string_view key;
      detail::od::value v;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
        return fail(errc::invalid_argument, "generation input could not be built");
      }
      auto raw = detail::ReadRaw(v);
      if (!raw) return fail(errc::invalid_argument, "generation input could not be built");
      fields.emplace_back(std::string(key), std::move(*raw));
    }
    for (const auto& [key, json] : request.extra.items()) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == key; });
      if (it != fields.end()) {
        it->second = json;
      } else {
        fields.emplace_back(key, json);
      }
    }
    detail::JsonWriter merged;
    merged.BeginObject();
    for (const auto& [key, json] : fields) merged.Key(key).Raw(json);
    merged.EndObject();
    body = std::move(merged).str();
  }
  return std::make_pair(std::move(endpoint), std::move(body));
}

result<GenerationResult> TrainingClient::Generate(const TrainingOutput& trained,
                                                  const GenerateRequest& request, WatchOptions options) {
  FALTRAIN_TRY(auto input, BuildGenerationInput(trained, request));
  FALTRAIN_TRY(auto handle, Submit(input.first, input.second));
  if (options.min_interval == WatchOptions{}.min_interval) {
    // Generations take seconds, not minutes: poll faster than for trainings by default.
    options.min_interval = std::chrono::milliseconds(250);
    options.max_interval = std::chrono::seconds(2);
  }
  FALTRAIN_TRY(auto json, WaitForResultJson(handle, std::move(options)));
  auto parsed = GenerationResult::Parse(json);
  if (!parsed) {
    error e = std::move(parsed).error();
    e.request_id = handle.request_id;
    return fail(std::move(e));
  }
  return parsed;
}

}  // namespace v1
}  // namespace faltrain
