// The client's asynchronous path: Execute's retry loop over Transport::SendAsync, the waits
// between attempts on the caller's timer queue. Used by JobMonitor.

#include "client/detail/client_impl.hpp"
#include "client/detail/url.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
/// One call in flight: the request, how to judge its attempts and whom to tell.
struct TrainingClient::Impl::AsyncCall {
  // Weak: the transport holds this call while it is in flight, and the client (which owns the
  // transport) must not be kept alive by it. A call whose client is gone ends without a callback.
  std::weak_ptr<Impl> impl;
  HttpRequest request;
  Repeatable repeatable = Repeatable::kYes;
  std::function<bool(int)> accept;
  Defer defer;
  SendCallback done;
  int attempt = 0;
  Clock::steady_time start{};
};

void TrainingClient::Impl::Attempt(std::shared_ptr<AsyncCall> call) {
  auto owner = call->impl.lock();
  if (!owner) return;
  TrainingClient::Impl& impl = *owner;
  ++call->attempt;
  if (impl.config.log) {
    impl.Log(LogLevel::kDebug, fmt::format("{} {} (attempt {})", to_string(call->request.method),
                                           detail::UrlForLog(call->request.url), call->attempt));
  }
  HttpRequest copy = call->request;  // the transport consumes its copy; a retry needs the original
  impl.transport->SendAsync(std::move(copy), [call](result<HttpResponse> sent) {
    auto owner = call->impl.lock();
    if (!owner) return;
    Verdict verdict = owner->Judge(std::move(sent), call->request, call->repeatable, call->accept, call->attempt,
                                   call->start, std::nullopt);
    if (verdict.final) {
      SendCallback done = std::move(call->done);
      return done(std::move(*verdict.final));
    }
    call->defer(owner->clock->Now() + verdict.delay, [call] { Attempt(call); });
  });
}

void TrainingClient::Impl::ExecuteAsync(std::shared_ptr<Impl> self, HttpRequest request, Repeatable repeatable,
                                        std::function<bool(int)> accept, Defer defer, SendCallback done) {
  auto call = std::make_shared<AsyncCall>();
  self->ApplyTimeouts(request);
  call->start = self->clock->Now();
  call->impl = self;
  call->request = std::move(request);
  call->repeatable = repeatable;
  call->accept = std::move(accept);
  call->defer = std::move(defer);
  call->done = std::move(done);
  Attempt(std::move(call));
}

}  // namespace v1
}  // namespace faltrain
