#pragma once
// An in-process HTTP server that behaves like fal's queue and storage APIs, listening on 127.0.0.1
// with an ephemeral port, with switchable faults. For integration tests and benchmarks.
//
//   faltrain_testing::FakeFalServer server;              // started, stopped by the destructor
//   config.endpoints.queue_url = server.base_url();      // queue and storage share the one port
//   server.AddFault(Route::kSubmit, Fault::DropConnection());
//
// Queue behaviour (paths as fal's): POST /<endpoint id> answers IN_QUEUE with a request id and
// status/response/cancel URLs pointing back here. Each request then walks a script of status polls:
// `polls_in_queue` answers of 202 IN_QUEUE, `polls_in_progress` of 202 IN_PROGRESS (with logs when
// asked with ?logs=1), then 200 COMPLETED. The result is served once COMPLETED; cancel answers 202
// CANCELLATION_REQUESTED before that and 400 ALREADY_COMPLETED after.
// Storage: POST /storage/upload/initiate → {upload_url, file_url}; PUT <upload_url> stores the bytes;
// GET <file_url> serves them back. Multipart (fal-js flavour): POST .../initiate-multipart, then
// PUT <upload_url path>/<n>?<query> per part (answers an ETag), then POST <path>/complete with
// {"parts":[{"partNumber","etag"}]}, which joins the parts in order.
// Extra route for transport tests: GET|POST /redirect?to=<url>&code=<3xx>.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain_testing {

enum class Route {
  kSubmit,
  kStatus,
  kResult,
  kCancel,
  kUploadInitiate,  ///< single and multipart initiate
  kUploadPut,       ///< whole file or one multipart part
  kUploadComplete,  ///< multipart completion
  kFile,
  kRedirect,
};

/// Something the server does instead of (or before) answering normally. Faults of one route are
/// applied in the order added; each hits `times` requests (-1 = every request) and is then gone.
struct Fault {
  enum class Kind {
    kUnauthorized,    ///< 401 {"detail": "No user found for Key ID and Secret"}
    kValidation,      ///< 422 {"detail": [{"loc": [...], "msg": ..., "type": ...}]}
    kRateLimited,     ///< 429 with Retry-After
    kUnavailable,     ///< 503 runner_scheduling_failure (+ X-Fal-Error-Type)
    kDropConnection,  ///< reads the whole request, records it, closes the socket without answering
    kSlow,            ///< waits `delay`, then answers normally
    kMalformedJson,   ///< 200 (202 for status) with truncated JSON
    kHugeBody,        ///< 200 with a JSON body of `body_bytes` bytes
  };
  Kind kind = Kind::kUnavailable;
  int times = -1;
  std::chrono::milliseconds delay{0};  ///< kSlow
  int retry_after_seconds = 0;         ///< kRateLimited
  std::size_t body_bytes = 0;          ///< kHugeBody
  bool chunked = false;                ///< kHugeBody: no Content-Length, sent in chunks

  static Fault Unauthorized(int times = -1);
  static Fault Validation(int times = -1);
  static Fault RateLimited(int retry_after_seconds, int times = 1);
  static Fault Unavailable(int times = 1);
  static Fault DropConnection(int times = 1);
  static Fault Slow(std::chrono::milliseconds delay, int times = -1);
  static Fault MalformedJson(int times = -1);
  static Fault HugeBody(std::size_t bytes, bool chunked = false, int times = -1);
};

/// One request as the server saw it.
struct ReceivedRequest {
  Route route = Route::kSubmit;
  std::string method;
  std::string path;    ///< without the query
  std::string target;  ///< path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::multimap<std::string, std::string> params;  ///< decoded query parameters
  std::string body;
  int remote_port = 0;
  bool tls_session_reused = false;  ///< TLS only: the handshake resumed an earlier session

  /// The first value of a header (any case), if sent.
  std::optional<std::string> Header(std::string_view name) const;
  std::string Param(const std::string& name) const;
};

struct FakeFalServerOptions {
  int polls_in_queue = 1;
  int polls_in_progress = 1;
  /// Accepted `Authorization: Key <...>` value; empty accepts any key.
  std::string expected_key;
  /// The result JSON of every completed request; empty = a flux LoRA trainer output.
  std::string result_json;
  /// Keep every request for `received()`; benchmarks turn it off (counters still count).
  bool record_requests = true;
  /// Serve HTTPS with this PEM certificate and key (see test_certificate.hpp); empty = plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class FakeFalServer {
 public:
  explicit FakeFalServer(FakeFalServerOptions options = {});
  ~FakeFalServer();
  FakeFalServer(const FakeFalServer&) = delete;
  FakeFalServer& operator=(const FakeFalServer&) = delete;

  int port() const;
  /// "http://127.0.0.1:<port>" ("https://..." with TLS): use as both queue and rest URL.
  std::string base_url() const;

  void AddFault(Route route, Fault fault);
  void ClearFaults();
  /// Status script for requests submitted from now on.
  void SetStatusScript(int polls_in_queue, int polls_in_progress);

  /// Requests received on `route`, faulted or not.
  int count(Route route) const;
  std::vector<ReceivedRequest> received() const;
  std::vector<ReceivedRequest> received(Route route) const;
  /// Distinct client connections seen (by remote port): shows keep-alive at work.
  std::size_t connections_seen() const;
  /// The bytes PUT to an upload URL, by the file URL that initiate returned.
  std::optional<std::string> uploaded(const std::string& file_url) const;
  /// Forgets received requests and counters (not jobs, faults or uploads).
  void ResetCounters();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The result JSON served when `FakeFalServerOptions::result_json` is empty.
std::string DefaultTrainingResultJson(std::string_view base_url);

/// A port on 127.0.0.1 that nothing listens on (bound, then closed): connecting is refused.
int UnusedLoopbackPort();

}  // namespace faltrain_testing
