#pragma once
// A transport that answers from a script: for unit tests of code built on faltrain (ours and yours).

#include <faltrain/client/transport.hpp>

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

class ScriptedTransport final : public Transport {
 public:
  /// Decides the reply to one request; may inspect it.
  using Handler = std::function<result<HttpResponse>(const HttpRequest&)>;

  /// Queues a reply for the next request (FIFO).
  void Expect(Handler handler);
  /// Queues a fixed response.
  void ExpectResponse(int status, std::string body, HttpHeaders headers = {});
  /// Queues a transport failure.
  void ExpectFailure(errc code, std::string message = "scripted failure");
  /// Answers every request left unscripted (default: fail the test with errc::invalid_argument).
  void SetFallback(Handler handler);

  result<HttpResponse> Send(const HttpRequest& request) override;

  /// Every request sent so far, in order.
  std::vector<HttpRequest> requests() const;
  std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::deque<Handler> script_;
  Handler fallback_;
  std::vector<HttpRequest> sent_;
};

}  // namespace v1
}  // namespace faltrain
