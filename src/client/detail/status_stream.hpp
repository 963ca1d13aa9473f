#pragma once
// Following fal's status stream (`GET …/requests/{id}/status/stream`, server-sent events): one
// connection at a time, each event read as a status whose logs look like a poll's. Private;
// `TrainingClient::StreamStatus` and `Wait` build on it.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/logging.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// `status_url` + "/stream" with `logs=1|0`; nullopt when `status_url` is not a URL.
std::optional<std::string> StatusStreamUrl(std::string_view status_url, bool with_logs);

/// Reads stream events as statuses. fal's events carry only the logs that are new since the last
/// event (fal-js accumulates them "to match polling"); this does the same, so every status holds
/// all logs so far. Leniently, an event whose logs begin with every log already held (a server
/// that sends them all each time, or a reconnected stream replaying them) replaces them instead.
class StatusEventReader {
 public:
  /// The status in one event's data; nullopt when it is not a status object (ignored).
  std::optional<RequestStatus> Read(std::string_view data);
  /// Starts from a polled status, whose logs are all logs so far (after a reconnect).
  void Resync(const RequestStatus& polled) { logs_ = polled.logs; }

 private:
  std::vector<LogEntry> logs_;
};

/// How one connection to the stream ended.
struct StreamPass {
  enum class End {
    kCompleted,  ///< a terminal status arrived (`last` holds it)
    kRefused,    ///< the server answered an error status instead of a stream (`failure`)
    kEnded,      ///< the stream closed before a terminal status
    kFailed,     ///< the connection failed or went idle (`failure`)
    kStopped,    ///< `stop` asked to (deadline) or the cancel token fired
  };
  End end = End::kEnded;
  std::optional<RequestStatus> last;  ///< the last status read
  std::size_t events = 0;             ///< statuses read
  error failure;                      ///< for kRefused and kFailed
};

/// Opens `request` (a GET of the stream URL) on `transport` and reads statuses until a terminal
/// one, the end of the stream, a failure, `control.cancel`, or `stop()` returning true (checked at
/// every piece of data, keep-alives included). `on_status` gets each status.
StreamPass FollowStatusStreamOnce(Transport& transport, const HttpRequest& request,
                                  StreamControl control, StatusEventReader& reader,
                                  const std::function<void(const RequestStatus&)>& on_status,
                                  const std::function<bool()>& stop = nullptr);

/// What `WatchStatusStream` needs from the client.
struct StreamWatch {
  Transport* transport = nullptr;
  Clock* clock = nullptr;
  HttpRequest request;  ///< the stream GET, headers included
  /// One status poll with logs (retried as the client retries polls): the resync after a drop.
  std::function<result<RequestStatus>()> poll;
  std::function<void(LogLevel, std::string_view)> log;  ///< may be empty
  CancelToken cancel;
  std::optional<Clock::steady_time> deadline;
  std::chrono::milliseconds reconnect_delay{std::chrono::seconds(2)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  /// Stream connections in a row that may fail without a single status before polling takes over.
  int max_failed_connections = 3;
};

/// How `WatchStatusStream` ended.
enum class StreamWatchEnd {
  kCompleted,  ///< a terminal status was reported: fetch the result
  kPoll,       ///< the stream is refused or keeps failing: poll from here
  kCancelled,  ///< the cancel token fired
  kDeadline,   ///< the deadline passed
};

/// Follows the stream, reporting every status, until a terminal one. After a connection that ends
/// or fails before it, polls once (reporting that status; a final state the drop hid is found
/// there) and reconnects after `reconnect_delay`. Refused (an error status), or failing
/// `max_failed_connections` times in a row without a status (the first connection: at once),
/// gives kPoll.
StreamWatchEnd WatchStatusStream(const StreamWatch& watch,
                                 const std::function<void(const RequestStatus&)>& report);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
