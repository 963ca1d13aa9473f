// TrainingClient's image generation with a finished training.

#include <faltrain/client/training_client.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/input_fields.hpp"
#include <faltrain/client/json_writer.hpp>

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace {

constexpr std::string_view kLoraEndpoint = "fal-ai/flux-lora";
constexpr std::string_view kFinetuneEndpoint = "fal-ai/flux-pro/v1.1-ultra-finetuned";

}  // namespace

result<GenerationInput> TrainingClient::BuildGenerationInput(const TrainingOutput& trained,
                                                             const GenerateRequest& request) const {
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

  auto text = [](std::string_view v) { return JsonQuote(v); };
  detail::InputFields fields;
  fields.Put("prompt", text(request.prompt));
  if (finetune) {
    fields.Put("finetune_id", text(trained.finetune_id));
    fields.Put("finetune_strength", JsonNumber(request.finetune_strength));
    if (!request.aspect_ratio.empty()) fields.Put("aspect_ratio", text(request.aspect_ratio));
  } else {
    JsonWriter loras;
    loras.BeginArray().BeginObject()
        .Field("path", trained.lora_file->url)
        .Field("scale", request.lora_scale)
        .EndObject().EndArray();
    fields.Put("loras", std::move(loras).str());
    if (request.width) {
      JsonWriter size;
      size.BeginObject().Field("width", *request.width).Field("height", *request.height).EndObject();
      fields.Put("image_size", std::move(size).str());
    } else if (!request.image_size.empty()) {
      fields.Put("image_size", text(request.image_size));
    }
    if (request.num_inference_steps) fields.Put("num_inference_steps", std::to_string(*request.num_inference_steps));
    if (request.guidance_scale) fields.Put("guidance_scale", JsonNumber(*request.guidance_scale));
  }
  fields.Put("num_images", std::to_string(request.num_images));
  if (request.seed) fields.Put("seed", std::to_string(*request.seed));
  if (!request.output_format.empty()) fields.Put("output_format", text(request.output_format));
  // The finetuned Ultra endpoint has no such field (its filter is `safety_tolerance`, set through
  // `extra`): sending it there would be at best ignored.
  if (request.enable_safety_checker && endpoint != kFinetuneEndpoint) {
    fields.Put("enable_safety_checker", *request.enable_safety_checker ? "true" : "false");
  }
  FALTRAIN_TRYV(fields.PutExtra(request.extra));
  return GenerationInput{std::move(endpoint), fields.ToJson()};
}

result<GenerationResult> TrainingClient::Generate(const TrainingOutput& trained,
                                                  const GenerateRequest& request, WatchOptions options) {
  FALTRAIN_TRY(auto input, BuildGenerationInput(trained, request));
  // The configured webhook is for trainings; a generation is awaited here, not tracked as a job.
  SubmitOptions submit;
  submit.no_webhook = true;
  FALTRAIN_TRY(auto handle, Submit(input.endpoint_id, input.input_json, submit));
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
