// fal's status stream, simulated (`GET …/requests/{id}/status/stream`, server-sent events): an
// event whenever the status a poll would see changes — phase, queue position, new log lines (each
// sent once) — and the end after COMPLETED. Pulled one event at a time, so any HTTP front end
// (or SimTransport::SendStreaming) only copies the text out.

#include "testing/detail/sim_core.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// One SSE event carrying `data` (JSON has no raw line breaks, but split them anyway).
std::string SseDataEvent(std::string_view data) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = data.find('\n', start);
    out.append("data: ").append(data.substr(start, end == std::string_view::npos ? end : end - start)).append("\n");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  out += '\n';
  return out;
}

// When the request's status next changes on its own after `now`: it starts, a log line shows,
// it finishes. Queue positions change in between; the caller looks again at least that often.
Clock::steady_time NextChange(const SimRequest& r, Clock::steady_time now) {
  Clock::steady_time next = Clock::steady_time::max();
  if (r.timeline.started > now) next = std::min(next, r.timeline.started);
  if (r.timeline.finished > now) next = std::min(next, r.timeline.finished);
  for (const auto& line : r.logs) {
    if (line.at > now) next = std::min(next, line.at);
  }
  return next;
}

}  // namespace

bool SimCore::IsStatusStream(const HttpRequest& request) {
  return request.method == HttpMethod::kGet && Classify(request.method, ParseSimUrl(request.url)).route == Route::kStatusStream;
}

result<HttpResponse> SimCore::OpenStatusStream(const HttpRequest& request, SimStreamCursor& cursor) {
  SimUrl url = ParseSimUrl(request.url);
  Call call = Classify(request.method, url);
  if (call.route != Route::kStatusStream) return fail(errc::invalid_argument, "not a status stream: " + url.path);
  std::optional<SimFault> fault;
  if (auto answer = Admit(request, url, call, fault)) return std::move(*answer);
  std::lock_guard<std::mutex> lock(mu_);
  SimRequest* r = FindRequest(call);
  if (r == nullptr) return DetailResponse(404, "Request not found");
  cursor = SimStreamCursor{};
  cursor.request_id = call.request_id;
  cursor.app = call.app;
  cursor.with_logs = WantsLogs(url);
  if (fault && fault->kind == SimFaultKind::kDropConnection) {
    // A stream cut mid-way: after `delay`, or right after its first event.
    if (fault->delay.count() > 0) {
      cursor.drop_at = clock_->Now() + fault->delay;
    } else {
      cursor.drop_after_first = true;
    }
  }
  HttpResponse head;
  head.status = 200;
  head.headers.Add("content-type", "text/event-stream");
  head.headers.Add("cache-control", "no-cache");
  head.headers.Add("x-fal-request-id", r->id);
  return head;
}

std::optional<std::string> SimCore::NextStreamEvent(SimStreamCursor& cursor, Clock::steady_time* next_change) {
  std::lock_guard<std::mutex> lock(mu_);
  Call call;
  call.request_id = cursor.request_id;
  call.app = cursor.app;
  const SimRequest* r = FindRequest(call);
  const Clock::steady_time now = clock_->Now();
  if (r == nullptr) {  // never happens: requests are kept for ever
    cursor.finished = true;
    return std::nullopt;
  }
  const SimPhase phase = r->timeline.PhaseAt(now);
  const std::string status(SimPhaseName(phase));
  const int position = phase == SimPhase::kInQueue ? r->timeline.QueuePositionAt(now) : -1;
  const std::size_t visible = cursor.with_logs ? VisibleLogs(*r, now) : 0;
  const bool changed = !cursor.sent_any || status != cursor.last_status || position != cursor.last_position ||
                       visible > cursor.logs_sent;
  if (!changed) {
    if (next_change != nullptr) *next_change = NextChange(*r, now);
    return std::nullopt;
  }
  std::string event = SseDataEvent(StatusJson(*r, now, cursor.with_logs, cursor.logs_sent));
  cursor.sent_any = true;
  cursor.last_status = status;
  cursor.last_position = position;
  cursor.logs_sent = std::max(cursor.logs_sent, visible);
  cursor.finished = phase == SimPhase::kCompleted;
  return event;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
