#include "client/detail/json_reader.hpp"

#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Parsers kept for reuse on this thread. A document alive while another is parsed (nested use)
// simply takes a second one. Parsers grown for big documents are not kept.
constexpr std::size_t kPooledParsers = 4;
constexpr std::size_t kPooledCapacity = 64 * 1024;

std::vector<std::unique_ptr<od::parser>>& ParserPool() {
  thread_local std::vector<std::unique_ptr<od::parser>> pool;
  return pool;
}

std::unique_ptr<od::parser> TakeParser() {
  auto& pool = ParserPool();
  if (pool.empty()) return std::make_unique<od::parser>();
  std::unique_ptr<od::parser> parser = std::move(pool.back());
  pool.pop_back();
  return parser;
}

}  // namespace

JsonDocument::JsonDocument(std::string_view text) : input_(text), parser_(TakeParser()) {
  error_ = parser_->iterate(input_).get(doc_);
}

JsonDocument::~JsonDocument() {
  auto& pool = ParserPool();
  if (parser_->capacity() <= kPooledCapacity && pool.size() < kPooledParsers) pool.push_back(std::move(parser_));
}

std::optional<std::string> ReadString(od::value v) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

std::optional<double> ReadDouble(od::value v) {
  double d = 0;
  if (v.get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
  return d;
}

std::optional<std::int64_t> ReadInt(od::value v) {
  std::int64_t i = 0;
  if (v.get_int64().get(i) != simdjson::SUCCESS) return std::nullopt;
  return i;
}

std::optional<std::uint64_t> ReadUint(od::value v) {
  std::uint64_t u = 0;
  if (v.get_uint64().get(u) != simdjson::SUCCESS) return std::nullopt;
  return u;
}

std::optional<bool> ReadBool(od::value v) {
  bool b = false;
  if (v.get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}

bool IsNull(od::value v) {
  bool is_null = false;
  return v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

std::optional<std::string> ReadRaw(od::value v) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return std::nullopt;
  std::string_view raw;
  if (type == od::json_type::object) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS || o.raw_json().get(raw) != simdjson::SUCCESS) {
      return std::nullopt;
    }
  } else if (type == od::json_type::array) {
    od::array a;
    if (v.get_array().get(a) != simdjson::SUCCESS || a.raw_json().get(raw) != simdjson::SUCCESS) {
      return std::nullopt;
    }
  } else {
    raw = v.raw_json_token();
  }
  return std::string(TrimRight(raw));
}

bool IsValidJson(std::string_view text) {
  // On-demand validates lazily; the DOM parser validates the whole text up front.
  simdjson::dom::parser dom;
  simdjson::dom::element element;
  return dom.parse(text.data(), text.size()).get(element) == simdjson::SUCCESS;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
