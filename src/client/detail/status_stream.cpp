#include "client/detail/status_stream.hpp"

#include "client/detail/http_error.hpp"
#include "client/detail/queue_protocol.hpp"
#include "client/detail/sse_parser.hpp"
#include "client/detail/url.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

bool SameLog(const LogEntry& a, const LogEntry& b) {
  return a.message == b.message && a.timestamp == b.timestamp && a.level == b.level && a.source == b.source;
}

bool StartsWith(const std::vector<LogEntry>& all, const std::vector<LogEntry>& prefix) {
  return all.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), all.begin(), SameLog);
}

}  // namespace

std::optional<std::string> StatusStreamUrl(std::string_view status_url, bool with_logs) {
  auto stream = AppendPath(status_url, "stream");
  if (!stream) return std::nullopt;
  return AddQuery(*stream, "logs", with_logs ? "1" : "0");
}

std::optional<RequestStatus> StatusEventReader::Read(std::string_view data) {
  HttpResponse event;
  event.status = 200;
  event.body = std::string(data);
  auto parsed = ParseStatusResponse(event);
  if (!parsed) return std::nullopt;
  RequestStatus status = std::move(parsed).value();
  // As a poll would have answered: 202 while pending, 200 once completed.
  status.http_status = status.phase == RequestPhase::kCompleted ? 200 : 202;
  if (!logs_.empty() && StartsWith(status.logs, logs_)) {
    logs_ = std::move(status.logs);
  } else {
    logs_.insert(logs_.end(), std::make_move_iterator(status.logs.begin()),
                 std::make_move_iterator(status.logs.end()));
  }
  status.logs = logs_;
  return status;
}

StreamPass FollowStatusStreamOnce(Transport& transport, const HttpRequest& request,
                                  StreamControl control, StatusEventReader& reader,
                                  const std::function<void(const RequestStatus&)>& on_status,
                                  const std::function<bool()>& stop) {
  StreamPass pass;
  SseParser parser;
  bool stopped = false;
  result<void> parse_error = success();
  auto on_event = [&](const SseEvent& event) {
    auto status = reader.Read(event.data);
    if (!status) return true;  // not a status (another event type, a heartbeat object): skip it
    ++pass.events;
    const bool terminal = status->terminal();
    if (on_status) on_status(*status);
    pass.last = std::move(status);
    return !terminal;  // the stream ends after COMPLETED; do not wait for the close
  };
  control.on_body = [&](std::string_view bytes) {
    if (stop && stop()) {
      stopped = true;
      return false;
    }
    auto fed = parser.Feed(bytes, on_event);
    if (!fed) {
      parse_error = std::move(fed);
      return false;
    }
    return !parser.stopped();
  };
  auto sent = transport.SendStreaming(request, control);
  if (pass.last && pass.last->terminal()) {
    pass.end = StreamPass::End::kCompleted;
    return pass;
  }
  if (stopped || control.cancel.cancelled()) {
    pass.end = StreamPass::End::kStopped;
    return pass;
  }
  if (!sent) {
    pass.end = StreamPass::End::kFailed;
    pass.failure = std::move(sent).error();
    return pass;
  }
  if (sent.value().status < 200 || sent.value().status >= 300) {
    pass.end = StreamPass::End::kRefused;
    pass.failure = ErrorFromResponse(sent.value(), std::chrono::system_clock::now());
    return pass;
  }
  if (!parse_error) {
    pass.end = StreamPass::End::kFailed;
    pass.failure = parse_error.error();
    return pass;
  }
  pass.end = StreamPass::End::kEnded;
  pass.failure = error(errc::network_error, "the status stream ended before the request completed");
  return pass;
}

StreamWatchEnd WatchStatusStream(const StreamWatch& watch,
                                 const std::function<void(const RequestStatus&)>& report) {
  auto log = [&](LogLevel level, const std::string& message) {
    if (watch.log) watch.log(level, message);
  };
  auto past_deadline = [&] { return watch.deadline && watch.clock->Now() >= *watch.deadline; };
  const std::string where = UrlForLog(watch.request.url);
  StatusEventReader reader;
  StreamControl control;
  control.cancel = watch.cancel;
  control.idle_timeout = watch.idle_timeout;
  int failed_in_a_row = 0;
  for (int connection = 1;; ++connection) {
    if (watch.cancel.cancelled()) return StreamWatchEnd::kCancelled;
    if (past_deadline()) return StreamWatchEnd::kDeadline;
    log(LogLevel::kDebug, fmt::format("GET {} (status stream, connection {})", where, connection));
    StreamPass pass = FollowStatusStreamOnce(*watch.transport, watch.request, control, reader, report, past_deadline);
    switch (pass.end) {
      case StreamPass::End::kCompleted: return StreamWatchEnd::kCompleted;
      case StreamPass::End::kStopped:
        return watch.cancel.cancelled() ? StreamWatchEnd::kCancelled : StreamWatchEnd::kDeadline;
      case StreamPass::End::kRefused:
        log(LogLevel::kInfo, fmt::format("status stream refused ({}): polling instead", pass.failure.to_string()));
        return StreamWatchEnd::kPoll;
      case StreamPass::End::kEnded:
      case StreamPass::End::kFailed: break;
    }
    failed_in_a_row = pass.events == 0 ? failed_in_a_row + 1 : 0;
    if (connection == 1 && pass.events == 0) {
      log(LogLevel::kInfo, fmt::format("status stream unusable ({}): polling instead", pass.failure.to_string()));
      return StreamWatchEnd::kPoll;
    }
    // The stream may have dropped just before the final event: a poll tells.
    auto polled = watch.poll();
    if (!polled) return StreamWatchEnd::kPoll;  // polling reports its own errors
    reader.Resync(polled.value());
    report(polled.value());
    if (polled.value().terminal()) return StreamWatchEnd::kCompleted;
    if (failed_in_a_row >= watch.max_failed_connections) {
      log(LogLevel::kInfo, fmt::format("status stream keeps failing ({}): polling instead", pass.failure.to_string()));
      return StreamWatchEnd::kPoll;
    }
    log(LogLevel::kInfo, fmt::format("status stream interrupted ({}): reconnecting", pass.failure.to_string()));
    auto delay = watch.reconnect_delay;
    if (watch.deadline) {
      delay = std::min(delay, std::chrono::duration_cast<std::chrono::milliseconds>(*watch.deadline - watch.clock->Now()));
    }
    if (delay.count() > 0 && !watch.clock->SleepFor(delay, watch.cancel)) return StreamWatchEnd::kCancelled;
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
