#pragma once
/// @file
/// The "extra fields" escape hatch: input fields the typed structs do not cover, added to the JSON
/// body as given. Values are stored as JSON text; `SetRaw` text is validated when the request is built.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// Extra input fields, in insertion order. Every setter replaces an existing key in place and
/// returns `*this` for chaining: `extra.SetString("caption", "a photo").SetInt("rank", 16);`
class JsonFields {
 public:
  /// A JSON string, escaped; valid UTF-8 passes through, invalid bytes become U+FFFD.
  JsonFields& SetString(std::string key, std::string_view value);
  /// A JSON integer.
  JsonFields& SetInt(std::string key, std::int64_t value);
  /// A JSON integer above `INT64_MAX` if need be (e.g. seeds).
  JsonFields& SetUint(std::string key, std::uint64_t value);
  /// A JSON number: the shortest text that reads back as `value` (NaN and infinities: `null`).
  JsonFields& SetDouble(std::string key, double value);
  /// `true` or `false`.
  JsonFields& SetBool(std::string key, bool value);
  /// A JSON `null`.
  JsonFields& SetNull(std::string key);
  /// Any JSON value as text, e.g. R"({"width":512,"height":768})". Checked when sent.
  JsonFields& SetRaw(std::string key, std::string raw_json);
  /// Removes `key`; returns whether it was there.
  bool Erase(std::string_view key);

  /// Whether `key` is set (to anything, `null` included).
  bool Has(std::string_view key) const;
  /// Whether no field is set.
  bool empty() const { return fields_.empty(); }
  /// (key, JSON text) pairs in insertion order; setting a key again replaces its value in place.
  const std::vector<std::pair<std::string, std::string>>& items() const { return fields_; }

 private:
  JsonFields& Put(std::string key, std::string json);
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace v1
}  // namespace faltrain
