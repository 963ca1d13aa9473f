#include <faltrain/client/outputs.hpp>

#include "client/detail/json_reader.hpp"
#include "client/detail/json_validate.hpp"

#include <cmath>
#include <limits>

namespace faltrain {
inline namespace v1 {
namespace {

namespace od = detail::od;

/// A non-negative whole number, whether written as an integer or as a double like 89745224.0.
std::optional<std::uint64_t> ReadCount(od::value v) {
  if (auto u = detail::ReadUint(v)) return u;
  // A failed get_uint64 does not consume the value, so it can be read again as a double.
  auto d = detail::ReadDouble(v);
  if (!d || !std::isfinite(*d) || *d < 0 || *d != std::floor(*d) || *d >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*d);
}

std::optional<int> ReadDimension(od::value v) {
  auto n = ReadCount(v);
  if (!n || *n > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
  return static_cast<int>(*n);
}

bool IsObject(od::value v) {
  od::json_type type;
  return v.type().get(type) == simdjson::SUCCESS && type == od::json_type::object;
}

/// fal's File object: needs a string "url"; other members are optional and may be null.
std::optional<FileRef> ReadFile(od::value v) {
  od::object object;
  if (v.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  FileRef file;
  bool has_url = false;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (key == "url") {
      auto url = detail::ReadString(value);
      if (!url) return std::nullopt;
      file.url = std::move(*url);
      has_url = true;
    } else if (key == "content_type") {
      file.content_type = detail::ReadString(value).value_or("");
    } else if (key == "file_name") {
      file.file_name = detail::ReadString(value).value_or("");
    } else if (key == "file_size") {
      file.file_size = ReadCount(value);
    }
  }
  if (!has_url) return std::nullopt;
  return file;
}

}  // namespace

result<TrainingOutput> TrainingOutput::Parse(std::string_view json) {
  if (!detail::IsValidJsonAnyNumber(json)) {
    return fail(errc::malformed_response, "training output is not valid JSON");
  }
  detail::JsonDocument doc(json);
  od::object object;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(object) != simdjson::SUCCESS) {
    return fail(errc::malformed_response, "training output is not a JSON object");
  }
  TrainingOutput out;
  std::optional<FileRef> diffusers_lora, plain_lora;
  for (auto field : object) {
    std::string_view key_view;
    od::value value;
    if (field.unescaped_key().get(key_view) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      return fail(errc::malformed_response, "training output could not be read");
    }
    std::string key(key_view);
    if (key == "finetune_id") {
      out.finetune_id = detail::ReadString(value).value_or("");
    } else if (IsObject(value)) {
      auto file = ReadFile(value);
      if (!file) continue;  // an object that is not a File: unknown, tolerated
      if (key == "diffusers_lora_file") {
        diffusers_lora = std::move(file);
      } else if (key == "lora_file") {
        plain_lora = std::move(file);
      } else if (key == "config_file") {
        out.config_file = std::move(file);
      } else {
        out.other_files.emplace_back(std::move(key), std::move(*file));
      }
    }
  }
  // diffusers_lora_file is the LoRA when both appear; the other is kept, not dropped.
  if (diffusers_lora) {
    out.lora_file = std::move(diffusers_lora);
    if (plain_lora) out.other_files.emplace_back("lora_file", std::move(*plain_lora));
  } else {
    out.lora_file = std::move(plain_lora);
  }
  if (out.lora_file) {
    out.kind = OutputKind::kLoraFile;
  } else if (!out.finetune_id.empty()) {
    out.kind = OutputKind::kFinetuneId;
  } else {
    return fail(errc::malformed_response,
                "training output has neither a LoRA file (diffusers_lora_file/lora_file) nor a "
                "finetune_id");
  }
  out.raw_json = std::string(json);
  return out;
}

result<GenerationResult> GenerationResult::Parse(std::string_view json) {
  if (!detail::IsValidJsonAnyNumber(json)) {
    return fail(errc::malformed_response, "generation result is not valid JSON");
  }
  detail::JsonDocument doc(json);
  od::object object;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(object) != simdjson::SUCCESS) {
    return fail(errc::malformed_response, "generation result is not a JSON object");
  }
  GenerationResult out;
  bool has_images = false;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      return fail(errc::malformed_response, "generation result could not be read");
    }
    if (key == "images") {
      od::array images;
      if (value.get_array().get(images) != simdjson::SUCCESS) {
        return fail(errc::malformed_response, "generation result: 'images' is not an array");
      }
      has_images = true;
      for (auto item : images) {
        od::value element;
        if (item.get(element) != simdjson::SUCCESS) {
          return fail(errc::malformed_response, "generation result: unreadable image");
        }
        od::object image_object;
        if (element.get_object().get(image_object) != simdjson::SUCCESS) continue;
        GeneratedImage image;
        for (auto image_field : image_object) {
          std::string_view image_key;
          od::value image_value;
          if (image_field.unescaped_key().get(image_key) != simdjson::SUCCESS ||
              image_field.value().get(image_value) != simdjson::SUCCESS) {
            return fail(errc::malformed_response, "generation result: unreadable image field");
          }
          if (image_key == "url") {
            image.url = detail::ReadString(image_value).value_or("");
          } else if (image_key == "width") {
            image.width = ReadDimension(image_value).value_or(0);
          } else if (image_key == "height") {
            image.height = ReadDimension(image_value).value_or(0);
          } else if (image_key == "content_type") {
            image.content_type = detail::ReadString(image_value).value_or("");
          }
        }
        if (!image.url.empty()) out.images.push_back(std::move(image));
      }
    } else if (key == "seed") {
      // Seeds exceed int64 (17454220438242315174 was seen): keep the exact decimal text.
      od::json_type type;
      if (value.type().get(type) != simdjson::SUCCESS) continue;
      if (type == od::json_type::number) {
        out.seed = detail::ReadRaw(value).value_or("");
      } else if (type == od::json_type::string) {
        out.seed = detail::ReadString(value).value_or("");
      }
    } else if (key == "has_nsfw_concepts") {
      od::array flags;
      if (value.get_array().get(flags) != simdjson::SUCCESS) continue;
      for (auto item : flags) {
        od::value flag;
        if (item.get(flag) != simdjson::SUCCESS) break;
        out.has_nsfw_concepts.push_back(detail::ReadBool(flag).value_or(false));
      }
    } else if (key == "prompt") {
      out.prompt = detail::ReadString(value).value_or("");
    } else if (key == "timings") {
      od::object timings;
      if (value.get_object().get(timings) != simdjson::SUCCESS) continue;
      for (auto timing : timings) {
        std::string_view timing_key;
        od::value timing_value;
        if (timing.unescaped_key().get(timing_key) != simdjson::SUCCESS ||
            timing.value().get(timing_value) != simdjson::SUCCESS) {
          break;
        }
        if (timing_key == "inference") out.inference_seconds = detail::ReadDouble(timing_value);
      }
    }
  }
  if (!has_images) {
    return fail(errc::malformed_response, "generation result has no 'images' array");
  }
  out.raw_json = std::string(json);
  return out;
}

}  // namespace v1
}  // namespace faltrain
