#pragma once
// CurlTransport's concurrent path: many transfers in flight on one curl multi handle, driven by
// whichever thread calls Drive. Connections are pooled by the multi handle (HTTP/2 multiplexing
// where the server offers it, a bounded keep-alive pool otherwise); at most `max_in_flight`
// transfers hold an easy handle, the rest wait in a queue as plain requests.

#include "client/detail/curl_easy.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace faltrain {
inline namespace v1 {
namespace detail {

class CurlMulti {
 public:
  CurlMulti(const CurlTransportOptions& options, CURLSH* share, CurlCounters& counters);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  /// Queues a request (any thread); `done` runs in a later Drive.
  void Start(HttpRequest request, SendCallback done);
  /// Starts queued transfers, waits up to `max_wait` for progress (less once one finished or
  /// Wakeup is called) and runs the callbacks of finished ones. Returns how many finished.
  std::size_t Drive(std::chrono::milliseconds max_wait);
  /// Makes a waiting Drive return: the one waiting now, or else the next one to wait.
  void Wakeup();
  /// Requests queued or running.
  std::size_t pending() const;

 private:
  struct Job;
  using JobPtr = std::unique_ptr<Job>;

  std::size_t Limit() const;             // transfers running at once
  std::size_t Launch();                  // queued -> running, up to the limit
  bool Begin(JobPtr job);                // false if it finished at once (bad URL, ...)
  std::size_t Harvest();                 // finished transfers -> callbacks
  bool Follow(Job& job, const HttpResponse& response);  // a GET redirect: true if re-sent
  void Complete(JobPtr job, result<HttpResponse> outcome);
  EasyPtr AcquireEasy();
  void Wait(std::chrono::milliseconds max_wait);  // for socket activity, a timer, Start or Wakeup

  const CurlTransportOptions& options_;
  CURLSH* share_;
  CurlCounters& counters_;
  CURLM* multi_ = nullptr;

  mutable std::mutex queue_mu_;
  std::deque<JobPtr> queued_;           // from Start, any thread
  bool waiting_ = false;                // (queue_mu_) Drive is in, or entering, curl_multi_poll
  std::mutex drive_mu_;                 // one driver at a time
  std::unordered_map<CURL*, JobPtr> running_;
  std::vector<EasyPtr> idle_;           // configured handles for the next transfers
  std::atomic<std::size_t> pending_{0};
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
