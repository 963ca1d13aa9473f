#pragma once
// The one implementation behind every public `ParseX(std::string_view) -> result<X>`: it accepts
// exactly the names `to_string(X)` gives, ignoring ASCII case and surrounding whitespace.

#include <faltrain/client/result.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The enumerator of `values` whose `to_string` matches `text` (case and surrounding whitespace
/// ignored); else `errc::invalid_argument`: "unknown <what> 'text'; valid: a, b, c".
template <class E, std::size_t N>
result<E> ParseEnum(std::string_view text, std::string_view what, const E (&values)[N]) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::string_view t = text;
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  std::string valid;
  for (E value : values) {
    std::string_view name = to_string(value);
    if (name.size() == t.size() && std::equal(t.begin(), t.end(), name.begin(), same)) return value;
    if (!valid.empty()) valid += ", ";
    valid += name;
  }
  return fail(errc::invalid_argument,
              "unknown " + std::string(what) + " '" + std::string(text) + "'; valid: " + valid);
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
