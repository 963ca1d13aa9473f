#pragma once
// A load of signed webhooks against faltrain-webhook-receiver processes, for the crash and
// multi-instance tests: the TRAINING jobs they answer, the delivery order with fal's duplicates,
// sender threads that retry like fal while receivers die and come back, and the checks afterwards.

#include "support/receiver_process.hpp"
#include "support/webhook_test_signer.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/client/result.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

struct Delivery {
  std::string request_id;
  std::string body;
  bool ok = true;  // the webhook reports a result (job COMPLETED), else an error (job FAILED)
  int target = 0;  // the receiver it goes to
  std::string path = "/webhook/fal/status";  // the request target (a job token rides in its query)
};

/// Creates `n` jobs in TRAINING, request ids "<prefix>-0" ..., as a bot leaves them after submitting,
/// and the webhook each will get: every fifth an error with a 422 detail, the rest a result whose
/// seed is beyond int64. Delivery i goes to receiver i % receivers.
faltrain::result<std::vector<Delivery>> SeedTrainingJobs(faltrain::JobStore& store,
                                                         const std::string& prefix, int n,
                                                         int receivers = 1);

/// Every delivery once and every third one twice (fal retries after a lost 200, or duplicates), the
/// second time to the next receiver; shuffled by `seed`.
std::deque<Delivery> DeliveryOrder(const std::vector<Delivery>& deliveries, int receivers, unsigned seed);

struct SenderOptions {
  int threads = 4;
  std::string user_id = "test-user";  // X-Fal-Webhook-User-Id
  std::chrono::seconds read_timeout{5};
  std::chrono::milliseconds retry_pause{10};
  /// Retry a 503 (the receiver's database is away, as during a restart), as fal does; otherwise a 503
  /// is a rejection like any other status but 200.
  bool retry_unavailable = false;
  /// One delivery that is still not acknowledged after this is given up, as a rejection.
  std::chrono::seconds give_up_after{60};
};

/// Threads that POST the queued webhooks, signed with `signer`, to their receivers until each is
/// acknowledged with 200: while a receiver is down (port 0, or the connection lost) they retry. An
/// unexpected status stops that thread and counts as rejected.
class WebhookSenders {
 public:
  WebhookSenders(const webhook_test::Signer& signer, std::vector<const ReceiverProcess*> receivers,
                 std::deque<Delivery> queue, SenderOptions options);
  ~WebhookSenders();  // joins
  WebhookSenders(const WebhookSenders&) = delete;
  WebhookSenders& operator=(const WebhookSenders&) = delete;

  /// Blocks until `n` deliveries are acknowledged, or one is rejected.
  void WaitAcked(int n) const;
  /// Blocks until every thread has finished.
  void Join();

  int acked() const { return acked_; }
  int duplicates_acked() const { return duplicates_acked_; }  // answered "duplicate"
  int failed_attempts() const { return failed_attempts_; }    // no answer: retried
  int unavailable() const { return unavailable_; }            // 503: retried
  int rejected() const { return rejected_; }

 private:
  void Run();
  bool Send(const Delivery& d);  // false: rejected, stop

  const webhook_test::Signer& signer_;
  std::vector<const ReceiverProcess*> receivers_;
  SenderOptions options_;
  std::mutex mu_;
  std::deque<Delivery> queue_;
  std::atomic<int> acked_{0}, duplicates_acked_{0}, failed_attempts_{0}, unavailable_{0}, rejected_{0};
  std::vector<std::thread> threads_;  // last: started once everything above exists
};

/// Failed checks, each printed to stderr with its reason as it happens.
class Verdict {
 public:
  void Check(bool ok, const std::string& what);
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

struct StoreTally {
  std::size_t inbox = 0;        // events recorded
  std::size_t unprocessed = 0;  // of them not yet processed
  int completed = 0, failed = 0;
};

/// The store after the load: the inbox holds exactly one event per delivery, with its exact body, all
/// applied; each job is final with its webhook's outcome, its notification claimed and, when
/// completed, its output intact (the seed beyond int64 kept to the digit).
StoreTally CheckStore(faltrain::JobStore& store, const std::vector<Delivery>& deliveries, Verdict& verdict);

struct NotificationTally {
  std::size_t jobs = 0;  // notified at least once
  int twice = 0;         // notified more than once
  int lost = 0;          // of `n` jobs, never notified
};

/// True when every final job's notification is confirmed (`notified_at` set).
bool AllNotified(faltrain::JobStore& store);

/// Reads the receivers' shared notification list (receiver_process.hpp) for `n` jobs.
NotificationTally CountNotifications(const std::filesystem::path& notified_file, int n);

}  // namespace test_support
