#include "testing/detail/sim_python_json.hpp"

#include "client/detail/json_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as U+FFFD.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

void AppendEscape(std::string& out, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", value);
  out += buf;
}

bool Dump(od::value value, std::string& out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object) != simdjson::SUCCESS) return false;
      std::vector<std::pair<std::string, std::string>> members;
      for (auto field : object) {
        std::string_view key;
        od::value member;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
        std::string name(key);
        if (field.value().get(member) != simdjson::SUCCESS) return false;
        std::string text;
        if (!Dump(member, text)) return false;
        members.emplace_back(std::move(name), std::move(text));
      }
      // Python sorts str keys by code point; UTF-8 byte order is the same order.
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out += ", ";
        AppendPythonJsonString(out, members[i].first);
        out += ": ";
        out += members[i].second;
      }
      out += '}';
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array) != simdjson::SUCCESS) return false;
      out += '[';
      bool first = true;
      for (auto element : array) {
        od::value item;
        if (element.get(item) != simdjson::SUCCESS) return false;
        if (!first) out += ", ";
        first = false;
        if (!Dump(item, out)) return false;
      }
      out += ']';
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (value.get_string().get(s) != simdjson::SUCCESS) return false;
      AppendPythonJsonString(out, s);
      return true;
    }
    case od::json_type::boolean:
    case od::json_type::null:
    case od::json_type::number: {
      auto raw = ReadRaw(value);  // verbatim: big integers and float text stay exact
      if (!raw) return false;
      out += *raw;
      return true;
    }
  }
  return false;
}

}  // namespace

void AppendPythonJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp < 0x20 || (cp > 0x7E && cp < 0x10000)) {  // Python escapes all but " ".."~"
      AppendEscape(out, static_cast<unsigned>(cp));
    } else if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;  // UTF-16 surrogate pair, as Python writes astral characters
      AppendEscape(out, static_cast<unsigned>(0xD800 + (v >> 10)));
      AppendEscape(out, static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
    } else {
      out += static_cast<char>(cp);
    }
  }
  out += '"';
}

std::optional<std::string> PythonStyleJson(std::string_view json) {
  if (!IsValidJson(json)) return std::nullopt;
  JsonDocument document(json);
  if (document.error() != simdjson::SUCCESS) return std::nullopt;
  od::value root;
  std::string out;
  // A scalar root cannot be taken as an od::value; wrap those cases via the raw text.
  bool scalar = false;
  if (document.doc().is_scalar().get(scalar) != simdjson::SUCCESS) return std::nullopt;
  if (scalar) {
    std::string_view token;
    if (document.doc().raw_json_token().get(token) != simdjson::SUCCESS) return std::nullopt;
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
      token.remove_suffix(1);
    }
    if (!token.empty() && token.front() == '"') {
      std::string_view s;
      if (document.doc().get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
      AppendPythonJsonString(out, s);
      return out;
    }
    return std::string(token);
  }
  if (document.doc().get_value().get(root) != simdjson::SUCCESS) return std::nullopt;
  if (!Dump(root, out)) return std::nullopt;
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
