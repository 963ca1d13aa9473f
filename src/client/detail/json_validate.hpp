#pragma once
// Full validation of JSON text that, unlike simdjson's DOM parser (and so `IsValidJson`), accepts
// every RFC 8259 number: fal sends integers beyond 64 bits (seeds), which we keep as raw text.
// Private.

#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// True when `text` is exactly one valid JSON value (surrounding whitespace allowed), numbers of
/// any size included. Nesting deeper than 512 levels is rejected.
bool IsValidJsonAnyNumber(std::string_view text);

/// True when `token` (surrounding whitespace ignored) follows the RFC 8259 number grammar.
bool IsJsonNumberToken(std::string_view token);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
