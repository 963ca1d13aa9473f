#pragma once
/// @file
/// The real network: libcurl with a pool of reusable handles (keep-alive, TLS session reuse).

#include <faltrain/client/transport.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace faltrain {
inline namespace v1 {

/// How a `CurlTransport` connects, limits and identifies itself.
struct CurlTransportOptions {
  /// Defaults for requests that carry no `HttpRequest::connect_timeout` / `timeout` of their own
  /// (a `TrainingClient` always sets both from its configuration).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(120)};  ///< per request default
  std::size_t max_idle_handles = 16;          ///< blocking `Send`: connections kept for reuse
  /// `SendAsync`: transfers running at once; more wait in a queue, holding no handle or connection.
  std::size_t max_in_flight = 256;
  /// `SendAsync`: connections per host (a keep-alive pool for HTTP/1.1; HTTP/2 multiplexes the
  /// transfers over few connections where the server offers it).
  std::size_t max_connections_per_host = 128;
  /// Larger bodies fail with payload_too_large, checked while receiving; 0 = no limit.
  std::size_t max_response_bytes = 512u << 20;
  std::string user_agent;                     ///< sent unless the request sets one
  std::string ca_bundle;                      ///< empty = system default
  /// Ask for gzip (`Accept-Encoding: gzip`): status bodies grow with the training logs. The size
  /// limit applies to the decoded bytes.
  bool accept_gzip = true;
  /// Proxies come from the environment (http_proxy, https_proxy, no_proxy) as curl reads them.
  /// TLS peer and host verification are always on; plain http is allowed only to loopback hosts
  /// (127.0.0.0/8, localhost, [::1]) unless this is set.
  bool allow_plain_http_to_any_host = false;
};

/// Counters since construction, to check that connections really are reused.
struct CurlTransportStats {
  std::uint64_t requests = 0;            ///< transfers performed (each redirect hop counts)
  std::uint64_t connections_opened = 0;  ///< new connections made (curl's CURLINFO_NUM_CONNECTS)
  std::uint64_t handles_created = 0;     ///< easy handles ever created by the pool
};

/// libcurl-backed transport. Thread-safe; global curl init happens once per process.
///
/// Two paths share the rules below: `Send` blocks on a pooled easy handle (one connection per
/// handle); `SendAsync` + `Drive` run many requests at once from one thread on a curl multi handle
/// (HTTP/2 multiplexing where offered, otherwise up to `max_connections_per_host` keep-alive
/// connections), with the same errors, limits and security rules.
///
/// GET requests follow up to 5 redirects (each hop checked against the plain-http rule, the
/// Authorization header dropped when the host changes); other methods never follow redirects.
/// The returned headers are those of the last response only. A POST always uses a connection of
/// its own, closed after it: on a reused connection curl would silently send it again if that
/// connection died before the answer, and a second submit can start a second paid training.
class CurlTransport final : public Transport {
 public:
  /// A transport with an empty handle pool. The first one constructed initialises libcurl for the
  /// process (never cleaned up: other code may still use curl).
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  /// Performs the request on a pooled handle (see the class comment for redirects and POSTs).
  result<HttpResponse> Send(const HttpRequest& request) override;
  /// Streams a 2xx body to `control.on_body` as curl receives it, on a connection of its own:
  /// no total timeout, an idle limit instead (`StreamControl::idle_timeout`, at one-second
  /// granularity), the cancel token checked about once a second, no gzip. Redirects and the
  /// plain-http rule as for `Send`.
  result<HttpResponse> SendStreaming(const HttpRequest& request, const StreamControl& control) override;
  /// True.
  bool CanStream() const override;

  /// Queues `request` for the concurrent path (see `Transport::SendAsync`); thread-safe.
  void SendAsync(HttpRequest request, SendCallback done) override;
  /// Runs the concurrent path's transfers and callbacks (see `Transport::Drive`).
  std::size_t Drive(std::chrono::milliseconds max_wait) override;
  /// Wakes a waiting `Drive`.
  void Wakeup() override;
  /// Requests of the concurrent path not finished yet.
  std::size_t in_flight() const override;

  /// A snapshot of the counters (both paths).
  CurlTransportStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace faltrain
