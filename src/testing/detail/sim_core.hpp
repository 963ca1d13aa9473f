#pragma once
// The simulator's engine behind `SimTransport`: state, routing and the handlers of fal's queue,
// storage and JWKS endpoints, plus webhook scheduling. Split over sim_core.cpp (routing, auth,
// faults), sim_queue_api.cpp, sim_storage_api.cpp and sim_webhook_delivery.cpp. Private.

#include "testing/detail/sim_faults.hpp"
#include "testing/detail/sim_http.hpp"
#include "testing/detail/sim_lifecycle.hpp"
#include "testing/detail/sim_models.hpp"
#include "testing/detail/sim_random.hpp"
#include "testing/detail/sim_signer.hpp"
#include "testing/detail/sim_storage.hpp"

#include <faltrain/client/queue.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

enum class SimOutcome { kSuccess, kInvalidInput, kFailed, kCancelled };

/// One submitted request and everything about its (already decided) future.
struct SimRequest {
  std::string id;
  std::string endpoint_id;
  std::string app;  ///< "[ns/]owner/alias": where its status/result/cancel live
  std::string origin;
  std::string input;
  std::string webhook_url;
  SimModel model;
  SimTimeline timeline;
  std::vector<SimLogLine> logs;
  std::int64_t steps = 0;
  SimOutcome outcome = SimOutcome::kSuccess;
  std::string output_json;  ///< kSuccess
  int error_status = 0;     ///< the result's HTTP status otherwise
  std::string error_body;   ///< the result's JSON body otherwise
  std::string error_text;   ///< status `error` and webhook `error`
  std::string error_type;   ///< fal's documented `error_type` (status, result body, X-Fal-Error-Type), if any
  bool cancel_requested = false;
  bool webhook_payload_error = false;

  std::string ResponseUrl() const { return origin + "/" + app + "/requests/" + id; }
};

/// A status body as a poll at `now` gets it; with logs, only those after the first `first_log`
/// visible ones (a stream sends each log line once). Whether the URL asked for logs.
std::string StatusJson(const SimRequest& r, Clock::steady_time now, bool with_logs, std::size_t first_log);
bool WantsLogs(const SimUrl& url);
/// Log lines of `r` visible at `now`.
std::size_t VisibleLogs(const SimRequest& r, Clock::steady_time now);

/// One webhook to deliver (a duplicate is a second job).
struct SimWebhookJob {
  std::uint64_t serial = 0;
  std::string request_id;
  std::string url;
  std::string body;  ///< built at the first attempt
  Clock::steady_time due;
  std::chrono::milliseconds delay{0};  ///< after the request finishes (delay faults)
  int attempts = 0;
  bool in_flight = false;
  bool held = false;       ///< out-of-order: waits for another webhook to go first
  bool duplicate = false;  ///< deliver once more after success
};

/// Where one status stream stands (sim_status_stream.cpp).
struct SimStreamCursor {
  std::string request_id;
  std::string app;
  bool with_logs = false;
  bool sent_any = false;
  bool finished = false;  ///< the COMPLETED event was sent
  std::optional<Clock::steady_time> drop_at;  ///< a drop_connection fault cuts the stream then
  bool drop_after_first = false;             ///< ... or right after its first event
  std::string last_status;
  int last_position = -1;
  std::size_t logs_sent = 0;
};

class SimCore {
 public:
  SimCore(SimOptions options, std::shared_ptr<Clock> clock);
  ~SimCore();

  /// Answers `request`. A slow_response fault sleeps on the clock, or, when `deferred` is given,
  /// adds its delay there for the caller to apply (an event-driven server holds no thread).
  result<HttpResponse> Handle(const HttpRequest& request, std::chrono::milliseconds* deferred = nullptr);

  // Status streams (sim_status_stream.cpp).
  /// Whether `request` is a GET of a status stream.
  static bool IsStatusStream(const HttpRequest& request);
  /// Opens one: the response head (200 text/event-stream, or the error fal would answer, body
  /// included) and, for a 200, `cursor` set up.
  result<HttpResponse> OpenStatusStream(const HttpRequest& request, SimStreamCursor& cursor);
  /// The next SSE event when the status changed since the last one (always for the first); else
  /// nullopt, with `*next_change` when the request's state next changes by itself.
  std::optional<std::string> NextStreamEvent(SimStreamCursor& cursor, Clock::steady_time* next_change);
  Clock& clock() { return *clock_; }

  void AddFault(SimFault fault);
  void RotateSigningKey(bool keep_previous);
  std::string JwksJson() const;
  std::string PublicKeyBase64Url() const;
  std::vector<std::string> ReceivedSubmissions() const;

  // Webhooks (sim_webhook_delivery.cpp).
  std::size_t RunDue();
  std::optional<Clock::steady_time> NextDue() const;
  std::vector<SimWebhookAttempt> WebhookLog() const;
  void StartScheduler();
  void StopScheduler();

 private:
  enum class Route {
    kSubmit, kStatus, kResult, kCancel, kStatusStream,
    kInitiate, kInitiateMultipart, kUploadPut, kPartPut, kMultipartComplete, kFile, kJwks,
    kNotFound, kMethodNotAllowed,
  };
  struct Call {
    Route route = Route::kNotFound;
    SimOperation operation = SimOperation::kAny;
    std::string app;         ///< queue routes
    std::string request_id;  ///< queue routes
    std::string token;       ///< upload routes
    int part = 0;
  };
  static Call Classify(HttpMethod method, const SimUrl& url);
  /// Authorization and HTTP faults, before any route runs: the answer when the request ends there;
  /// else nullopt, with a fault still to apply (a dropped connection) in `fault`. A slow_response
  /// sleeps, or adds its delay to `deferred` when given (see `Handle`).
  std::optional<result<HttpResponse>> Admit(const HttpRequest& request, const SimUrl& url, const Call& call,
                                            std::optional<SimFault>& fault,
                                            std::chrono::milliseconds* deferred = nullptr);
  std::optional<HttpResponse> CheckAuthorization(const HttpRequest& request) const;
  void Emit(const std::string& line) const;
  std::string FileBase(const SimUrl& url) const;
  std::string NewRequestId(std::string_view avatar_id);

  // Queue API (sim_queue_api.cpp); called with mu_ held.
  HttpResponse Submit(const HttpRequest& request, const SimUrl& url);
  // Submit's steps, in the order Submit takes them.
  SimRequest NewSimRequest(const HttpRequest& request, const SimUrl& url, std::string endpoint_id,
                           const EndpointId& endpoint, SimModel model);
  std::chrono::milliseconds PlanTimeline(SimRequest& r, bool rejected) const;  ///< returns the run's length
  std::optional<SimFault> TakeSubmitFault(SimFaultKind kind, const SimRequest& r);
  std::vector<SimLogLine> RunLogs(const SimRequest& r);
  void FailMidRun(SimRequest& r, std::chrono::milliseconds run);
  void Complete(SimRequest& r, std::string_view file_base);
  void PlanWebhook(SimRequest& r);
  HttpResponse Enqueue(SimRequest r);
  HttpResponse Status(const Call& call, const SimUrl& url);
  HttpResponse Result(const Call& call);
  HttpResponse Cancel(const Call& call);
  SimRequest* FindRequest(const Call& call);
  void ScheduleWebhook(const SimRequest& request, std::chrono::milliseconds delay, bool held,
                       bool duplicate);
  void RescheduleWebhook(const SimRequest& request);

  // Storage API (sim_storage_api.cpp); called with mu_ held.
  HttpResponse Initiate(const HttpRequest& request, const SimUrl& url, bool multipart);
  HttpResponse UploadPut(const HttpRequest& request, const Call& call);
  HttpResponse PartPut(const HttpRequest& request, const Call& call);
  HttpResponse MultipartComplete(const HttpRequest& request, const Call& call);
  HttpResponse ServeFile(const SimUrl& url);
  HttpResponse Jwks() const;

  // Webhooks (sim_webhook_delivery.cpp).
  std::string WebhookBody(const SimRequest& request) const;
  result<HttpRequest> SignedWebhook(const SimWebhookJob& job);
  void FinishAttempt(std::uint64_t serial, bool delivered);
  Transport& WebhookTransport();
  void SchedulerLoop();

  SimOptions options_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<const TrainerRegistry> trainers_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  SimRandom random_;
  std::map<std::string, SimRequest, std::less<>> requests_;
  std::vector<std::string> received_;
  SimStorage storage_;
  SimFaultTable faults_;
  std::vector<SimSigner> signers_;  ///< front = current; the rest stay in the JWKS
  std::vector<SimWebhookJob> webhooks_;
  std::uint64_t next_serial_ = 1;
  std::vector<SimWebhookAttempt> webhook_log_;
  std::shared_ptr<Transport> webhook_transport_;

  std::thread scheduler_;
  bool stopping_ = false;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
