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

result<HttpResponse> SimTransport::Send(const HttpRequest& request) { return impl_->core.Handle(request); }

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
