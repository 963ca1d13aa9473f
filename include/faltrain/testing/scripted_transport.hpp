#pragma once
/// @file
/// A transport that answers from a script: for unit tests of code built on faltrain (ours and yours).

#include <faltrain/client/transport.hpp>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// Answers each request with the next scripted reply (FIFO) and records every request.
/// Thread-safe; handlers run outside its lock, so they may script more replies or read
/// `requests()`.
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
  /// Queues a streamed reply: status `status` whose body comes as `pieces` (one `on_body` call
  /// each with `SendStreaming`; joined with `Send`), then the end — a clean close, or `cut` (a
  /// stream that dropped). Also makes `CanStream()` true.
  void ExpectStream(int status, std::vector<std::string> pieces, std::optional<error> cut = std::nullopt,
                    HttpHeaders headers = {});
  /// Sets what `CanStream()` answers (false until this or `ExpectStream`).
  void SetCanStream(bool can_stream);

  /// Records `request`, then answers with the next scripted reply, else the fallback.
  result<HttpResponse> Send(const HttpRequest& request) override;
  /// Records `request`, then plays the next scripted reply: a streamed one piece by piece, any
  /// other with its 2xx body handed over whole.
  result<HttpResponse> SendStreaming(const HttpRequest& request, const StreamControl& control) override;
  /// See `SetCanStream`.
  bool CanStream() const override;

  /// Every request sent so far, in order.
  std::vector<HttpRequest> requests() const;
  /// Scripted replies not used yet (0 at the end of a test that used them all).
  std::size_t pending() const;

 private:
  struct Stream {
    HttpResponse head;
    std::vector<std::string> pieces;
    std::optional<error> cut;
  };
  struct Reply {
    Handler handler;               // a plain reply, or
    std::optional<Stream> stream;  // a streamed one
  };
  Reply Next(const HttpRequest& request);

  mutable std::mutex mu_;
  bool can_stream_ = false;
  std::deque<Reply> script_;
  Handler fallback_;
  std::vector<HttpRequest> sent_;
};

}  // namespace v1
}  // namespace faltrain
