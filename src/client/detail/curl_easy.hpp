#pragma once
// What the blocking (curl_easy_perform) and the concurrent (curl multi) paths of CurlTransport
// share: URL and header rules, per-transport and per-request handle options, the callbacks that
// collect a response, and the mapping of curl's errors. Private to the client component.

#include <faltrain/client/curl_transport.hpp>

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Counters a transport keeps across both paths.
struct CurlCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> handles_created{0};
};

/// GETs follow at most this many redirects.
inline constexpr int kMaxRedirects = 5;

/// curl_global_init, once per process, never cleaned up (other code may still use curl).
void CurlGlobalInitOnce();

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

/// What the security rules need to know about a URL, as curl itself parses it.
struct Origin {
  std::string scheme;  // lower case
  std::string host;    // as curl normalises it; IPv6 in brackets
  std::string port;    // explicit or the scheme's default
};

/// "https://host:port/path" without user info, query or fragment: safe for messages (signed
/// upload URLs carry their credentials in the query).
std::string SafeUrl(std::string_view url);
/// Parses `url` and applies the transport's rules: http or https only, and plain http only to
/// loopback unless `allow_plain_http_anywhere`.
result<Origin> CheckUrl(std::string_view url, bool allow_plain_http_anywhere);
bool SameOrigin(const Origin& a, const Origin& b);
/// Header names and values that cannot be sent (line breaks, bad names) are an invalid_argument.
result<void> CheckHeaders(const HttpHeaders& headers);

/// State of one transfer, shared with curl's callbacks.
struct Transfer {
  std::size_t limit = 0;  // 0 = unlimited
  bool too_large = false;
  std::string body;
  std::vector<HttpHeader> headers;  // of the latest response
  char errbuf[CURL_ERROR_SIZE] = {0};
  SlistPtr request_headers;         // the list the handle points at while the transfer runs
  // Streaming (SendStreaming) only: where a 2xx body goes, and whether its consumer stopped it.
  CURL* easy = nullptr;
  const StreamControl* stream = nullptr;
  bool stopped_by_consumer = false;
};

/// The options every request of a transport shares (set once per handle). False if curl refused one.
bool ConfigureEasy(CURL* h, const CurlTransportOptions& options, CURLSH* share);
/// Sets every per-request option of `h` for `request` sent to `url` (method, body, headers,
/// timeouts, connection reuse rules), pointing the handle at `t`, which must outlive the transfer.
result<void> PrepareEasy(CURL* h, const HttpRequest& request, const std::string& url, bool send_authorization,
                         const CurlTransportOptions& options, Transfer& t);
/// Makes `h` a stream's handle (SendStreaming): no total time limit, only an idle one (below one
/// byte per second for `stream.idle_timeout`; fal sends `: ping` keep-alives), no gzip, the cancel
/// token checked about once a second, a 2xx body handed to `stream.on_body`. For a handle of its
/// own, never pooled: nothing here may reach other requests.
void ApplyStreamOptions(CURL* h, const StreamControl& stream, Transfer& t);
/// Clears the handle's pointers into a finished transfer (error buffer, header list, sinks).
void DetachEasy(CURL* h);
/// The response of a finished transfer (status, last response's headers, body), moved out of `t`.
HttpResponse CollectResponse(CURL* h, Transfer& t);
/// A failed transfer as faltrain's error: connect_failed (surely not received), network_error,
/// timeout, payload_too_large or invalid_argument; the method and a safe URL in the message.
error MapCurlError(CURLcode rc, CURL* h, const Transfer& t, std::string_view method, std::string_view url);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
