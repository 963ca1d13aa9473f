#pragma once
// Builds JSON text with correct escaping. Private: callers get strings, never this type.

#include <cstdint>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Appends `s` as a quoted JSON string (RFC 8259 escaping; invalid UTF-8 bytes become U+FFFD).
void AppendJsonString(std::string& out, std::string_view s);
std::string JsonQuote(std::string_view s);
/// Shortest text that reads back as the same double ("0.0003", "1e-05"); NaN/inf become null.
std::string JsonNumber(double v);

/// A streaming writer: `w.BeginObject(); w.Key("a"); w.Int(1); w.EndObject();`.
/// Commas are inserted automatically.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(std::int64_t v);
  JsonWriter& Uint(std::uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  /// Inserts already-valid JSON text as one value.
  JsonWriter& Raw(std::string_view json);

  // Key + value shorthands.
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, std::int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, double v) { return Key(k).Double(v); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }

  const std::string& str() const& { return out_; }
  std::string str() && { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
