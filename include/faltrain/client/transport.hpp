#pragma once
/// @file
/// The seam between the client and the network. `TrainingClient` only ever talks to a `Transport`:
/// `CurlTransport` for fal itself, `SimTransport` for test mode, `ScriptedTransport` for unit tests.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// The HTTP methods fal's APIs use.
enum class HttpMethod {
  kGet,     ///< status, result, files, JWKS
  kPost,    ///< submit, upload initiation and completion, webhook deliveries
  kPut,     ///< cancel, upload bodies
  kDelete,  ///< not used by the client; for custom transports and tools
};
/// "GET", "POST", "PUT", "DELETE".
std::string_view to_string(HttpMethod m) noexcept;
/// The inverse of `to_string(HttpMethod)`; case-insensitive.
result<HttpMethod> ParseHttpMethod(std::string_view text);

/// One header line.
struct HttpHeader {
  std::string name;   ///< as sent or received (compare without case: see `HttpHeaders`)
  std::string value;  ///< the value (`CurlTransport` trims surrounding whitespace)
};

/// Headers in order; lookups ignore case.
class HttpHeaders {
 public:
  HttpHeaders() = default;
  /// Headers in the given order, e.g. `{{"Content-Type", "application/json"}}`.
  HttpHeaders(std::initializer_list<HttpHeader> init) : items_(init) {}
  /// Appends a header, keeping any others of the same name.
  void Add(std::string name, std::string value);
  /// Replaces every header of that name with one value.
  void Set(std::string name, std::string value);
  /// The first value of `name`, or an empty view.
  std::string_view Get(std::string_view name) const;
  /// Whether a header of that name is present (even with an empty value).
  bool Has(std::string_view name) const;
  /// Every header, in order.
  const std::vector<HttpHeader>& items() const { return items_; }
  auto begin() const { return items_.begin(); }  ///< iterates `items()`
  auto end() const { return items_.end(); }      ///< end of `items()`

 private:
  std::vector<HttpHeader> items_;
};

/// One HTTP request, as the client hands it to a `Transport`.
struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;  ///< GET unless set
  std::string url;                       ///< absolute http(s) URL, query included
  HttpHeaders headers;                   ///< Authorization, Content-Type, fal's X-Fal-* headers, ...
  std::string body;                      ///< raw bytes (JSON for the queue API); empty for GET
  /// Total time allowed for this request; zero means the transport's default.
  std::chrono::milliseconds timeout{0};
  /// Time allowed to establish the connection; zero means the transport's default.
  std::chrono::milliseconds connect_timeout{0};
  /// No total time limit at all (`timeout` and the transport's default are ignored): for upload
  /// bodies, whose duration depends on the uplink. The low-speed guard below applies instead.
  bool no_total_timeout = false;
  /// Abort when the transfer runs below `low_speed_limit` bytes per second for `low_speed_time`
  /// (`errc::timeout`); both must be non-zero to apply. Set on upload PUTs.
  std::size_t low_speed_limit = 0;
  std::chrono::seconds low_speed_time{0};  ///< how long the transfer may stay below the limit
};

/// Any status the server sent, 4xx and 5xx included: HTTP errors are data, not transport failures.
struct HttpResponse {
  int status = 0;       ///< the HTTP status code, e.g. 200, 202, 422
  HttpHeaders headers;  ///< the final response's headers (after redirects)
  std::string body;     ///< the body, already decompressed if the server sent it gzipped
};

/// How a streamed request hands over its body and is stopped (see `Transport::SendStreaming`).
struct StreamControl {
  /// Receives the body of a 2xx response piece by piece, as it arrives (pieces split anywhere).
  /// Return false to stop the transfer: `SendStreaming` then returns the response normally.
  std::function<bool(std::string_view bytes)> on_body;
  /// Stops the transfer when fired (`errc::cancelled`); `CurlTransport` notices within a second.
  CancelToken cancel;
  /// Give up (`errc::timeout`) when no byte at all arrives for this long; zero = 60 s. A stream
  /// has no total time limit: `HttpRequest::timeout` does not apply to it.
  std::chrono::milliseconds idle_timeout{0};
};

/// The completion of `Transport::SendAsync`.
using SendCallback = std::function<void(result<HttpResponse>)>;

/// Sends one request and returns the response. A failure here means no usable HTTP response:
/// `errc::connect_failed` (the request surely never reached the server), `errc::network_error`
/// (it may have), `errc::timeout`, or `errc::payload_too_large`. Implementations are thread-safe.
///
/// Implementations must apply a request's non-zero `timeout` and `connect_timeout` (an in-process
/// transport with no connection to make may ignore `connect_timeout`), drop the total limit when
/// `no_total_timeout` is set, and apply the low-speed guard where bytes really travel.
/// `TrainingClient` sets both timeouts from `ClientOptions::request_timeout` and
/// `ClientOptions::connect_timeout` on every request (and `no_total_timeout` plus the low-speed
/// guard on upload PUTs), which is how those settings reach a transport the caller built
/// (`CurlTransport` and `SimTransport` honour them, `ScriptedTransport` records them).
///
/// The asynchronous path (`SendAsync` + `Drive`) lets one thread keep many requests in flight:
/// `SendAsync` queues a request from any thread, and the thread that calls `Drive` runs the
/// transfers and the completion callbacks. The default implementation is serial: `SendAsync`
/// performs `Send` at once and calls back before it returns, so every transport works with callers
/// of the asynchronous path (`JobMonitor`); `CurlTransport` runs its requests concurrently.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Performs `request` once (no retries: the client decides those) and returns whatever status
  /// the server answered; fails only when there is no usable response (see the class comment).
  virtual result<HttpResponse> Send(const HttpRequest& request) = 0;

  /// Performs `request` once and hands a 2xx body to `control.on_body` as it arrives (for
  /// server-sent events such as fal's status stream); the returned response then has an empty
  /// body. Any other status is returned with its whole body, like `Send`. Fails like `Send`, and
  /// with `errc::cancelled` / `errc::timeout` per `control`; a stream cut mid-body is
  /// `errc::network_error`. The default calls `Send` and hands over the whole body at once: right,
  /// but useless for a stream that lasts minutes, which is why `CanStream` says whether an override
  /// does better.
  virtual result<HttpResponse> SendStreaming(const HttpRequest& request, const StreamControl& control);

  /// Whether `SendStreaming` delivers the body as it arrives. False by default; `CurlTransport` and
  /// `SimTransport` say true. `TrainingClient` follows fal's status stream only when it is.
  virtual bool CanStream() const { return false; }

  /// Starts `request` (once, like `Send`) and returns; `done` is called exactly once with what
  /// `Send` would have returned, on the thread running `Drive` (or, serially, before returning).
  virtual void SendAsync(HttpRequest request, SendCallback done);
  /// Moves requests started by `SendAsync` forward: waits at most `max_wait` for one to finish
  /// (less when `Wakeup` is called), runs the callbacks of those that did and returns how many.
  /// One thread drives at a time; callbacks may call `SendAsync` but not `Drive`. Default: 0 at once.
  virtual std::size_t Drive(std::chrono::milliseconds max_wait);
  /// Makes a `Drive` waiting on another thread return early. Default: nothing to wake.
  virtual void Wakeup();
  /// Requests started by `SendAsync` whose callback has not run yet. Default: 0. (Not `pending`:
  /// `ScriptedTransport::pending` counts its scripted answers.)
  virtual std::size_t in_flight() const;
};

}  // namespace v1
}  // namespace faltrain
