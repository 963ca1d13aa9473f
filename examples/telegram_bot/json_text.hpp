#pragma once
// Writing the few JSON bodies the Bot API takes. Reading is simdjson's job (telegram_types.cpp);
// writing needs only correct string escaping and an object builder, so no JSON library is pulled in.

#include <cstdint>
#include <string>
#include <string_view>

namespace faltrain_bot {

/// `text` as a JSON string literal, quotes included. UTF-8 passes through; controls are escaped.
std::string JsonQuote(std::string_view text);

/// Builds one JSON object field by field: `JsonObject().Str("a", "x").Int("b", 1).Text()`.
class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, std::int64_t value);
  JsonObject& Bool(std::string_view key, bool value);
  /// `json` must already be valid JSON (an array or object built elsewhere).
  JsonObject& Raw(std::string_view key, std::string_view json);
  std::string Text() const { return body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_ = "{";
};

}  // namespace faltrain_bot
