#include "client/detail/curl_easy.hpp"

#include <fmt/format.h>

#if defined(_WIN32)
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <string_view>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace detail {

void CurlGlobalInitOnce() {
  // curl_global_init is not thread-safe on every platform: once.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

static bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

static std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

static std::string UrlPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}


static bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost") || EqualsIgnoreCase(host, "localhost.")) return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    std::string inner(host.substr(1, host.size() - 2));
    in6_addr v6{};
    return inet_pton(AF_INET6, inner.c_str(), &v6) == 1 &&
           std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  }
  std::string v4_text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, v4_text.c_str(), &v4) != 1) return false;
  // s_addr is in network byte order: the first octet is the first byte.
  return reinterpret_cast<const unsigned char*>(&v4.s_addr)[0] == 127;
}

/// "https://host:port/path" without user info, query or fragment: safe for messages (signed
/// upload URLs carry their credentials in the query).
std::string SafeUrl(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  std::string copy(url);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return "<unparsable url>";
  }
  std::string out = UrlPart(u.get(), CURLUPART_SCHEME) + "://" + UrlPart(u.get(), CURLUPART_HOST);
  std::string port = UrlPart(u.get(), CURLUPART_PORT);
  if (!port.empty()) out += ":" + port;
  out += UrlPart(u.get(), CURLUPART_PATH);
  return out;
}

/// Parses `url` and applies the transport's rules: http or https only, and plain http only to
/// loopback unless `allow_plain_http_anywhere`.
result<Origin> CheckUrl(std::string_view url, bool allow_plain_http_anywhere) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  std::string copy(url);
  if (!u) return fail(errc::invalid_argument, "out of memory parsing a URL");
  if (curl_url_set(u.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return fail(errc::invalid_argument, fmt::format("not a valid URL: {}", SafeUrl(url)));
  }
  Origin origin;
  origin.scheme = UrlPart(u.get(), CURLUPART_SCHEME);
  std::transform(origin.scheme.begin(), origin.scheme.end(), origin.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  origin.host = UrlPart(u.get(), CURLUPART_HOST);
  origin.port = UrlPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (origin.scheme != "https" && origin.scheme != "http") {
    return fail(errc::invalid_argument,
                fmt::format("unsupported URL scheme '{}' (only https and http to loopback)",
                            origin.scheme));
  }
  if (origin.scheme == "http" && !allow_plain_http_anywhere && !IsLoopbackHost(origin.host)) {
    return fail(errc::invalid_argument,
                fmt::format("refusing plain http to non-loopback host {} (use https)", origin.host));
  }
  return origin;
}

bool SameOrigin(const Origin& a, const Origin& b) {
  return a.scheme == b.scheme && EqualsIgnoreCase(a.host, b.host) && a.port == b.port;
}

static bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

result<void> CheckHeaders(const HttpHeaders& headers) {
  for (const auto& h : headers) {
    if (h.name.empty() || h.name.find_first_of(":\r\n \t") != std::string::npos) {
      return fail(errc::invalid_argument, fmt::format("invalid HTTP header name '{}'", h.name));
    }
    // Values are not echoed: this may well be the Authorization header.
    if (HasLineBreak(h.value)) {
      return fail(errc::invalid_argument,
                  fmt::format("HTTP header '{}' has a line break in its value", h.name));
    }
  }
  return success();
}

static bool StreamsThisBody(const Transfer& t) {
  if (t.stream == nullptr || !t.stream->on_body) return false;
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  return status >= 200 && status < 300;
}

static size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (StreamsThisBody(*t)) {
    if (t->stream->on_body(std::string_view(data, n))) return n;
    t->stopped_by_consumer = true;
    return 0;  // CURLE_WRITE_ERROR, read as a normal end by the caller
  }
  if (t->limit != 0 && t->body.size() + n > t->limit) {
    t->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    // A new response begins (after 1xx, a proxy CONNECT, ...): keep only the last one's headers.
    t->headers.clear();
    return n;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // Obsolete folding: continues the previous header's value.
    std::string_view more = Trim(line);
    if (!t->headers.empty() && !more.empty()) t->headers.back().value.append(" ").append(more);
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // blank line ending the header block
  if (t->headers.empty()) t->headers.reserve(16);
  t->headers.push_back(
      {std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1)))});
  return n;
}

static bool NothingWasSent(CURL* h) {
  curl_off_t pretransfer = 0;
  return curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK &&
         pretransfer == 0;
}

error MapCurlError(CURLcode rc, CURL* h, const Transfer& t, std::string_view method, std::string_view url) {
  const char* errbuf = t.errbuf;
  const std::string detail = errbuf[0] != '\0' ? std::string(Trim(errbuf))
                                               : std::string(curl_easy_strerror(rc));
  const std::string where = fmt::format("{} {}", method, SafeUrl(url));
  errc code = errc::network_error;
  std::string what;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
      code = errc::connect_failed;
      what = "could not connect";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      if (t.stream != nullptr && !NothingWasSent(h)) {
        code = errc::timeout;
        what = "stream idle for too long";
        break;
      }
      // A timeout before the request went out (connect, TLS, proxy tunnel) proves the server never
      // saw it, which is what makes a submit safe to retry.
      if (NothingWasSent(h)) {
        code = errc::connect_failed;
        what = "timed out connecting";
      } else {
        code = errc::timeout;
        what = "timed out";
      }
      break;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return error{errc::payload_too_large,
                     fmt::format("{}: response body larger than the limit of {} bytes", where,
                                 t.limit)};
      }
      what = "could not store the response";
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      return error{errc::cancelled, fmt::format("{}: cancelled", where)};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return error{errc::invalid_argument, fmt::format("{}: {}", where, detail)};
    case CURLE_OUT_OF_MEMORY:
      return error{errc::network_error, fmt::format("{}: out of memory", where)};
    default:
      // Send/receive errors, empty replies, truncated bodies, HTTP/2 stream errors, bad encodings:
      // the request may have reached the server.
      what = "connection failed";
      break;
  }
  // `error::to_string` already starts with the code's phrase ("could not connect"): name the cause
  // once, adding `what` only when it says more ("timed out connecting", "connection failed").
  const bool says_more = what != make_error_code(code).message();
  error e{code, says_more ? fmt::format("{}: {}: {}", where, what, detail) : fmt::format("{}: {}", where, detail)};
  e.retryable = true;
  return e;
}


bool ConfigureEasy(CURL* h, const CurlTransportOptions& options, CURLSH* share) {
  bool ok = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85: the bitmask form is deprecated
  ok = ok && curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
#else
  ok = ok && curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                              static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK;
#endif
  // Redirects are followed by Send, each hop checked.
  ok = ok && curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
  ok = ok && curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
  ok = ok && curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
  if (!options.ca_bundle.empty()) {
    ok = ok && curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_bundle.c_str()) == CURLE_OK;
  }
  if (share != nullptr) ok = ok && curl_easy_setopt(h, CURLOPT_SHARE, share) == CURLE_OK;
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);  // best effort
  // gzip only: cheap at both ends, where brotli and zstd cost servers far more to produce than
  // they save on small JSON.
  if (options.accept_gzip) {
    ok = ok && curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip") == CURLE_OK;
  }
  if (options.max_response_bytes != 0) {
    ok = ok && curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                                static_cast<curl_off_t>(options.max_response_bytes)) == CURLE_OK;
  }
  ok = ok && curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody) == CURLE_OK;
  ok = ok && curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader) == CURLE_OK;
  return ok;
}

result<void> PrepareEasy(CURL* h, const HttpRequest& request, const std::string& url, bool send_authorization,
                         const CurlTransportOptions& options, Transfer& t) {
  // No curl_easy_reset: the handle keeps the transport-wide options from ConfigureEasy, and every
  // option a request may change is set here, for every request, whatever the last one set.
  t.errbuf[0] = '\0';
  t.limit = options.max_response_bytes;
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  const auto total = request.no_total_timeout ? std::chrono::milliseconds(0)  // 0: no limit
                     : request.timeout.count() > 0 ? request.timeout
                                                   : options.request_timeout;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
  // Both zero (the default of every other request) switch the low-speed guard off again.
  const bool low_speed = request.low_speed_limit > 0 && request.low_speed_time.count() > 0;
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, low_speed ? static_cast<long>(request.low_speed_limit) : 0L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, low_speed ? static_cast<long>(request.low_speed_time.count()) : 0L);
  const auto connect =
      request.connect_timeout.count() > 0 ? request.connect_timeout : options.connect_timeout;
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);

  bool has_body = false;
  switch (request.method) {
    case HttpMethod::kGet:
      break;
    case HttpMethod::kPost:
    case HttpMethod::kPut:
      has_body = true;
      break;
    case HttpMethod::kDelete:
      has_body = !request.body.empty();
      break;
  }
  if (has_body) {
    // POSTFIELDS even when empty: a POST without it would read the body from stdin.
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  } else {
    // Drop the last request's body (its buffer is gone), then make this a GET: setting
    // POSTFIELDS selects POST, so HTTPGET must come after it.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1));
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }
  // curl silently re-sends a request when a reused connection dies before any response byte.
  // For a POST that could start a second paid training, so a POST never rides a reused
  // connection; it gets its own (TLS resumes the session), closed afterwards so that idle
  // connections do not pile up in the handle's cache. Other methods use the warm connection.
  const long own_connection = request.method == HttpMethod::kPost ? 1L : 0L;
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, own_connection);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, own_connection);
  if (request.method != HttpMethod::kGet && request.method != HttpMethod::kPost) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, std::string(to_string(request.method)).c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
  }

  SlistPtr& headers = t.request_headers;
  headers.reset();
  auto append = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next != nullptr) {
      (void)headers.release();
      headers.reset(next);
    }
    return next != nullptr;
  };
  bool ok = true;
  std::string line;
  for (const auto& header : request.headers) {
    if (!send_authorization && EqualsIgnoreCase(header.name, "Authorization")) continue;
    // "Name;" is curl's way to send a header with an empty value.
    line.assign(header.name);
    if (header.value.empty()) {
      line += ';';
    } else {
      line.append(": ").append(header.value);
    }
    ok = ok && append(line);
  }
  if (has_body) {
    ok = ok && append("Expect:");  // no 100-continue round trip
    if (!request.headers.Has("Content-Type")) ok = ok && append("Content-Type:");  // no form default
  }
  if (!ok) return fail(errc::network_error, "out of memory building request headers");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());  // null when there are none
  const bool default_agent = !options.user_agent.empty() && !request.headers.Has("User-Agent");
  curl_easy_setopt(h, CURLOPT_USERAGENT,
                   default_agent ? options.user_agent.c_str() : static_cast<const char*>(nullptr));
  return success();
}

// Called about once a second even while no byte arrives: how a stream notices its cancel token.
static int OnStreamProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* t = static_cast<const Transfer*>(user);
  return t->stream != nullptr && t->stream->cancel.cancelled() ? 1 : 0;
}

void ApplyStreamOptions(CURL* h, const StreamControl& stream, Transfer& t) {
  using std::chrono::milliseconds;
  const milliseconds idle = stream.idle_timeout.count() > 0 ? stream.idle_timeout : milliseconds(60000);
  const long idle_seconds = std::max(1L, static_cast<long>((idle.count() + 999) / 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, idle_seconds);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, static_cast<const char*>(nullptr));  // events as sent
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnStreamProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  t.easy = h;
  t.stream = &stream;
}

void DetachEasy(CURL* h) {
  // The error buffer, header list and sinks belong to the transfer: the pooled handle must not keep
  // pointing at them.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, nullptr);
}

HttpResponse CollectResponse(CURL* h, Transfer& t) {
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  HttpResponse response;
  response.status = static_cast<int>(status);
  for (auto& header : t.headers) response.headers.Add(std::move(header.name), std::move(header.value));
  response.body = std::move(t.body);
  return response;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
