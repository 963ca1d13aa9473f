#include "client/detail/sse_parser.hpp"

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

result<void> SseParser::Feed(std::string_view bytes, const Handler& on_event) {
  if (stopped_) return success();
  if (at_start_) {
    // The BOM may itself arrive split over pieces.
    while (!bytes.empty() && bom_.size() < kBom.size() && bytes.front() == kBom[bom_.size()]) {
      bom_ += bytes.front();
      bytes.remove_prefix(1);
    }
    if (bom_.size() < kBom.size() && bytes.empty()) return success();  // undecided yet
    at_start_ = false;
    if (bom_.size() < kBom.size()) {
      // Not a BOM after all: those bytes were text.
      std::string text = std::move(bom_);
      bom_.clear();
      FALTRAIN_TRYV(Consume(text, on_event));
    }
  }
  return Consume(bytes, on_event);
}

result<void> SseParser::Consume(std::string_view bytes, const Handler& on_event) {
  std::size_t pos = 0;
  while (pos < bytes.size() && !stopped_) {
    if (after_cr_ && bytes[pos] == '\n') ++pos;  // the LF of a CRLF split after the CR
    after_cr_ = false;
    std::size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      if (line_.size() + (bytes.size() - pos) > max_bytes_) {
        return fail(errc::malformed_response, "event stream line longer than the limit");
      }
      line_.append(bytes.substr(pos));
      break;
    }
    std::string_view line = bytes.substr(pos, end - pos);
    if (!line_.empty()) {
      if (line_.size() + line.size() > max_bytes_) {
        return fail(errc::malformed_response, "event stream line longer than the limit");
      }
      line_.append(line);
      line = line_;
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos < bytes.size() && bytes[pos] == '\n') {
        ++pos;
      } else if (pos == bytes.size()) {
        after_cr_ = true;
      }
    }
    auto handled = Line(line, on_event);
    line_.clear();
    if (!handled) return handled;
  }
  return success();
}

result<void> SseParser::Line(std::string_view line, const Handler& on_event) {
  if (line.empty()) {
    if (!has_data_) {
      event_ = SseEvent{};  // an event without data is not dispatched
      return success();
    }
    event_.last_event_id = last_id_;
    has_data_ = false;
    SseEvent event = std::move(event_);
    event_ = SseEvent{};
    if (on_event && !on_event(event)) stopped_ = true;
    return success();
  }
  if (line.front() == ':') {
    ++comments_;
    return success();
  }
  const std::size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    if (event_.data.size() + value.size() + 1 > max_bytes_) {
      return fail(errc::malformed_response, "event stream event larger than the limit");
    }
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
    return success();
  }
  Field(name, value);
  return success();
}

void SseParser::Field(std::string_view name, std::string_view value) {
  if (name == "event") {
    event_.type = value.empty() ? std::string("message") : std::string(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
  } else if (name == "retry") {
    if (AllDigits(value) && value.size() < 12) retry_ = std::chrono::milliseconds(std::stoll(std::string(value)));
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
