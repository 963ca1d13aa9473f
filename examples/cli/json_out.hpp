#pragma once
// JSON for `--json` output, written with faltrain's public JsonWriter (which escapes strings), so
// scripts get one well-formed object per line.

#include <faltrain/client/error.hpp>
#include <faltrain/client/json_fields.hpp>
#include <faltrain/client/json_writer.hpp>
#include <faltrain/client/outputs.hpp>
#include <faltrain/client/presets.hpp>
#include <faltrain/client/progress.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/trainers.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace faltrain_cli {

/// `{"key":value,...}` from the fields, in their order.
std::string Object(const faltrain::JsonFields& fields);
/// `[v1,v2,...]` from JSON values.
std::string Array(const std::vector<std::string>& json_values);

/// "invalid_argument", "request_failed", ...
std::string_view ErrcName(faltrain::errc code) noexcept;

/// Stable lower-case names for scripts: "in_queue", "in_progress", "completed", "unknown".
std::string_view PhaseName(faltrain::RequestPhase phase) noexcept;
/// "requested", "already_completed", "cancelled".
std::string_view OutcomeName(faltrain::CancelOutcome outcome) noexcept;

std::string ErrorJson(const faltrain::error& e);
std::string PresetJson(const faltrain::PresetValues& p);
std::string TrainerJson(const faltrain::TrainerSpec& t);
std::string ProgressJson(const faltrain::Progress& p);
std::string FileRefJson(const faltrain::FileRef& f);
std::string TrainingOutputJson(const faltrain::TrainingOutput& out);
std::string GenerationJson(const faltrain::GenerationResult& gen);

}  // namespace faltrain_cli
