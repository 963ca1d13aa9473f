#include <faltrain/client/curl_transport.hpp>

#include "client/detail/curl_easy.hpp"
#include "client/detail/curl_multi.hpp"

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {

using detail::CheckUrl;
using detail::Origin;

struct CurlTransport::Impl {
  /// A pooled easy handle of the blocking path. Options that are the same for every request of
  /// this transport are set once, when the handle is made; PrepareEasy sets every per-request
  /// option each time, so nothing of one request's method, body, headers or timeout can leak into
  /// the next.
  struct Handle {
    detail::EasyPtr easy;
    // The last URL that passed CheckUrl on this handle and its origin: status polls send the same
    // URL again and again. The check depends only on the URL text and the transport's options.
    std::string checked_url;
    Origin checked_origin;
  };
  using HandlePtr = std::unique_ptr<Handle>;

  CurlTransportOptions options;
  CURLSH* share = nullptr;
  std::mutex share_mu[CURL_LOCK_DATA_LAST];

  std::mutex pool_mu;
  std::vector<HandlePtr> idle;

  detail::CurlCounters counters;

  std::once_flag multi_once;
  std::unique_ptr<detail::CurlMulti> multi;  // the concurrent path, made on first use (Multi())
  std::atomic<detail::CurlMulti*> multi_made{nullptr};  // `multi` once made: read without the once

  static void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_mu[data].lock();
  }
  static void UnlockShare(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_mu[data].unlock();
  }

  explicit Impl(CurlTransportOptions o) : options(std::move(o)) {
    // DNS answers and TLS sessions are shared between all handles; live connections stay with
    // their handle or the multi handle (curl does not share a connection cache across threads).
    share = curl_share_init();
    if (share != nullptr) {
      curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::LockShare);
      curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::UnlockShare);
      curl_share_setopt(share, CURLSHOPT_USERDATA, this);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }

  ~Impl() {
    multi.reset();  // handles first: a share cannot be freed while handles use it
    idle.clear();
    if (share != nullptr) curl_share_cleanup(share);
  }

  detail::CurlMulti& Multi() {
    std::call_once(multi_once, [this] {
      multi = std::make_unique<detail::CurlMulti>(options, share, counters);
      multi_made.store(multi.get(), std::memory_order_release);
    });
    return *multi;
  }

  HandlePtr Acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      if (!idle.empty()) {
        HandlePtr h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return NewHandle();
  }

  /// A new handle with the transport-wide options, outside the pool.
  HandlePtr NewHandle() {
    auto h = std::make_unique<Handle>();
    h->easy.reset(curl_easy_init());
    if (!h->easy) return nullptr;
    ++counters.handles_created;
    if (!detail::ConfigureEasy(h->easy.get(), options, share)) return nullptr;
    return h;
  }

  void Release(HandlePtr h) {
    if (!h) return;
    std::lock_guard<std::mutex> lock(pool_mu);
    if (idle.size() < options.max_idle_handles) idle.push_back(std::move(h));
    // else: `h` is destroyed here, closing its connections.
  }

  /// Returns a pooled handle when the send is over, whatever happens.
  class Lease {
   public:
    explicit Lease(Impl& impl) : impl_(impl), h_(impl.Acquire()) {}
    ~Lease() { impl_.Release(std::move(h_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Handle* get() const { return h_.get(); }

   private:
    Impl& impl_;
    HandlePtr h_;
  };

  /// CheckUrl, answered from the handle's last check when the URL is the same.
  result<Origin> CheckUrlCached(Handle& handle, const std::string& url) const {
    if (!handle.checked_url.empty() && handle.checked_url == url) return handle.checked_origin;
    FALTRAIN_TRY(Origin origin, CheckUrl(url, options.allow_plain_http_to_any_host));
    handle.checked_url = url;
    handle.checked_origin = origin;
    return origin;
  }

  /// Send on `handle`, following a GET's redirects; `stream` set for SendStreaming.
  result<HttpResponse> SendOn(Handle& handle, const HttpRequest& request, const StreamControl* stream);

  result<HttpResponse> Perform(CURL* h, const HttpRequest& request, const std::string& url,
                               bool send_authorization, const StreamControl* stream) {
    detail::Transfer transfer;
    struct Detach {  // the transfer dies with this frame
      CURL* h;
      ~Detach() { detail::DetachEasy(h); }
    } detach{h};
    FALTRAIN_TRYV(detail::PrepareEasy(h, request, url, send_authorization, options, transfer));
    if (stream != nullptr) detail::ApplyStreamOptions(h, *stream, transfer);
    const CURLcode rc = curl_easy_perform(h);
    ++counters.requests;
    long new_connections = 0;
    if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK) {
      counters.connections_opened += static_cast<std::uint64_t>(new_connections);
    }
    const bool consumer_stopped = rc == CURLE_WRITE_ERROR && transfer.stopped_by_consumer;
    if (rc != CURLE_OK && !consumer_stopped) {
      return fail(detail::MapCurlError(rc, h, transfer, to_string(request.method), url));
    }
    return detail::CollectResponse(h, transfer);
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options) {
  detail::CurlGlobalInitOnce();
  impl_ = std::make_unique<Impl>(std::move(options));
}

CurlTransport::~CurlTransport() = default;

CurlTransportStats CurlTransport::stats() const {
  CurlTransportStats s;
  s.requests = impl_->counters.requests.load();
  s.connections_opened = impl_->counters.connections_opened.load();
  s.handles_created = impl_->counters.handles_created.load();
  return s;
}

void CurlTransport::SendAsync(HttpRequest request, SendCallback done) {
  impl_->Multi().Start(std::move(request), std::move(done));
}

std::size_t CurlTransport::Drive(std::chrono::milliseconds max_wait) { return impl_->Multi().Drive(max_wait); }

// Makes the multi handle if need be: a Wakeup that came while another thread was still making it
// (in its first Drive) would otherwise be dropped, and that Drive would wait its whole max_wait.
// curl keeps a wake-up until the next poll, so one sent before Drive waits is not lost either.
void CurlTransport::Wakeup() { impl_->Multi().Wakeup(); }

std::size_t CurlTransport::in_flight() const {
  const detail::CurlMulti* multi = impl_->multi_made.load(std::memory_order_acquire);
  return multi != nullptr ? multi->pending() : 0;
}

result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  Impl::Lease lease(*impl_);
  if (lease.get() == nullptr) return fail(errc::network_error, "could not create a curl handle");
  return impl_->SendOn(*lease.get(), request, nullptr);
}

result<HttpResponse> CurlTransport::SendStreaming(const HttpRequest& request, const StreamControl& control) {
  if (control.cancel.cancelled()) return fail(errc::cancelled, "request cancelled before it was sent");
  // A handle of its own, never pooled: a stream holds its connection for minutes, and its
  // options (no total timeout, progress callback) must not reach other requests.
  Impl::HandlePtr handle = impl_->NewHandle();
  if (!handle) return fail(errc::network_error, "could not create a curl handle");
  return impl_->SendOn(*handle, request, &control);
}

bool CurlTransport::CanStream() const { return true; }

result<HttpResponse> CurlTransport::Impl::SendOn(Handle& handle, const HttpRequest& request,
                                                 const StreamControl* stream) {
  const bool any_host = options.allow_plain_http_to_any_host;
  CURL* const h = handle.easy.get();
  FALTRAIN_TRY(Origin origin, CheckUrlCached(handle, request.url));
  FALTRAIN_TRYV(detail::CheckHeaders(request.headers));

  std::string url = request.url;
  bool send_authorization = true;
  for (int hop = 0;; ++hop) {
    FALTRAIN_TRY(HttpResponse response, Perform(h, request, url, send_authorization, stream));
    const int s = response.status;
    const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    // Only GETs follow redirects: re-sending a POST elsewhere could start a second training.
    if (!redirect || request.method != HttpMethod::kGet || hop == detail::kMaxRedirects) return response;
    char* location = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) != CURLE_OK || location == nullptr) {
      return response;
    }
    std::string next_url(location);
    auto next = CheckUrl(next_url, any_host);
    if (!next) {
      error e = next.error();
      e.code = errc::http_error;
      e.http_status = s;
      e.message = fmt::format("GET {}: redirect refused: {}", detail::SafeUrl(url), e.message);
      return fail(std::move(e));
    }
    // Like curl itself: credentials are not sent to another origin.
    if (!detail::SameOrigin(origin, next.value())) send_authorization = false;
    origin = std::move(next).value();
    url = std::move(next_url);
  }
}

}  // namespace v1
}  // namespace faltrain
