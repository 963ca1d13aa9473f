#include "testing/detail/sim_validation.hpp"

#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

struct FieldValue {
  od::json_type type;
  std::string raw;   // JSON text
  std::string text;  // unescaped, for strings
};

struct Problem {
  std::string field;
  std::string msg;
  std::string type;
};

bool ParsesAsInteger(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ParsesAsFloat(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  while (*end != '\0' && std::isspace(static_cast<unsigned char>(*end))) ++end;
  return end != s.c_str() && *end == '\0';
}

bool ParsesAsBool(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kWords[] = {"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return s == w; });
}

// Reads every top-level field; false when the text is not a JSON object.
bool ReadFields(std::string_view input_json, std::map<std::string, FieldValue>& fields) {
  if (input_json.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;  // empty = {}
  if (!IsValidJson(input_json)) return false;
  JsonDocument document(input_json);
  od::object object;
  if (document.error() != simdjson::SUCCESS || document.Object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    std::string name(key);
    if (field.value().get(value) != simdjson::SUCCESS) return false;
    FieldValue v;
    if (value.type().get(v.type) != simdjson::SUCCESS) return false;
    if (v.type == od::json_type::string) v.text = ReadString(value).value_or("");
    auto raw = v.type == od::json_type::string ? std::optional<std::string>(JsonQuote(v.text))
                                               : ReadRaw(value);
    if (!raw) return false;
    v.raw = std::move(*raw);
    fields[name] = std::move(v);  // later duplicates win, as in Python's json module
  }
  return true;
}

std::optional<Problem> CheckType(const SimFieldRule& rule, const FieldValue& v) {
  using T = od::json_type;
  if (v.type == T::null) {
    return Problem{rule.name, "none is not an allowed value", "type_error.none.not_allowed"};
  }
  bool compound = v.type == T::object || v.type == T::array;
  switch (rule.type) {
    case SimFieldType::kAny:
      return std::nullopt;
    case SimFieldType::kString:
      // pydantic v1 coerces numbers (and bools, being ints) to str; containers are rejected.
      if (compound) return Problem{rule.name, "str type expected", "type_error.str"};
      return std::nullopt;
    case SimFieldType::kInteger: {
      bool ok = v.type == T::boolean || (v.type == T::number) ||
                (v.type == T::string && ParsesAsInteger(v.text));
      if (ok && v.type == T::number) {
        // int(1000.0) works in pydantic v1; so does int(1000.5) (truncation), so any finite number.
        ok = v.raw.find_first_of("nN") == std::string::npos;
      }
      if (!ok) return Problem{rule.name, "value is not a valid integer", "type_error.integer"};
      return std::nullopt;
    }
    case SimFieldType::kNumber: {
      bool ok = v.type == T::number || v.type == T::boolean ||
                (v.type == T::string && ParsesAsFloat(v.text));
      if (!ok) return Problem{rule.name, "value is not a valid float", "type_error.float"};
      return std::nullopt;
    }
    case SimFieldType::kBool: {
      bool ok = v.type == T::boolean || (v.type == T::number && (v.raw == "0" || v.raw == "1")) ||
                (v.type == T::string && ParsesAsBool(v.text));
      if (!ok) return Problem{rule.name, "value could not be parsed to a boolean", "type_error.bool"};
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string DetailBody(const std::vector<Problem>& problems) {
  JsonWriter w;
  w.BeginObject().Key("detail").BeginArray();
  for (const auto& p : problems) {
    w.BeginObject().Key("loc").BeginArray().String("body");
    if (!p.field.empty()) w.String(p.field);
    w.EndArray().Field("msg", p.msg).Field("type", p.type).EndObject();
  }
  w.EndArray().EndObject();
  return std::move(w).str();
}

}  // namespace

std::string ValidateSimInput(const SimModel& model, std::string_view input_json) {
  std::map<std::string, FieldValue> fields;
  if (!ReadFields(input_json, fields)) {
    if (!IsValidJson(input_json)) {
      return DetailBody({{"", "Expecting value: line 1 column 1 (char 0)", "value_error.jsondecode"}});
    }
    return DetailBody({{"", "value is not a valid dict", "type_error.dict"}});
  }
  std::vector<Problem> problems;
  for (const auto& rule : model.rules) {
    auto it = fields.find(rule.name);
    if (it == fields.end()) {
      if (rule.required) problems.push_back({rule.name, "field required", "value_error.missing"});
      continue;
    }
    if (auto problem = CheckType(rule, it->second)) problems.push_back(std::move(*problem));
  }
  return problems.empty() ? std::string() : DetailBody(problems);
}

std::optional<std::string> SimInputRaw(std::string_view input_json, std::string_view field) {
  std::map<std::string, FieldValue> fields;
  if (!ReadFields(input_json, fields)) return std::nullopt;
  auto it = fields.find(std::string(field));
  if (it == fields.end()) return std::nullopt;
  return it->second.raw;
}

std::optional<std::int64_t> SimInputInteger(std::string_view input_json, std::string_view field) {
  std::map<std::string, FieldValue> fields;
  if (!ReadFields(input_json, fields)) return std::nullopt;
  auto it = fields.find(std::string(field));
  if (it == fields.end()) return std::nullopt;
  const FieldValue& v = it->second;
  const std::string& text = v.type == od::json_type::string ? v.text : v.raw;
  if (v.type != od::json_type::number && v.type != od::json_type::string) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(d) || std::fabs(d) > 9.2e18) return std::nullopt;
  if (ParsesAsInteger(text)) return std::strtoll(text.c_str(), nullptr, 10);
  return static_cast<std::int64_t>(d);
}

std::optional<std::string> SimInputString(std::string_view input_json, std::string_view field) {
  std::map<std::string, FieldValue> fields;
  if (!ReadFields(input_json, fields)) return std::nullopt;
  auto it = fields.find(std::string(field));
  if (it == fields.end() || it->second.type != od::json_type::string) return std::nullopt;
  return it->second.text;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
