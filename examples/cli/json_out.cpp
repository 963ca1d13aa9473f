#include "json_out.hpp"

#include <cctype>

namespace faltrain_cli {

using faltrain::JsonFields;

std::string Object(const JsonFields& fields) {
  return faltrain::JsonWriter().BeginObject().Fields(fields).EndObject().str();
}

std::string Array(const std::vector<std::string>& json_values) {
  faltrain::JsonWriter w;
  w.BeginArray();
  for (const auto& v : json_values) w.Raw(v);
  return std::move(w.EndArray()).str();
}

std::string_view ErrcName(faltrain::errc code) noexcept {
  using faltrain::errc;
  switch (code) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::missing_credentials: return "missing_credentials";
    case errc::connect_failed: return "connect_failed";
    case errc::network_error: return "network_error";
    case errc::timeout: return "timeout";
    case errc::unauthorized: return "unauthorized";
    case errc::not_found: return "not_found";
    case errc::validation_failed: return "validation_failed";
    case errc::rate_limited: return "rate_limited";
    case errc::server_error: return "server_error";
    case errc::http_error: return "http_error";
    case errc::malformed_response: return "malformed_response";
    case errc::request_failed: return "request_failed";
    case errc::already_completed: return "already_completed";
    case errc::cancelled: return "cancelled";
    case errc::deadline_exceeded: return "deadline_exceeded";
    case errc::io_error: return "io_error";
    case errc::unsupported: return "unsupported";
    case errc::payload_too_large: return "payload_too_large";
    case errc::signature_invalid: return "signature_invalid";
    case errc::storage_error: return "storage_error";
  }
  return "unknown";
}

std::string_view PhaseName(faltrain::RequestPhase phase) noexcept {
  switch (phase) {
    case faltrain::RequestPhase::kInQueue: return "in_queue";
    case faltrain::RequestPhase::kInProgress: return "in_progress";
    case faltrain::RequestPhase::kCompleted: return "completed";
    case faltrain::RequestPhase::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view OutcomeName(faltrain::CancelOutcome outcome) noexcept {
  switch (outcome) {
    case faltrain::CancelOutcome::kRequested: return "requested";
    case faltrain::CancelOutcome::kAlreadyCompleted: return "already_completed";
    case faltrain::CancelOutcome::kCancelled: return "cancelled";
  }
  return "requested";
}

std::string ErrorJson(const faltrain::error& e) {
  JsonFields f;
  f.SetString("code", ErrcName(e.code));
  f.SetString("message", e.message);
  if (e.http_status != 0) f.SetInt("http_status", e.http_status);
  if (!e.fal_error_type.empty()) f.SetString("fal_error_type", e.fal_error_type);
  if (!e.request_id.empty()) f.SetString("request_id", e.request_id);
  if (!e.field_errors.empty()) {
    std::vector<std::string> items;
    for (const auto& fe : e.field_errors) {
      std::vector<std::string> loc;
      for (const auto& part : fe.loc) loc.push_back(faltrain::JsonQuote(part));
      JsonFields item;
      item.SetRaw("loc", Array(loc)).SetString("msg", fe.msg).SetString("type", fe.type);
      items.push_back(Object(item));
    }
    f.SetRaw("field_errors", Array(items));
  }
  JsonFields outer;
  outer.SetRaw("error", Object(f));
  return Object(outer);
}

std::string PresetJson(const faltrain::PresetValues& p) {
  JsonFields f;
  f.SetString("style", faltrain::to_string(p.style));
  f.SetString("preset", faltrain::to_string(p.preset));
  f.SetInt("steps", p.steps);
  f.SetDouble("learning_rate", p.learning_rate);
  f.SetString("learning_rate_text", p.learning_rate_text);
  f.SetInt("estimate_min_minutes", p.estimate.min.count());
  f.SetInt("estimate_max_minutes", p.estimate.max.count());
  return Object(f);
}

std::string TrainerJson(const faltrain::TrainerSpec& t) {
  JsonFields f;
  f.SetString("endpoint_id", t.endpoint_id);
  f.SetString("display_name", t.display_name);
  f.SetString("images_field", t.images_field);
  f.SetString("trigger_field", t.trigger_field);
  f.SetString("steps_field", t.steps_field);
  f.SetString("default_trigger", t.default_trigger);
  f.SetInt("default_steps", t.default_steps);
  f.SetDouble("default_learning_rate", t.default_learning_rate);
  f.SetUint("min_images", t.min_images);
  if (t.max_images) f.SetUint("max_images", *t.max_images);
  f.SetString("output", faltrain::to_string(t.output));
  f.SetString("generation_endpoint", t.generation_endpoint);
  f.SetBool("deprecated", t.deprecated);
  if (!t.deprecation_note.empty()) f.SetString("deprecation_note", t.deprecation_note);
  return Object(f);
}

std::string ProgressJson(const faltrain::Progress& p) {
  JsonFields f;
  f.SetString("event", "progress");
  f.SetString("phase", PhaseName(p.phase));
  f.SetString("phase_text", p.phase_text);
  f.SetDouble("percent", p.percent);
  if (p.queue_position) f.SetInt("queue_position", *p.queue_position);
  if (p.step) f.SetInt("step", *p.step);
  if (p.total_steps) f.SetInt("total_steps", *p.total_steps);
  f.SetInt("elapsed_ms", p.elapsed.count());
  if (p.eta) f.SetInt("eta_ms", p.eta->count());
  if (!p.new_logs.empty()) {
    std::vector<std::string> logs;
    for (const auto& log : p.new_logs) logs.push_back(faltrain::JsonQuote(log.message));
    f.SetRaw("logs", Array(logs));
  }
  return Object(f);
}

std::string FileRefJson(const faltrain::FileRef& file) {
  JsonFields f;
  f.SetString("url", file.url);
  if (!file.file_name.empty()) f.SetString("file_name", file.file_name);
  if (!file.content_type.empty()) f.SetString("content_type", file.content_type);
  if (file.file_size) f.SetUint("file_size", *file.file_size);
  return Object(f);
}

std::string TrainingOutputJson(const faltrain::TrainingOutput& out) {
  JsonFields f;
  f.SetString("kind", faltrain::to_string(out.kind));
  if (out.lora_file) f.SetRaw("lora_file", FileRefJson(*out.lora_file));
  if (out.config_file) f.SetRaw("config_file", FileRefJson(*out.config_file));
  if (!out.finetune_id.empty()) f.SetString("finetune_id", out.finetune_id);
  if (!out.raw_json.empty()) f.SetRaw("output", out.raw_json);
  return Object(f);
}

std::string GenerationJson(const faltrain::GenerationResult& gen) {
  std::vector<std::string> images;
  for (const auto& image : gen.images) {
    JsonFields i;
    i.SetString("url", image.url);
    i.SetInt("width", image.width);
    i.SetInt("height", image.height);
    i.SetString("content_type", image.content_type);
    images.push_back(Object(i));
  }
  JsonFields f;
  f.SetRaw("images", Array(images));
  // Seeds exceed int64: keep the decimal text as a JSON number when it is one.
  bool numeric = !gen.seed.empty();
  for (char c : gen.seed) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
  if (numeric) f.SetRaw("seed", gen.seed);
  f.SetString("prompt", gen.prompt);
  if (gen.inference_seconds) f.SetDouble("inference_seconds", *gen.inference_seconds);
  return Object(f);
}

}  // namespace faltrain_cli
