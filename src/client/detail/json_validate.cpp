#include "client/detail/json_validate.hpp"

#include "client/detail/json_reader.hpp"

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Well below simdjson's own limit (1024), which debug builds of simdjson assert on.
constexpr int kMaxDepth = 512;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool WalkValue(od::value v, int depth);

bool WalkObject(od::object object, int depth) {
  for (auto field : object) {
    std::string_view key;
    od::value child;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (field.value().get(child) != simdjson::SUCCESS) return false;
    if (!WalkValue(child, depth + 1)) return false;
  }
  return true;
}

bool WalkArray(od::array array, int depth) {
  for (auto item : array) {
    od::value child;
    if (item.get(child) != simdjson::SUCCESS) return false;
    if (!WalkValue(child, depth + 1)) return false;
  }
  return true;
}

/// Reads `v` completely, checking every scalar: on-demand only checks what is read.
bool WalkValue(od::value v, int depth) {
  if (depth > kMaxDepth) return false;
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      return v.get_object().get(object) == simdjson::SUCCESS && WalkObject(object, depth);
    }
    case od::json_type::array: {
      od::array array;
      return v.get_array().get(array) == simdjson::SUCCESS && WalkArray(array, depth);
    }
    case od::json_type::number:
      return IsJsonNumberToken(v.raw_json_token());
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s) == simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b = false;
      return v.get_bool().get(b) == simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null = false;
      return v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
    }
  }
  return false;
}

}  // namespace

bool IsJsonNumberToken(std::string_view t) {
  while (!t.empty() && IsJsonSpace(t.back())) t.remove_suffix(1);
  while (!t.empty() && IsJsonSpace(t.front())) t.remove_prefix(1);
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

bool IsValidJsonAnyNumber(std::string_view text) {
  JsonDocument doc(text);
  if (doc.error() != simdjson::SUCCESS) return false;
  od::json_type type;
  if (doc.doc().type().get(type) != simdjson::SUCCESS) return false;
  bool walked = false;
  if (type == od::json_type::object) {
    od::object object;
    walked = doc.doc().get_object().get(object) == simdjson::SUCCESS && WalkObject(object, 0);
  } else if (type == od::json_type::array) {
    od::array array;
    walked = doc.doc().get_array().get(array) == simdjson::SUCCESS && WalkArray(array, 0);
  } else if (type == od::json_type::number) {
    return IsJsonNumberToken(text);  // the whole text must be the one number
  } else {
    return IsValidJson(text);  // other root scalars: the DOM parser is exact for them
  }
  // Anything left after the root value is trailing garbage.
  const char* rest = nullptr;
  return walked && doc.doc().current_location().get(rest) == simdjson::OUT_OF_BOUNDS;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
