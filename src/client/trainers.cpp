#include <faltrain/client/queue.hpp>
#include <faltrain/client/trainers.hpp>

#include "client/detail/enum_text.hpp"
#include "client/detail/json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>

namespace faltrain {
inline namespace v1 {

struct TrainerRegistry::State {
  mutable std::mutex mu;
  std::vector<TrainerSpec> specs;                 // registration order
  std::array<std::string, 2> style_trainers;      // indexed by AvatarStyle
};

namespace {

std::size_t StyleIndex(AvatarStyle style) { return style == AvatarStyle::kArtistic ? 1 : 0; }

bool IsJsonObjectText(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' && detail::IsValidJson(text);
}

/// Checks a spec and fills derived defaults. Errors name the spec.
result<TrainerSpec> Validate(TrainerSpec spec) {
  auto bad = [&](const std::string& why) {
    return fail(errc::invalid_argument,
                fmt::format("trainer spec '{}': {}", spec.endpoint_id, why));
  };
  if (spec.endpoint_id.empty()) return fail(errc::invalid_argument, "trainer spec: empty endpoint_id");
  if (auto id = EndpointId::Parse(spec.endpoint_id); !id) {
    return bad("endpoint_id is not an owner/alias endpoint id (" + id.error().message + ")");
  }
  if (spec.images_field.empty()) return bad("images_field is empty");
  if (spec.generation_endpoint.empty()) return bad("generation_endpoint is empty");
  if (auto id = EndpointId::Parse(spec.generation_endpoint); !id) {
    return bad("generation_endpoint is not a valid endpoint id (" + id.error().message + ")");
  }
  if (spec.default_steps < 0) return bad("default_steps is negative");
  if (!std::isfinite(spec.default_learning_rate) || spec.default_learning_rate < 0) {
    return bad("default_learning_rate must be a finite number >= 0");
  }
  if (spec.min_images < 1) return bad("min_images must be at least 1");
  if (spec.max_images && *spec.max_images < spec.min_images) {
    return bad("max_images must be at least min_images");
  }
  if (!spec.fixed_inputs_json.empty() && !IsJsonObjectText(spec.fixed_inputs_json)) {
    return bad("fixed_inputs_json is not a JSON object");
  }
  for (const auto& field : spec.required_fields) {
    if (field.empty()) return bad("required_fields contains an empty name");
  }
  if (spec.display_name.empty()) spec.display_name = spec.endpoint_id;
  return spec;
}

// --- RegisterJson -------------------------------------------------------------------------------

result<std::string> ReadStringField(detail::od::value v, std::string_view key) {
  if (detail::IsNull(v)) return std::string();
  auto s = detail::ReadString(v);
  if (!s) return fail(errc::invalid_argument, fmt::format("'{}' must be a string", key));
  return *s;
}

result<void> ReadSpecField(std::string_view key, detail::od::value v, TrainerSpec& spec) {
  struct StringMember {
    std::string_view name;
    std::string TrainerSpec::*member;
  };
  static const StringMember kStrings[] = {
      {"endpoint_id", &TrainerSpec::endpoint_id},
      {"display_name", &TrainerSpec::display_name},
      {"images_field", &TrainerSpec::images_field},
      {"trigger_field", &TrainerSpec::trigger_field},
      {"steps_field", &TrainerSpec::steps_field},
      {"learning_rate_field", &TrainerSpec::learning_rate_field},
      {"default_trigger", &TrainerSpec::default_trigger},
      {"generation_endpoint", &TrainerSpec::generation_endpoint},
      {"deprecation_note", &TrainerSpec::deprecation_note},
  };
  for (const auto& s : kStrings) {
    if (key == s.name) {
      FALTRAIN_TRY(spec.*s.member, ReadStringField(v, key));
      return success();
    }
  }
  if (key == "default_steps") {
    if (detail::IsNull(v)) return success();
    auto n = detail::ReadInt(v);
    if (!n) return fail(errc::invalid_argument, "'default_steps' must be an integer");
    spec.default_steps = *n;
  } else if (key == "default_learning_rate") {
    if (detail::IsNull(v)) return success();
    auto d = detail::ReadDouble(v);
    if (!d) return fail(errc::invalid_argument, "'default_learning_rate' must be a number");
    spec.default_learning_rate = *d;
  } else if (key == "min_images") {
    if (detail::IsNull(v)) return success();
    auto n = detail::ReadUint(v);
    if (!n) return fail(errc::invalid_argument, "'min_images' must be a non-negative integer");
    spec.min_images = static_cast<std::size_t>(*n);
  } else if (key == "max_images") {
    if (detail::IsNull(v)) return success();
    auto n = detail::ReadUint(v);
    if (!n) return fail(errc::invalid_argument, "'max_images' must be a non-negative integer or null");
    spec.max_images = static_cast<std::size_t>(*n);
  } else if (key == "output") {
    FALTRAIN_TRY(std::string text, ReadStringField(v, key));
    if (text == "lora_file" || text.empty()) {
      spec.output = OutputKind::kLoraFile;
    } else if (text == "finetune_id") {
      spec.output = OutputKind::kFinetuneId;
    } else {
      return fail(errc::invalid_argument,
                  fmt::format("'output' must be \"lora_file\" or \"finetune_id\", got \"{}\"", text));
    }
  } else if (key == "fixed_inputs_json") {
    // Either a JSON object or a string holding one's text.
    if (detail::IsNull(v)) return success();
    detail::od::json_type type;
    if (v.type().get(type) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "'fixed_inputs_json' is not readable");
    }
    std::optional<std::string> text =
        type == detail::od::json_type::object ? detail::ReadRaw(v) : detail::ReadString(v);
    if (!text) {
      return fail(errc::invalid_argument,
                  "'fixed_inputs_json' must be a JSON object or a string holding one");
    }
    spec.fixed_inputs_json = std::move(*text);
  } else if (key == "required_fields") {
    if (detail::IsNull(v)) return success();
    detail::od::array array;
    if (v.get_array().get(array) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "'required_fields' must be an array of strings");
    }
    spec.required_fields.clear();
    for (auto item : array) {
      detail::od::value element;
      std::optional<std::string> name;
      if (item.get(element) == simdjson::SUCCESS) name = detail::ReadString(element);
      if (!name) return fail(errc::invalid_argument, "'required_fields' must be an array of strings");
      spec.required_fields.push_back(std::move(*name));
    }
  } else if (key == "deprecated") {
    if (detail::IsNull(v)) return success();
    auto b = detail::ReadBool(v);
    if (!b) return fail(errc::invalid_argument, "'deprecated' must be true or false");
    spec.deprecated = *b;
  } else {
    return fail(errc::invalid_argument, fmt::format("unknown key '{}'", key));
  }
  return success();
}

result<TrainerSpec> ReadSpec(detail::od::value v) {
  detail::od::object object;
  if (v.get_object().get(object) != simdjson::SUCCESS) {
    return fail(errc::invalid_argument, "not a JSON object");
  }
  TrainerSpec spec;
  for (auto field : object) {
    std::string_view key;
    detail::od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "unreadable field");
    }
    std::string key_copy(key);  // the view dies when the value is read
    FALTRAIN_TRYV(ReadSpecField(key_copy, value, spec));
  }
  return spec;
}

result<std::vector<TrainerSpec>> ParseSpecs(std::string_view json) {
  if (!detail::IsValidJson(json)) {
    return fail(errc::invalid_argument, "trainer specs: not valid JSON");
  }
  detail::JsonDocument doc(json);
  detail::od::array array;
  if (doc.error() != simdjson::SUCCESS || doc.doc().get_array().get(array) != simdjson::SUCCESS) {
    return fail(errc::invalid_argument, "trainer specs: expected a JSON array of objects");
  }
  std::vector<TrainerSpec> specs;
  std::size_t index = 0;
  for (auto item : array) {
    detail::od::value value;
    result<TrainerSpec> spec = fail(errc::invalid_argument, "unreadable entry");
    if (item.get(value) == simdjson::SUCCESS) spec = ReadSpec(value);
    if (spec) spec = Validate(std::move(spec).value());
    if (!spec) {
      return fail(errc::invalid_argument,
                  fmt::format("trainer specs entry #{}: {}", index, spec.error().message));
    }
    specs.push_back(std::move(spec).value());
    ++index;
  }
  return specs;
}

std::vector<TrainerSpec> BuiltinSpecs() {
  std::vector<TrainerSpec> specs;

  TrainerSpec portrait;
  portrait.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  portrait.display_name = "FLUX LoRA portrait trainer";
  portrait.images_field = "images_data_url";
  portrait.trigger_field = "trigger_phrase";
  portrait.steps_field = "steps";
  portrait.learning_rate_field = "learning_rate";
  // fal documents no default trigger; "ohwx person" is the customary rare-token + class phrase.
  portrait.default_trigger = "ohwx person";
  portrait.default_steps = 2500;
  portrait.default_learning_rate = 0.00009;
  portrait.min_images = 10;
  portrait.output = OutputKind::kLoraFile;
  portrait.generation_endpoint = "fal-ai/flux-lora";
  specs.push_back(std::move(portrait));

  TrainerSpec pro;
  pro.endpoint_id = "fal-ai/flux-pro-trainer";
  pro.display_name = "FLUX Pro finetune trainer";
  pro.images_field = "data_url";
  pro.trigger_field = "trigger_word";
  pro.steps_field = "iterations";
  pro.learning_rate_field = "learning_rate";
  pro.default_trigger = "TOK";
  pro.default_steps = 300;
  // fal's default is 1e-5 for finetune_type "full" and 1e-4 for "lora"; the seed's artistic
  // presets (2e-4..5e-5) always send their own rate, so this default rarely applies.
  pro.default_learning_rate = 1e-4;
  // fal documents no minimum image count for this trainer.
  pro.min_images = 1;
  pro.output = OutputKind::kFinetuneId;
  // finetune_type is sent explicitly: fal's default is "full" (learning rate 1e-5), and the seed's
  // artistic rates (2e-4 / 1e-4 / 5e-5) are LoRA rates — 10-20x too high for a full finetune.
  pro.fixed_inputs_json = R"({"mode":"character","finetune_comment":"faltrain avatar","finetune_type":"lora"})";
  pro.required_fields = {"finetune_comment"};
  pro.generation_endpoint = "fal-ai/flux-pro/v1.1-ultra-finetuned";
  pro.deprecated = true;
  pro.deprecation_note =
      "fal marks fal-ai/flux-pro-trainer as deprecated (dropped from fal-js types after "
      "Oct 2025); map the artistic style to a LoRA trainer if it stops accepting requests.";
  specs.push_back(std::move(pro));

  TrainerSpec fast;
  fast.endpoint_id = "fal-ai/flux-lora-fast-training";
  fast.display_name = "FLUX LoRA fast training";
  fast.images_field = "images_data_url";
  fast.trigger_field = "trigger_word";
  fast.steps_field = "steps";
  fast.learning_rate_field = "";  // the endpoint takes no learning rate
  fast.default_trigger = "ohwx person";
  fast.default_steps = 1000;      // no schema default; 1000 is the commonly used value
  fast.min_images = 4;
  fast.output = OutputKind::kLoraFile;
  fast.generation_endpoint = "fal-ai/flux-lora";
  specs.push_back(std::move(fast));

  TrainerSpec turbo;
  turbo.endpoint_id = "fal-ai/turbo-flux-trainer";
  turbo.display_name = "Turbo FLUX trainer";
  turbo.images_field = "images_data_url";
  turbo.trigger_field = "trigger_phrase";
  turbo.steps_field = "steps";
  turbo.learning_rate_field = "learning_rate";
  turbo.default_trigger = "ohwx";
  turbo.default_steps = 1000;
  turbo.default_learning_rate = 0.00115;
  turbo.min_images = 10;  // fal's turbo-flux-trainer page: "try to use at least 10 images"
  turbo.output = OutputKind::kLoraFile;
  turbo.generation_endpoint = "fal-ai/flux-lora";
  specs.push_back(std::move(turbo));

  return specs;
}

void Upsert(std::vector<TrainerSpec>& specs, TrainerSpec spec) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const TrainerSpec& s) { return s.endpoint_id == spec.endpoint_id; });
  if (it != specs.end()) {
    *it = std::move(spec);
  } else {
    specs.push_back(std::move(spec));
  }
}

}  // namespace

std::string_view to_string(OutputKind k) noexcept {
  switch (k) {
    case OutputKind::kLoraFile: return "lora_file";
    case OutputKind::kFinetuneId: return "finetune_id";
  }
  return "lora_file";
}

result<OutputKind> ParseOutputKind(std::string_view text) {
  return detail::ParseEnum(text, "output kind", {OutputKind::kLoraFile, OutputKind::kFinetuneId});
}

TrainerRegistry::TrainerRegistry() : state_(std::make_unique<State>()) {}

TrainerRegistry TrainerRegistry::WithBuiltins() {
  TrainerRegistry registry;
  registry.state_->specs = BuiltinSpecs();
  registry.state_->style_trainers[StyleIndex(AvatarStyle::kPortrait)] =
      "fal-ai/flux-lora-portrait-trainer";
  registry.state_->style_trainers[StyleIndex(AvatarStyle::kArtistic)] = "fal-ai/flux-pro-trainer";
  return registry;
}

TrainerRegistry::TrainerRegistry(const TrainerRegistry& other) : state_(std::make_unique<State>()) {
  if (!other.state_) return;
  std::lock_guard<std::mutex> lock(other.state_->mu);
  state_->specs = other.state_->specs;
  state_->style_trainers = other.state_->style_trainers;
}

TrainerRegistry& TrainerRegistry::operator=(const TrainerRegistry& other) {
  if (this == &other) return *this;
  TrainerRegistry copy(other);  // never holds both locks at once
  if (!state_) state_ = std::make_unique<State>();
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->specs = std::move(copy.state_->specs);
  state_->style_trainers = std::move(copy.state_->style_trainers);
  return *this;
}

// A moved-from registry has no state: it reads as empty and recreates state on the next write.
TrainerRegistry::TrainerRegistry(TrainerRegistry&&) noexcept = default;
TrainerRegistry& TrainerRegistry::operator=(TrainerRegistry&&) noexcept = default;
TrainerRegistry::~TrainerRegistry() = default;

result<void> TrainerRegistry::Register(TrainerSpec spec) {
  FALTRAIN_TRY(TrainerSpec valid, Validate(std::move(spec)));
  if (!state_) state_ = std::make_unique<State>();
  std::lock_guard<std::mutex> lock(state_->mu);
  Upsert(state_->specs, std::move(valid));
  return success();
}

result<std::size_t> TrainerRegistry::RegisterJson(std::string_view json) {
  // Everything is parsed and validated before anything is registered: all or nothing.
  FALTRAIN_TRY(std::vector<TrainerSpec> specs, ParseSpecs(json));
  if (!state_) state_ = std::make_unique<State>();
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& spec : specs) Upsert(state_->specs, std::move(spec));
  return specs.size();
}

result<void> TrainerRegistry::SetStyleTrainer(AvatarStyle style, std::string_view endpoint_id) {
  if (!state_) state_ = std::make_unique<State>();
  std::lock_guard<std::mutex> lock(state_->mu);
  bool known = std::any_of(state_->specs.begin(), state_->specs.end(),
                           [&](const TrainerSpec& s) { return s.endpoint_id == endpoint_id; });
  if (!known) {
    return fail(errc::not_found,
                fmt::format("cannot use '{}' for the {} style: no such trainer is registered",
                            endpoint_id, to_string(style)));
  }
  state_->style_trainers[StyleIndex(style)] = std::string(endpoint_id);
  return success();
}

result<TrainerSpec> TrainerRegistry::Find(std::string_view endpoint_id) const {
  if (state_) {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (const auto& spec : state_->specs) {
      if (spec.endpoint_id == endpoint_id) return spec;
    }
  }
  return fail(errc::not_found, fmt::format("no trainer registered for '{}'", endpoint_id));
}

result<TrainerSpec> TrainerRegistry::ForStyle(AvatarStyle style) const {
  std::string endpoint_id;
  if (state_) {
    std::lock_guard<std::mutex> lock(state_->mu);
    endpoint_id = state_->style_trainers[StyleIndex(style)];
  }
  if (endpoint_id.empty()) {
    return fail(errc::not_found, fmt::format("no trainer set for the {} style", to_string(style)));
  }
  return Find(endpoint_id);
}

std::vector<TrainerSpec> TrainerRegistry::List() const {
  if (!state_) return {};
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->specs;
}

}  // namespace v1
}  // namespace faltrain
