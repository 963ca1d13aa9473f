#pragma once
// Re-serialises JSON the way fal's webhook sender (Python `json.dumps(..., sort_keys=True)`) writes
// it: keys sorted, ", " and ": " separators, non-ASCII as \uXXXX, numbers kept verbatim (seeds
// beyond int64 survive). The simulator's webhooks use it so receivers meet the real byte shape.
// Private.

#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// nullopt when `json` is not one valid JSON value.
std::optional<std::string> PythonStyleJson(std::string_view json);

/// Appends `s` as Python's json.dumps(ensure_ascii=True) writes a string.
void AppendPythonJsonString(std::string& out, std::string_view s);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
