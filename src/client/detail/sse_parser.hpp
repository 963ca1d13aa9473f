#pragma once
// A parser for server-sent events (the WHATWG "text/event-stream" format), fed bytes as they
// arrive. Private: the status stream follower and the simulator's tests use it.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// One dispatched event.
struct SseEvent {
  std::string type = "message";  ///< the `event:` field, else "message"
  std::string data;              ///< the `data:` lines joined with '\n' (no trailing '\n')
  std::string last_event_id;     ///< the stream's last `id:` so far (it persists across events)
};

/// Parses a byte stream into events: lines end with CRLF, LF or CR (a CR at the end of one piece
/// and an LF at the start of the next are one line break); `field: value` with one leading space
/// of the value dropped; lines starting with ':' are comments; `data` lines accumulate; `event`,
/// `id` (ignored when it contains NUL) and `retry` (digits only) set their fields; unknown fields
/// are ignored; a blank line dispatches the event, unless no `data` came. A UTF-8 BOM at the very
/// start is skipped. An incomplete event at the end of the stream is dropped (see `pending`).
class SseParser {
 public:
  using Handler = std::function<bool(const SseEvent&)>;  ///< false stops: Feed returns at once

  /// `max_event_bytes` bounds one line and one event's data (memory, on a hostile stream).
  explicit SseParser(std::size_t max_event_bytes = 32u << 20) : max_bytes_(max_event_bytes) {}

  /// Parses `bytes`, calling `on_event` for each complete event. Fails with
  /// `errc::malformed_response` when a line or an event grows beyond the limit; false from the
  /// handler makes Feed return success with `stopped()` set.
  result<void> Feed(std::string_view bytes, const Handler& on_event);

  /// Whether a handler asked to stop.
  bool stopped() const { return stopped_; }
  /// Whether bytes of an event not yet dispatched are buffered (a stream that ends here was cut).
  bool pending() const { return !line_.empty() || has_data_; }
  /// Comment lines seen so far (`: ping` keep-alives).
  std::size_t comments() const { return comments_; }
  /// The last valid `retry:` value, if any.
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }

 private:
  result<void> Consume(std::string_view bytes, const Handler& on_event);
  result<void> Line(std::string_view line, const Handler& on_event);
  void Field(std::string_view name, std::string_view value);

  std::size_t max_bytes_;
  std::string line_;
  bool after_cr_ = false;  // the last byte was a CR: an LF next is part of the same line break
  bool at_start_ = true;   // nothing seen yet: a BOM may come
  std::string bom_;        // the start of a BOM seen so far
  bool has_data_ = false;
  bool stopped_ = false;
  SseEvent event_;
  std::string last_id_;
  std::size_t comments_ = 0;
  std::optional<std::chrono::milliseconds> retry_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
