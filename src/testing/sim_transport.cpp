#include <faltrain/testing/sim_transport.hpp>

#include "testing/detail/sim_core.hpp"

namespace faltrain {
inline namespace v1 {

struct SimTransport::Impl {
  Impl(SimOptions options, std::shared_ptr<Clock> clock) : core(std::move(options), std::move(clock)) {}
  detail::SimCore core;
};

SimTransport::SimTransport(SimOptions options, std::shared_ptr<Clock> clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(clock))) {
  impl_->core.StartScheduler();
}

SimTransport::~SimTransport() { impl_->core.StopScheduler(); }

result<HttpResponse> SimTransport::Send(const HttpRequest& request) {
  if (!detail::SimCore::IsStatusStream(request)) return impl_->core.Handle(request);
  // A plain GET of a stream: the whole stream, as a server sends it (until COMPLETED).
  std::string body;
  StreamControl collect;
  collect.on_body = [&body](std::string_view bytes) {
    body.append(bytes);
    return true;
  };
  FALTRAIN_TRY(HttpResponse response, SendStreaming(request, collect));
  if (response.status == 200) response.body = std::move(body);
  return response;
}

result<std::unique_ptr<SimStatusStream>> SimTransport::OpenStatusStream(const HttpRequest& request) {
  auto cursor = std::make_unique<detail::SimStreamCursor>();
  FALTRAIN_TRY(HttpResponse head, impl_->core.OpenStatusStream(request, *cursor));
  std::unique_ptr<SimStatusStream> stream(new SimStatusStream(impl_->core, std::move(head)));
  *stream->cursor_ = std::move(*cursor);
  return stream;
}

result<HttpResponse> SimTransport::SendStreaming(const HttpRequest& request, const StreamControl& control) {
  if (!detail::SimCore::IsStatusStream(request)) return Transport::SendStreaming(request, control);
  if (control.cancel.cancelled()) return fail(errc::cancelled, "request cancelled before it was sent");
  FALTRAIN_TRY(auto stream, OpenStatusStream(request));
  if (stream->head().status != 200) return stream->head();
  while (auto piece = stream->Next(std::chrono::seconds(5), control.cancel)) {
    if (control.on_body && !control.on_body(*piece)) return stream->head();
  }
  if (control.cancel.cancelled()) return fail(errc::cancelled, "status stream cancelled");
  if (stream->dropped()) return fail(errc::network_error, "simulated dropped connection in the middle of a status stream");
  return stream->head();
}

result<HttpResponse> SimTransport::SendDeferred(const HttpRequest& request, std::chrono::milliseconds& delay) {
  delay = std::chrono::milliseconds(0);
  return impl_->core.Handle(request, &delay);
}

void SimTransport::AddFault(SimFault fault) { impl_->core.AddFault(std::move(fault)); }

void SimTransport::RotateSigningKey(bool keep_previous) { impl_->core.RotateSigningKey(keep_previous); }

std::string SimTransport::JwksJson() const { return impl_->core.JwksJson(); }

std::string SimTransport::PublicKeyBase64Url() const { return impl_->core.PublicKeyBase64Url(); }

std::size_t SimTransport::RunDue() { return impl_->core.RunDue(); }

std::optional<Clock::steady_time> SimTransport::NextDue() const { return impl_->core.NextDue(); }

std::vector<SimWebhookAttempt> SimTransport::WebhookLog() const { return impl_->core.WebhookLog(); }

std::vector<std::string> SimTransport::ReceivedSubmissions() const {
  return impl_->core.ReceivedSubmissions();
}

}  // namespace v1
}  // namespace faltrain
