#include <faltrain/testing/scripted_transport.hpp>

#include <string>
#include <utility>

namespace faltrain {
inline namespace v1 {

void ScriptedTransport::Expect(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(handler));
}

void ScriptedTransport::ExpectResponse(int status, std::string body, HttpHeaders headers) {
  Expect([status, body = std::move(body), headers = std::move(headers)](
             const HttpRequest&) -> result<HttpResponse> {
    return HttpResponse{status, headers, body};
  });
}

void ScriptedTransport::ExpectFailure(errc code, std::string message) {
  Expect([code, message = std::move(message)](const HttpRequest&) -> result<HttpResponse> {
    return fail(code, message);
  });
}

void ScriptedTransport::SetFallback(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  fallback_ = std::move(handler);
}

result<HttpResponse> ScriptedTransport::Send(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(request);
    if (!script_.empty()) {
      handler = std::move(script_.front());
      script_.pop_front();
    } else {
      handler = fallback_;
    }
  }
  // Handlers run outside the lock so they may script further replies or inspect requests().
  if (!handler) {
    return fail(errc::invalid_argument, "ScriptedTransport: unscripted request " +
                                            std::string(to_string(request.method)) + " " +
                                            request.url);
  }
  return handler(request);
}

std::vector<HttpRequest> ScriptedTransport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

std::size_t ScriptedTransport::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return script_.size();
}

}  // namespace v1
}  // namespace faltrain
