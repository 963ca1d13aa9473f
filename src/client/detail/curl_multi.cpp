#include "client/detail/curl_multi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// One request on the concurrent path: what it asked, where it is now (redirects), and the state
/// curl writes into while it runs. Heap-allocated: the handle points into `transfer`.
struct CurlMulti::Job {
  HttpRequest request;
  SendCallback done;
  std::string url;
  Origin origin;
  bool send_authorization = true;
  int hop = 0;
  Transfer transfer;
  EasyPtr easy;
};

CurlMulti::CurlMulti(const CurlTransportOptions& options, CURLSH* share, CurlCounters& counters)
    : options_(options), share_(share), counters_(counters), multi_(curl_multi_init()) {
  if (multi_ == nullptr) return;
  const long per_host = static_cast<long>(std::max<std::size_t>(1, options_.max_connections_per_host));
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, per_host);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, per_host);  // idle connections kept
}

CurlMulti::~CurlMulti() {
  for (auto& [easy, job] : running_) curl_multi_remove_handle(multi_, easy);
  running_.clear();
  idle_.clear();
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

void CurlMulti::Start(HttpRequest request, SendCallback done) {
  auto job = std::make_unique<Job>();
  job->request = std::move(request);
  job->done = std::move(done);
  ++pending_;
  bool driver_waiting = false;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    queued_.push_back(std::move(job));
    driver_waiting = waiting_;
  }
  // Only a waiting driver needs the wake-up (a write to curl's socket pair, and a read on the
  // other side); one that is not waiting sees the queue before it waits (see Wait). The driving
  // thread itself, starting polls from its callbacks, never pays for one.
  if (driver_waiting) Wakeup();
}

void CurlMulti::Wakeup() {
  if (multi_ != nullptr) curl_multi_wakeup(multi_);
}

std::size_t CurlMulti::pending() const { return pending_.load(); }

std::size_t CurlMulti::Limit() const { return std::max<std::size_t>(1, options_.max_in_flight); }

EasyPtr CurlMulti::AcquireEasy() {
  if (!idle_.empty()) {
    EasyPtr easy = std::move(idle_.back());
    idle_.pop_back();
    return easy;
  }
  EasyPtr easy(curl_easy_init());
  if (!easy) return nullptr;
  ++counters_.handles_created;
  if (!ConfigureEasy(easy.get(), options_, share_)) return nullptr;
  // HTTP/2 over TLS when offered (plain http stays HTTP/1.1).
  curl_easy_setopt(easy.get(), CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  return easy;
}

bool CurlMulti::Begin(JobPtr job) {
  if (multi_ == nullptr) {
    Complete(std::move(job), fail(errc::network_error, "could not create a curl multi handle"));
    return false;
  }
  if (job->hop == 0) {
    auto origin = CheckUrl(job->request.url, options_.allow_plain_http_to_any_host);
    if (!origin) {
      Complete(std::move(job), fail(std::move(origin).error()));
      return false;
    }
    if (auto headers = CheckHeaders(job->request.headers); !headers) {
      Complete(std::move(job), fail(std::move(headers).error()));
      return false;
    }
    job->origin = std::move(origin).value();
    job->url = job->request.url;
  }
  if (!job->easy) job->easy = AcquireEasy();
  if (!job->easy) {
    Complete(std::move(job), fail(errc::network_error, "could not create a curl handle"));
    return false;
  }
  CURL* easy = job->easy.get();
  if (auto prepared = PrepareEasy(easy, job->request, job->url, job->send_authorization, options_, job->transfer);
      !prepared) {
    Complete(std::move(job), fail(std::move(prepared).error()));
    return false;
  }
  // Over TLS a new transfer waits for a connection that may multiplex (HTTP/2) rather than open
  // one more; plain HTTP/1.1 never multiplexes, so waiting would only serialise.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, job->origin.scheme == "https" ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, job.get());
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    Complete(std::move(job), fail(errc::network_error, "could not start a curl transfer"));
    return false;
  }
  running_.emplace(easy, std::move(job));
  return true;
}

std::size_t CurlMulti::Launch() {
  std::size_t finished = 0;
  while (running_.size() < Limit()) {
    JobPtr job;
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      if (queued_.empty()) break;
      job = std::move(queued_.front());
      queued_.pop_front();
    }
    if (!Begin(std::move(job))) ++finished;
  }
  return finished;
}

bool CurlMulti::Follow(Job& job, const HttpResponse& response) {
  const int s = response.status;
  const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
  if (!redirect || job.request.method != HttpMethod::kGet || job.hop == kMaxRedirects) return false;
  char* location = nullptr;
  if (curl_easy_getinfo(job.easy.get(), CURLINFO_REDIRECT_URL, &location) != CURLE_OK || location == nullptr) {
    return false;
  }
  std::string next_url(location);
  auto next = CheckUrl(next_url, options_.allow_plain_http_to_any_host);
  if (!next) return false;  // Complete reports the refusal (see Harvest)
  if (!SameOrigin(job.origin, next.value())) job.send_authorization = false;
  job.origin = std::move(next).value();
  job.url = std::move(next_url);
  ++job.hop;
  job.transfer.body.clear();
  job.transfer.headers.clear();
  job.transfer.too_large = false;
  return true;
}

std::size_t CurlMulti::Harvest() {
  std::size_t finished = 0;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode rc = message->data.result;
    curl_multi_remove_handle(multi_, easy);
    auto it = running_.find(easy);
    if (it == running_.end()) continue;
    JobPtr job = std::move(it->second);
    running_.erase(it);
    ++counters_.requests;
    long connects = 0;
    if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
      counters_.connections_opened += static_cast<std::uint64_t>(connects);
    }
    if (rc != CURLE_OK) {
      error e = MapCurlError(rc, easy, job->transfer, to_string(job->request.method), job->url);
      Complete(std::move(job), fail(std::move(e)));
      ++finished;
      continue;
    }
    HttpResponse response = CollectResponse(easy, job->transfer);
    const std::string previous_url = job->url;
    if (Follow(*job, response)) {
      if (!Begin(std::move(job))) ++finished;
      continue;
    }
    const int s = response.status;
    const bool refused_redirect = job->request.method == HttpMethod::kGet && job->hop < kMaxRedirects &&
                                  (s == 301 || s == 302 || s == 303 || s == 307 || s == 308);
    char* location = nullptr;
    if (refused_redirect && curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
        location != nullptr) {
      auto check = CheckUrl(location, options_.allow_plain_http_to_any_host);
      error e = check ? error{} : check.error();
      if (!check) {
        e.code = errc::http_error;
        e.http_status = s;
        e.message = fmt::format("GET {}: redirect refused: {}", SafeUrl(previous_url), e.message);
        Complete(std::move(job), fail(std::move(e)));
        ++finished;
        continue;
      }
    }
    Complete(std::move(job), std::move(response));
    ++finished;
  }
  return finished;
}

void CurlMulti::Complete(JobPtr job, result<HttpResponse> outcome) {
  if (job->easy) {
    DetachEasy(job->easy.get());
    if (idle_.size() < Limit()) idle_.push_back(std::move(job->easy));
  }
  SendCallback done = std::move(job->done);
  job.reset();
  --pending_;
  if (done) done(std::move(outcome));
}

void CurlMulti::Wait(std::chrono::milliseconds max_wait) {
  {
    // Checked and flagged under the queue's lock: a Start either came before (its request is seen
    // here, no wait) or sees the flag and wakes the poll below (curl keeps a wake-up that comes
    // before the poll for it).
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!queued_.empty() && running_.size() < Limit()) return;  // running_: the driver's own
    waiting_ = true;
  }
  curl_multi_poll(multi_, nullptr, 0,
                  static_cast<int>(std::min<std::chrono::milliseconds::rep>(max_wait.count(), 24 * 3600 * 1000)),
                  nullptr);
  std::lock_guard<std::mutex> lock(queue_mu_);
  waiting_ = false;
}

std::size_t CurlMulti::Drive(std::chrono::milliseconds max_wait) {
  std::lock_guard<std::mutex> lock(drive_mu_);
  std::size_t finished = Launch();
  if (multi_ == nullptr) return finished;
  // One wait and one curl_multi_perform per Drive, like a plain curl multi loop: the perform walks
  // every transfer in flight, so it is the cost that counts. curl_multi_poll returns at once when a
  // socket is ready or a transfer just added needs its first step (curl's own timer).
  if (finished == 0 && max_wait.count() > 0) Wait(max_wait);
  int still_running = 0;
  curl_multi_perform(multi_, &still_running);
  finished += Harvest();
  // Slots freed by finished transfers go to queued ones now; they take their first step in the
  // next Drive.
  finished += Launch();
  return finished;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
