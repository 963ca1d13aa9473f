#pragma once
// The top-level fields of a model input, in order, where a later write replaces an earlier one in
// place: trainer defaults, then typed request fields, then the caller's extras. Private.

#include <faltrain/client/json_fields.hpp>
#include <faltrain/client/result.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

class InputFields {
 public:
  /// Sets `key` to a JSON value given as text (already valid).
  void Put(std::string key, std::string json);
  /// Sets every field of a JSON object text; fails if it is not an object.
  result<void> PutObjectFields(std::string_view object_json);
  /// Sets the caller's extras, checking each value is valid JSON.
  result<void> PutExtra(const JsonFields& extra);
  std::string ToJson() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
