#include "client/detail/input_fields.hpp"

#include "client/detail/json_reader.hpp"
#include "client/detail/json_validate.hpp"
#include <faltrain/client/json_writer.hpp>

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace detail {

void InputFields::Put(std::string key, std::string json) {
  for (auto& [k, v] : fields_) {
    if (k == key) {
      v = std::move(json);
      return;
    }
  }
  fields_.emplace_back(std::move(key), std::move(json));
}

result<void> InputFields::PutObjectFields(std::string_view object_json) {
  JsonDocument doc(object_json);
  od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
    return fail(errc::invalid_argument, "fixed inputs are not a JSON object");
  }
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "fixed inputs are malformed JSON");
    }
    auto raw = ReadRaw(v);
    if (!raw) return fail(errc::invalid_argument, "fixed inputs are malformed JSON");
    Put(std::string(key), std::move(*raw));
  }
  return success();
}

result<void> InputFields::PutExtra(const JsonFields& extra) {
  for (const auto& [key, json] : extra.items()) {
    if (!IsValidJsonAnyNumber(json)) {
      return fail(errc::invalid_argument, fmt::format("extra field '{}' is not valid JSON", key));
    }
    Put(key, json);
  }
  return success();
}

std::string InputFields::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : fields_) w.Key(k).Raw(v);
  w.EndObject();
  return std::move(w).str();
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
