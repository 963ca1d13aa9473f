#pragma once
// The real network: libcurl with a pool of reusable handles (keep-alive, TLS session reuse).

#include <faltrain/transport.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace faltrain {
inline namespace v1 {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(120)};  ///< per request default
  std::size_t max_idle_handles = 16;          ///< connections kept for reuse
  std::size_t max_response_bytes = 512u << 20;  ///< larger bodies fail with payload_too_large
  std::string user_agent;                     ///< sent unless the request sets one
  std::string ca_bundle;                      ///< empty = system default
  /// Proxies come from the environment (http_proxy, https_proxy, no_proxy) as curl reads them.
  /// TLS peer and host verification are always on; plain http is allowed only to loopback hosts.
  bool allow_plain_http_to_any_host = false;
};

/// libcurl-backed transport. Thread-safe; global curl init happens once per process.
class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace faltrain
