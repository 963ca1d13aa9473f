#pragma once
/// @file
/// Writing JSON text with correct escaping: the request bodies faltrain sends, and whatever JSON a
/// program of yours needs to write (a bot's API calls, a tool's --json output).

#include <cstdint>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {

class JsonFields;

/// `s` as a quoted JSON string (RFC 8259 escaping; invalid UTF-8 bytes become U+FFFD, so the
/// output is valid JSON whatever the input was).
std::string JsonQuote(std::string_view s);
/// Shortest text that reads back as the same double ("0.0003", "1e-09"); NaN and inf become null.
std::string JsonNumber(double v);

/// A streaming writer that places the commas:
/// `JsonWriter().BeginObject().Field("a", 1).Key("b").BeginArray().String("x").EndArray().EndObject().str()`
/// gives `{"a":1,"b":["x"]}`. It does not check nesting: a caller closes what it opened.
class JsonWriter {
 public:
  JsonWriter& BeginObject();  ///< `{`
  JsonWriter& EndObject();    ///< `}`
  JsonWriter& BeginArray();   ///< `[`
  JsonWriter& EndArray();     ///< `]`
  /// A member's name; its value comes next.
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);  ///< a string value, escaped
  JsonWriter& Int(std::int64_t v);         ///< an integer value
  JsonWriter& Uint(std::uint64_t v);       ///< an unsigned value (seeds exceed int64)
  JsonWriter& Double(double v);            ///< a number, as JsonNumber writes it
  JsonWriter& Bool(bool v);                ///< `true` or `false`
  JsonWriter& Null();                      ///< `null`
  /// Inserts already-valid JSON text as one value.
  JsonWriter& Raw(std::string_view json);
  /// Every (key, value) of `fields` as members of the object being written.
  JsonWriter& Fields(const JsonFields& fields);

  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, std::int64_t v) { return Key(k).Int(v); }
  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, double v) { return Key(k).Double(v); }
  /// Key + value in one call.
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }

  /// The text written so far.
  const std::string& str() const& { return out_; }
  /// The text written so far, moved out of a writer that is done.
  std::string str() && { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace v1
}  // namespace faltrain
