#pragma once
// The text of a result's error, or "" when it holds a value: the message argument for
// `REQUIRE_MESSAGE(r.has_value(), ErrorText(r))`. doctest builds that message for passing checks too
// (under --success it prints it), so the message must never call `r.error()` on a value.

#include <faltrain/client/result.hpp>

#include <string>

namespace test_support {

template <class T>
std::string ErrorText(const faltrain::result<T>& r) {
  return r.has_value() ? std::string() : r.error().to_string();
}

}  // namespace test_support
