#pragma once
/// @file
/// One simulated status stream (fal's `GET …/requests/{id}/status/stream`, server-sent events),
/// pulled event by event, so that a server in front of the simulator (`faltrain-sim`) stays thin:
/// it sends `head()`, then the text of each `Next()` as it comes, and closes when `Next()` has
/// nothing more.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace faltrain {
inline namespace v1 {

namespace detail {
class SimCore;
struct SimStreamCursor;
}  // namespace detail

/// A status stream being served; made by `SimTransport::OpenStatusStream`, which it must not
/// outlive. Not thread-safe (one reader).
class SimStatusStream {
 public:
  ~SimStatusStream();
  SimStatusStream(const SimStatusStream&) = delete;
  SimStatusStream& operator=(const SimStatusStream&) = delete;

  /// The response to send first: 200 with `content-type: text/event-stream`, or the error fal
  /// would answer (404 for an unknown request, 401, a fault's 429/502/503) with its whole body —
  /// then there are no events.
  const HttpResponse& head() const;

  /// Waits on the simulator's clock for the next piece of the stream: a `data:` event (a status
  /// JSON like a poll's, with only the log lines not sent before) whenever the status changes, the
  /// first one at once; a `: ping` comment after `keepalive` without news; nullopt when the stream
  /// is over — after the COMPLETED event, when `cancel` fires, or when a `drop_connection` fault
  /// cuts it (`dropped()`: the server should then abort the connection, not end it cleanly).
  std::optional<std::string> Next(std::chrono::milliseconds keepalive = std::chrono::seconds(5),
                                  CancelToken cancel = {});

  /// Whether a `drop_connection` fault cut the stream.
  bool dropped() const { return dropped_; }

 private:
  friend class SimTransport;
  SimStatusStream(detail::SimCore& core, HttpResponse head);
  detail::SimCore& core_;
  HttpResponse head_;
  std::unique_ptr<detail::SimStreamCursor> cursor_;
  bool dropped_ = false;
  bool over_ = false;
};

}  // namespace v1
}  // namespace faltrain
