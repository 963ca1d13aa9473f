#pragma once
// Input validation as fal's pydantic (v1) models do it: a missing required field is
// value_error.missing, a value of the wrong type type_error.<type>, reported together as a 422
// {"detail":[{"loc":["body",<field>],"msg":...,"type":...}]}. Also reads typed values back. Private.

#include "testing/detail/sim_models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The 422 body for `input_json`, or an empty string when it is valid. An empty body counts as {}.
std::string ValidateSimInput(const SimModel& model, std::string_view input_json);

/// The exact JSON text of a top-level field, if present.
std::optional<std::string> SimInputRaw(std::string_view input_json, std::string_view field);
/// A top-level field as an integer the way pydantic coerces it (integers, integral floats and
/// numeric strings), if present and in int64 range.
std::optional<std::int64_t> SimInputInteger(std::string_view input_json, std::string_view field);
/// A top-level string field, if present and a string.
std::optional<std::string> SimInputString(std::string_view input_json, std::string_view field);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
