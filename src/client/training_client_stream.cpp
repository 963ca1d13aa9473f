// TrainingClient over fal's status stream (server-sent events); the following itself is in
// detail/status_stream.cpp, shared with `Wait`.

#include <faltrain/client/training_client.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/status_stream.hpp"
#include "client/detail/url.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {

result<HttpRequest> TrainingClient::Impl::StatusStreamRequest(const RequestHandle& handle, bool with_logs) const {
  if (handle.request_id.empty() || !detail::IsHttpUrl(handle.status_url)) {
    return fail(errc::invalid_argument, "request handle has no usable status URL");
  }
  auto url = detail::StatusStreamUrl(handle.status_url, with_logs);
  if (!url) return fail(errc::invalid_argument, "request handle has no usable status URL");
  HttpRequest request;
  request.url = std::move(*url);
  request.headers = BaseHeaders();
  request.headers.Set("Accept", "text/event-stream");
  request.headers.Add("Cache-Control", "no-cache");
  request.connect_timeout = config.connect_timeout;
  return request;
}

detail::StreamWatchEnd TrainingClient::Impl::FollowStatusStream(
    const RequestHandle& handle, const WatchOptions& options, std::optional<Clock::steady_time> deadline,
    const std::function<void(const RequestStatus&)>& report,
    const std::function<result<RequestStatus>()>& poll_once) {
  auto request = StatusStreamRequest(handle, /*with_logs=*/true);
  if (!request) return detail::StreamWatchEnd::kPoll;
  detail::StreamWatch watch;
  watch.transport = transport.get();
  watch.clock = clock.get();
  watch.request = std::move(request).value();
  watch.poll = poll_once;
  if (config.log) watch.log = [this](LogLevel level, std::string_view message) { Log(level, message); };
  watch.cancel = options.cancel;
  watch.deadline = deadline;
  watch.reconnect_delay = options.min_interval;
  return detail::WatchStatusStream(watch, report);
}

result<RequestStatus> TrainingClient::StreamStatus(const RequestHandle& handle, const StreamStatusOptions& options) {
  if (!impl_->transport->CanStream()) {
    return fail(errc::invalid_argument, "this client's transport cannot stream (Transport::CanStream)");
  }
  FALTRAIN_TRY(HttpRequest request, impl_->StatusStreamRequest(handle, options.with_logs));
  impl_->Log(LogLevel::kDebug, fmt::format("GET {} (status stream)", detail::UrlForLog(request.url)));
  StreamControl control;
  control.cancel = options.cancel;
  control.idle_timeout = options.idle_timeout;
  detail::StatusEventReader reader;
  auto pass = detail::FollowStatusStreamOnce(*impl_->transport, request, control, reader, options.on_status);
  using End = detail::StreamPass::End;
  error e;
  switch (pass.end) {
    case End::kCompleted: return std::move(*pass.last);
    case End::kStopped: e = error(errc::cancelled, "status stream cancelled"); break;
    case End::kRefused:
    case End::kFailed:
    case End::kEnded: e = std::move(pass.failure); break;
  }
  if (e.request_id.empty()) e.request_id = handle.request_id;
  return fail(std::move(e));
}

}  // namespace v1
}  // namespace faltrain
