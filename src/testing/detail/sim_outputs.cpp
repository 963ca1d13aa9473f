#include "testing/detail/sim_outputs.hpp"

#include "webhooks/detail/encoding.hpp"
#include <faltrain/client/json_writer.hpp>
#include "testing/detail/sim_random.hpp"
#include "testing/detail/sim_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// An 8x8 baseline JPEG and PNG (a neutral skin tone), so image URLs serve real, decodable images.
constexpr unsigned char kTinyJpeg[] = {
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
  0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
  0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e, 0x12,
  0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23,
  0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40,
  0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51,
  0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64,
  0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11, 0x12,
  0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03,
  0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
  0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xc4, 0x00, 0x14,
  0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x02, 0x03, 0xff, 0xc4, 0x00, 0x14, 0x11, 0x01, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11,
  0x03, 0x11, 0x00, 0x3f, 0x00, 0xa0, 0x26, 0x6f, 0xff, 0xd9
};
constexpr unsigned char kTinyPng[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
  0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08,
  0x08, 0x02, 0x00, 0x00, 0x00, 0x4b, 0x6d, 0x29, 0xdc, 0x00, 0x00, 0x00,
  0x11, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xe8, 0xaa, 0x2f, 0xc6,
  0x8a, 0x18, 0x86, 0x96, 0x04, 0x00, 0x24, 0xb3, 0x5f, 0x01, 0x30, 0xcf,
  0xc6, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
  0x60, 0x82
};

std::string Bytes(const unsigned char* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

const char* PickAnimal(SimRandom& random) {
  static const char* kAnimals[] = {"koala", "rabbit", "lion", "zebra", "tiger", "penguin",
                                   "elephant", "kangaroo", "panda", "monkey", "lemur", "gorilla"};
  return kAnimals[random.Next() % (sizeof kAnimals / sizeof kAnimals[0])];
}

// A small but valid safetensors file: u64 little-endian header length, JSON header, F32 data.
std::string MakeSafetensors(std::string_view trigger, std::int64_t steps, SimRandom& random) {
  constexpr int kRank = 16, kWidth = 64;
  constexpr std::size_t kTensorBytes = kRank * kWidth * 4;
  JsonWriter header;
  header.BeginObject();
  header.Key("__metadata__").BeginObject().Field("format", "pt")
      .Field("ss_network_dim", std::to_string(kRank)).Field("ss_steps", std::to_string(steps))
      .Field("trigger_phrase", trigger).EndObject();
  const char* names[] = {"transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight",
                         "transformer.single_transformer_blocks.0.attn.to_q.lora_B.weight"};
  for (int i = 0; i < 2; ++i) {
    header.Key(names[i]).BeginObject().Field("dtype", "F32").Key("shape").BeginArray();
    if (i == 0) {
      header.Int(kRank).Int(kWidth);
    } else {
      header.Int(kWidth).Int(kRank);
    }
    header.EndArray().Key("data_offsets").BeginArray()
        .Uint(i * kTensorBytes).Uint((i + 1) * kTensorBytes).EndArray().EndObject();
  }
  header.EndObject();
  std::string json = std::move(header).str();
  while (json.size() % 8 != 0) json += ' ';
  std::string file;
  std::uint64_t length = json.size();
  for (int i = 0; i < 8; ++i) file += static_cast<char>((length >> (8 * i)) & 0xff);
  file += json;
  for (std::size_t i = 0; i < 2 * kTensorBytes / 4; ++i) {
    float weight = static_cast<float>((random.Uniform() - 0.5) * 0.02);
    unsigned char raw[4];
    std::memcpy(raw, &weight, 4);
    file.append(reinterpret_cast<const char*>(raw), 4);
  }
  return file;
}

void WriteFileObject(JsonWriter& w, std::string_view file_base, const SimFile& file,
                     std::string_view file_name) {
  w.BeginObject()
      .Field("url", std::string(file_base) + file.path)
      .Field("content_type", file.content_type)
      .Field("file_name", file_name)
      .Key("file_size").Uint(file.bytes.size())
      .EndObject();
}

std::string LoraFieldName(std::string_view endpoint_id) {
  // Reference §6: these trainers call their weights "lora_file"; the rest "diffusers_lora_file".
  if (endpoint_id.substr(0, 18) == "fal-ai/wan-trainer" || endpoint_id == "fal-ai/qwen-image-trainer") {
    return "lora_file";
  }
  return "diffusers_lora_file";
}

std::pair<int, int> FluxLoraSize(std::string_view input_json) {
  if (auto raw = SimInputRaw(input_json, "image_size"); raw && !raw->empty() && raw->front() == '{') {
    auto width = SimInputInteger(*raw, "width");
    auto height = SimInputInteger(*raw, "height");
    if (width && height) return {static_cast<int>(*width), static_cast<int>(*height)};
  }
  std::string size = SimInputString(input_json, "image_size").value_or("landscape_4_3");
  if (size == "square_hd") return {1024, 1024};
  if (size == "square") return {512, 512};
  if (size == "portrait_4_3") return {768, 1024};
  if (size == "portrait_16_9") return {576, 1024};
  if (size == "landscape_16_9") return {1024, 576};
  return {1024, 768};
}

std::pair<int, int> UltraSize(std::string_view input_json) {
  std::string ratio = SimInputString(input_json, "aspect_ratio").value_or("16:9");
  static const std::pair<const char*, std::pair<int, int>> kRatios[] = {
      {"21:9", {3136, 1344}}, {"16:9", {2752, 1536}}, {"4:3", {2368, 1792}},
      {"3:2", {2496, 1664}},  {"1:1", {2048, 2048}},  {"2:3", {1664, 2496}},
      {"3:4", {1792, 2368}},  {"9:16", {1536, 2752}}, {"9:21", {1344, 3136}}};
  for (const auto& [name, size] : kRatios) {
    if (ratio == name) return size;
  }
  return {2752, 1536};
}

}  // namespace

std::string MakeFilePath(std::string_view file_name, SimRandom& random) {
  const char* animal = PickAnimal(random);
  return fmt::format("/files/{}/{}_{}", animal, random.NanoId(21), file_name);
}

SimOutput MakeTrainerOutput(const SimModel& model, std::string_view input_json, std::int64_t steps,
                            std::string_view file_base, SimRandom& random) {
  SimOutput out;
  const TrainerSpec& spec = *model.trainer;
  JsonWriter w;
  w.BeginObject();
  if (spec.output == OutputKind::kFinetuneId) {
    w.Field("finetune_id", random.Uuid());
    w.EndObject();
    out.json = std::move(w).str();
    return out;
  }
  std::string trigger = spec.trigger_field.empty()
                            ? spec.default_trigger
                            : SimInputString(input_json, spec.trigger_field).value_or(spec.default_trigger);
  SimFile lora{MakeFilePath("pytorch_lora_weights.safetensors", random), "application/octet-stream",
               MakeSafetensors(trigger, steps, random)};
  JsonWriter config;
  config.BeginObject()
      .Field("base_model", "black-forest-labs/FLUX.1-dev")
      .Field("endpoint_id", model.endpoint_id)
      .Key("input").Raw(input_json.find_first_not_of(" \t\r\n") == std::string_view::npos
                            ? std::string_view("{}") : input_json)
      .Field("lora_rank", 16).Field("network_alpha", 16)
      .Field("steps", steps).Field("trigger_phrase", trigger)
      .EndObject();
  SimFile config_file{MakeFilePath("config.json", random), "application/json", std::move(config).str()};
  w.Key(LoraFieldName(model.endpoint_id));
  WriteFileObject(w, file_base, lora, "pytorch_lora_weights.safetensors");
  if (model.endpoint_id == "fal-ai/wan-22-image-trainer") {
    SimFile high_noise{MakeFilePath("high_noise_lora.safetensors", random),
                       "application/octet-stream", MakeSafetensors(trigger, steps, random)};
    w.Key("high_noise_lora");
    WriteFileObject(w, file_base, high_noise, "high_noise_lora.safetensors");
    out.files.push_back(std::move(high_noise));
  }
  w.Key("config_file");
  WriteFileObject(w, file_base, config_file, "config.json");
  w.EndObject();
  out.json = std::move(w).str();
  out.files.push_back(std::move(lora));
  out.files.push_back(std::move(config_file));
  return out;
}

SimOutput MakeGenerationOutput(const SimModel& model, std::string_view input_json,
                               double inference_seconds, std::string_view file_base,
                               SimRandom& random) {
  SimOutput out;
  auto [width, height] = model.kind == SimModelKind::kFinetuneGeneration ? UltraSize(input_json)
                                                                         : FluxLoraSize(input_json);
  bool png = SimInputString(input_json, "output_format").value_or("jpeg") == "png";
  auto sync_mode = SimInputRaw(input_json, "sync_mode");
  bool inline_data = sync_mode && *sync_mode == "true";
  std::int64_t count = std::clamp<std::int64_t>(SimInputInteger(input_json, "num_images").value_or(1), 1, 4);
  // Seeds are uint64 on fal (a real one was 17454220438242315174): echo the caller's verbatim.
  std::string seed = SimInputRaw(input_json, "seed").value_or("");
  if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos) {
    seed = std::to_string(random.Next());
  }
  std::string bytes = png ? Bytes(kTinyPng, sizeof kTinyPng) : Bytes(kTinyJpeg, sizeof kTinyJpeg);
  const char* content_type = png ? "image/png" : "image/jpeg";
  JsonWriter w;
  w.BeginObject().Key("images").BeginArray();
  for (std::int64_t i = 0; i < count; ++i) {
    std::string url;
    if (inline_data) {
      url = std::string("data:") + content_type + ";base64," + Base64Encode(bytes);
    } else {
      SimFile file{MakeFilePath(png ? "image.png" : "image.jpeg", random), content_type, bytes};
      url = std::string(file_base) + file.path;
      out.files.push_back(std::move(file));
    }
    w.BeginObject().Field("url", url).Field("width", width).Field("height", height)
        .Field("content_type", content_type).EndObject();
  }
  w.EndArray();
  w.Key("timings").BeginObject().Field("inference", inference_seconds).EndObject();
  w.Key("seed").Raw(seed);
  w.Key("has_nsfw_concepts").BeginArray();
  for (std::int64_t i = 0; i < count; ++i) w.Bool(false);
  w.EndArray();
  w.Field("prompt", SimInputString(input_json, "prompt").value_or(""));
  w.EndObject();
  out.json = std::move(w).str();
  return out;
}

SimOutput MakeGenericOutput(std::string_view input_json, double inference_seconds) {
  JsonWriter w;
  bool empty = input_json.find_first_not_of(" \t\r\n") == std::string_view::npos;
  w.BeginObject().Key("input").Raw(empty ? std::string_view("{}") : input_json)
      .Key("timings").BeginObject().Field("inference", inference_seconds).EndObject()
      .EndObject();
  return SimOutput{std::move(w).str(), {}};
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
