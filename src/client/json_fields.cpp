#include <faltrain/client/json_fields.hpp>

#include <faltrain/client/json_writer.hpp>

#include <algorithm>

namespace faltrain {
inline namespace v1 {

JsonFields& JsonFields::SetString(std::string key, std::string_view value) {
  return Put(std::move(key), JsonQuote(value));
}

JsonFields& JsonFields::SetInt(std::string key, std::int64_t value) {
  return Put(std::move(key), std::to_string(value));
}

JsonFields& JsonFields::SetUint(std::string key, std::uint64_t value) {
  return Put(std::move(key), std::to_string(value));
}

JsonFields& JsonFields::SetDouble(std::string key, double value) {
  return Put(std::move(key), JsonNumber(value));
}

JsonFields& JsonFields::SetBool(std::string key, bool value) {
  return Put(std::move(key), value ? "true" : "false");
}

JsonFields& JsonFields::SetNull(std::string key) { return Put(std::move(key), "null"); }

JsonFields& JsonFields::SetRaw(std::string key, std::string raw_json) {
  return Put(std::move(key), std::move(raw_json));
}

bool JsonFields::Erase(std::string_view key) {
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const auto& field) { return field.first == key; });
  if (it == fields_.end()) return false;
  fields_.erase(it);
  return true;
}

bool JsonFields::Has(std::string_view key) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto& field) { return field.first == key; });
}

JsonFields& JsonFields::Put(std::string key, std::string json) {
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const auto& field) { return field.first == key; });
  if (it != fields_.end()) {
    it->second = std::move(json);  // replace in place: keeps the original field order
  } else {
    fields_.emplace_back(std::move(key), std::move(json));
  }
  return *this;
}

}  // namespace v1
}  // namespace faltrain
