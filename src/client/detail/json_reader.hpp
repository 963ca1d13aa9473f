#pragma once
// Lenient reading of JSON with simdjson on-demand, without exceptions. Private.
//
// Pattern: parse with `JsonDocument`, walk objects field by field (`for (auto field : object)`),
// and read each value completely before the next; string_views die with the document.

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

namespace od = simdjson::ondemand;

/// A parsed document owning its padded input and, while it lives, a parser. Parsers are reused
/// (a few per thread, for documents of ordinary size): making one allocates buffers sized to the
/// text, and a monitor parses thousands of statuses a second.
class JsonDocument {
 public:
  explicit JsonDocument(std::string_view text);
  ~JsonDocument();
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  /// SUCCESS, or why the text is not JSON (checked lazily by simdjson: walk errors still possible).
  simdjson::error_code error() const { return error_; }
  od::document& doc() { return doc_; }
  /// The root as an object; fails for any other root type.
  simdjson::simdjson_result<od::object> Object() { return doc_.get_object(); }

 private:
  simdjson::padded_string input_;
  std::unique_ptr<od::parser> parser_;
  od::document doc_;
  simdjson::error_code error_ = simdjson::SUCCESS;
};

/// The value as a string when it is one.
std::optional<std::string> ReadString(od::value v);
/// The value as a number when it is one (any numeric type, converted).
std::optional<double> ReadDouble(od::value v);
/// The value as an int64 when it is an integer in range.
std::optional<std::int64_t> ReadInt(od::value v);
/// The value as a uint64 when it is a non-negative integer in range.
std::optional<std::uint64_t> ReadUint(od::value v);
std::optional<bool> ReadBool(od::value v);
bool IsNull(od::value v);
/// The exact JSON text of any value (objects and arrays included), trimmed. Use for numbers that
/// may exceed 64 bits and for passing sub-documents through untouched.
std::optional<std::string> ReadRaw(od::value v);
/// Checks that `text` is one complete, valid JSON value.
bool IsValidJson(std::string_view text);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
