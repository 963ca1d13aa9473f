#pragma once
// TrainingClient's shared state and its request execution (auth headers, retries). Private; split
// from client.cpp so upload and generation live in files of their own.

#include <faltrain/client/training_client.hpp>

#include "client/detail/status_stream.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

namespace faltrain {
inline namespace v1 {

/// Whether a request may be sent again after a failure: fal's clients decide per call (reference
/// §3.2 and §9; fal-js queue.ts/retry.ts, fal_client `_maybe_retry_request`).
enum class Repeatable {
  /// Status polls: network errors and 408/409/429/500/502/503/504 (fal-js retries 500 on a status
  /// poll only), unless the server said otherwise (`X-Fal-Retryable: false`, a user timeout).
  kYes,
  /// Result, cancel and uploads: network errors, 408/409/429, and 502/503/504 only when fal's
  /// ingress answered (no `x-fal-request-id`). Never a 500, nor a 5xx the app itself returned: on a
  /// result GET that is the request's own failure, and asking again cannot change it.
  kUnlessAppAnswered,
  /// Submit: retry only when the server provably did not take it.
  kOnlyIfNotReceived,
};

struct TrainingClient::Impl {
  ClientOptions config;
  std::shared_ptr<Transport> transport;
  std::shared_ptr<Clock> clock;
  TrainerRegistry trainers;

  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  /// Accept, User-Agent and (when a key is set) Authorization: made once, in `Create` (the options
  /// never change afterwards), as every request (each status poll) starts from them.
  const HttpHeaders& BaseHeaders() const { return base_headers; }
  HttpHeaders base_headers;
  /// Sends with the retry policy; non-2xx responses become errors unless `accept(status)` says the
  /// caller handles that status itself. `deadline` (if set) is never retried past. A request without
  /// timeouts of its own gets the configured `request_timeout` and `connect_timeout`, so they apply
  /// to whatever transport the client has, the caller's own included.
  /// `cancel` cuts a retry backoff short (`errc::cancelled`).
  result<HttpResponse> Execute(HttpRequest request, Repeatable repeatable,
                               const std::function<bool(int)>& accept = nullptr,
                               std::optional<Clock::steady_time> deadline = std::nullopt,
                               CancelToken cancel = {});
  void Log(LogLevel level, std::string_view message) const;
  /// The GET of `handle`'s status stream (training_client_stream.cpp).
  result<HttpRequest> StatusStreamRequest(const RequestHandle& handle, bool with_logs) const;
  /// `Wait`'s use of the stream (see `detail::WatchStatusStream`); `poll_once` is the resync poll.
  detail::StreamWatchEnd FollowStatusStream(const RequestHandle& handle, const WatchOptions& options,
                                            std::optional<Clock::steady_time> deadline,
                                            const std::function<void(const RequestStatus&)>& report,
                                            const std::function<result<RequestStatus>()>& poll_once);
  double Random01();

  /// What to do after one attempt: `final` is the call's result, or nullopt to send again after
  /// `delay` (`failure` is what is being retried).
  struct Verdict {
    std::optional<result<HttpResponse>> final;
    std::chrono::milliseconds delay{0};
    error failure;
  };
  /// The one retry rule of `Execute` and `ExecuteAsync`: per call (`repeatable`), bounded by the
  /// policy's attempts and total time and by `deadline`; logs the retry it decides on.
  Verdict Judge(result<HttpResponse> sent, const HttpRequest& request, Repeatable repeatable,
                const std::function<bool(int)>& accept, int attempt, Clock::steady_time start,
                std::optional<Clock::steady_time> deadline);
  /// Fills in the configured timeouts of a request that has none of its own.
  void ApplyTimeouts(HttpRequest& request) const;

  // -- the asynchronous path (JobMonitor) ------------------------------------------------------
  /// Runs `fn` at `when` on the caller's event loop (its timer queue).
  using Defer = std::function<void(Clock::steady_time when, std::function<void()> fn)>;
  /// `Execute` on `Transport::SendAsync`: the same retries, logs and errors; the waits between
  /// attempts go through `defer`, and `done` runs on the thread driving the transport (never,
  /// if the client is destroyed first: the call holds it weakly, so no ownership cycle forms).
  static void ExecuteAsync(std::shared_ptr<Impl> self, HttpRequest request, Repeatable repeatable,
                           std::function<bool(int)> accept, Defer defer, SendCallback done);
  struct AsyncCall;
  static void Attempt(std::shared_ptr<AsyncCall> call);

  /// The pieces of `GetStatus` and `GetResultJson`, shared by their blocking and asynchronous forms.
  /// `StatusRequest` checks the handle and builds its URL; `GetRequest` is the same GET for a URL
  /// made (and checked) before, e.g. a watched job's status URL, built once per job.
  result<HttpRequest> StatusRequest(const RequestHandle& handle, bool with_logs) const;
  HttpRequest GetRequest(std::string url) const;
  static result<RequestStatus> StatusFrom(result<HttpResponse> response, const RequestHandle& handle);
  result<HttpRequest> ResultRequest(const RequestHandle& handle) const;
  static result<std::string> ResultFrom(result<HttpResponse> response, const RequestHandle& handle);
};

}  // namespace v1
}  // namespace faltrain
