// faltrain-webhook-receiver: fal's `POST /webhook/fal/status` on the event-driven async_http server.
//
// verify (on an I/O thread) → queue for the inbox's group commit → 200 once the transaction holding
// the event committed (no thread waits meanwhile); a background worker turns recorded events into
// job updates and notifications; SIGINT/SIGTERM stop accepting, finish recorded work and exit.
// Public API only (plus the examples' async_http server).

#include "fault_point.hpp"
#include "job_store_url.hpp"
#include "receiver_options.hpp"
#include "shell_notifier.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/test_mode.hpp>
#include <faltrain/client/curl_transport.hpp>
#include <faltrain/jobs/processor.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>
#include <faltrain/webhooks/handler.hpp>

#include "async_http/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace {

using faltrain::LogLevel;

std::mutex log_mu;
bool quiet = false;

void Log(LogLevel level, std::string_view message) {
  if (quiet && level < LogLevel::kError) return;
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);  // std::gmtime shares one buffer between threads
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::lock_guard<std::mutex> lock(log_mu);
  std::cerr << stamp << " [" << faltrain::to_string(level) << "] " << message << std::endl;
}

faltrain::HttpHeaders ToHeaders(const async_http::Headers& in) {
  faltrain::HttpHeaders out;
  for (const auto& [name, value] : in) out.Add(name, value);
  return out;
}

async_http::Response JsonResponse(int status, std::string body) {
  return async_http::Response::Text(status, std::move(body), "application/json");
}

// Wakes the worker when something was recorded, or when it is time to stop.
struct WorkSignal {
  std::mutex mu;
  std::condition_variable cv;
  bool pending = false;
  bool stopping = false;

  void Notify() {
    { std::lock_guard<std::mutex> lock(mu); pending = true; }
    cv.notify_one();
  }
  void Stop() {
    { std::lock_guard<std::mutex> lock(mu); stopping = true; }
    cv.notify_one();
  }
  /// Waits for work or up to `timeout`; returns false once stopping.
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, timeout, [this] { return pending || stopping; });
    pending = false;
    return !stopping;
  }
};

// Processes the inbox until it is empty (or only holds events that keep failing for now).
std::size_t Drain(faltrain::JobProcessor& processor) {
  std::size_t total = 0;
  for (;;) {
    auto n = processor.ProcessInbox();
    if (!n) {
      Log(LogLevel::kError, "processing the inbox failed: " + n.error().message);
      break;
    }
    total += n.value();
    if (n.value() == 0) break;
  }
  if (auto pending = processor.NotifyPending(); !pending) {
    Log(LogLevel::kError, "sending pending notifications failed: " + pending.error().message);
  }
  return total;
}

faltrain::result<std::shared_ptr<faltrain::JwksCache>> MakeKeys(const ReceiverOptions& o,
                                                                const faltrain::ClientOptions& config) {
  if (!o.jwks_file.empty()) {
    std::ifstream in(o.jwks_file, std::ios::binary);
    if (!in) return faltrain::fail(faltrain::errc::io_error, "cannot read " + o.jwks_file);
    std::stringstream text;
    text << in.rdbuf();
    return faltrain::JwksCache::StaticFromJwks(text.str());
  }
  faltrain::JwksCacheOptions options;
  options.url = o.jwks_url.empty() ? config.endpoints.jwks_url : o.jwks_url;
  Log(LogLevel::kInfo, "webhook keys from " + options.url);
  return faltrain::JwksCache::Fetching(std::make_shared<faltrain::CurlTransport>(), options);
}

// Counters for /healthz and the final log line; written by HTTP workers and the processor.
struct Counters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> notifications{0};
};

// What serves the webhook and what works through the inbox afterwards.
struct Services {
  std::shared_ptr<faltrain::JobStore> store;
  std::unique_ptr<faltrain::WebhookHandler> handler;
  std::shared_ptr<faltrain::JobProcessor> processor;
  std::unique_ptr<faltrain::JobReconciler> reconciler;  ///< unless --no-reconcile
};

int Fail(const std::string& message, int exit_code) {
  Log(LogLevel::kError, message);
  return exit_code;
}

// Signals are taken by one thread with sigwait; every thread started later inherits the mask.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

faltrain::result<std::shared_ptr<faltrain::JobStore>> OpenStore(const ReceiverOptions& o) {
  faltrain::SqliteJobStoreOptions store_options;
  store_options.synchronous_full = o.durable_full;
  return faltrain_examples::OpenJobStoreUrl(o.db_path, store_options);
}

faltrain::result<std::unique_ptr<faltrain::WebhookHandler>> MakeHandler(
    const ReceiverOptions& o, const faltrain::ClientOptions& config,
    std::shared_ptr<faltrain::JobStore> store) {
  FALTRAIN_TRY(auto keys, MakeKeys(o, config));
  faltrain::WebhookVerifierOptions verifier_options;
  verifier_options.pinned_user_id = o.pinned_user_id;
  verifier_options.parse.max_bytes = o.max_body_bytes;
  auto verifier = std::make_shared<faltrain::WebhookVerifier>(keys, verifier_options);
  faltrain::WebhookHandlerOptions handler_options;
  handler_options.max_body_bytes = o.max_body_bytes;
  handler_options.max_pending_records = o.max_pending;
  handler_options.job_token_secret = o.job_token_secret;
  return std::make_unique<faltrain::WebhookHandler>(verifier, std::move(store), handler_options);
}

// Logs each finished job and runs --notify-command for it. At least once: the notification counts
// as sent only when the command succeeded.
faltrain::JobNotifier MakeNotifier(const ReceiverOptions& o, Counters& counters) {
  return [command = o.notify_command, &counters](const faltrain::JobNotification& n) -> faltrain::result<void> {
    const faltrain::Job& job = n.job;
    ++counters.notifications;
    std::string line = "notify: job " + std::to_string(job.id) + " \"" + job.name + "\" of user " +
                       job.user_id + " is " + std::string(faltrain::to_string(job.status)) +
                       " (request " + job.handle.request_id + ")";
    if (!job.error.empty()) line += ": " + job.error;
    Log(LogLevel::kInfo, line);
    FaultPoint("before_notify");  // the job is final, its notification leased
    if (!command.empty()) {
      int rc = RunNotifyCommand(command, n);
      if (rc != 0) {
        return faltrain::fail(faltrain::errc::io_error, "notify command exited with " + std::to_string(rc));
      }
    }
    FaultPoint("after_notify");  // sent, not yet confirmed
    return faltrain::success();
  };
}

// Store, handler, processor and reconciler; on failure, the exit code (after logging why).
faltrain::result<Services> StartServices(const ReceiverOptions& o, const faltrain::ClientOptions& config,
                                         Counters& counters, int& exit_code) {
  Services s;
  exit_code = 1;
  FALTRAIN_TRY(s.store, OpenStore(o));
  FALTRAIN_TRY(s.handler, MakeHandler(o, config, s.store));
  // A client lets the processor fetch results fal could not put in the webhook, and the reconciler
  // poll fal. It needs a key (or test mode); without one those two features are off.
  std::optional<faltrain::TrainingClient> client;
  if (auto created = faltrain::CreateTrainingClient(config)) {
    client = *std::move(created);
  } else if (o.reconcile_after.count() > 0) {
    Log(LogLevel::kWarning, "no fal client (" + created.error().message +
                                "): the reconciler only resolves SUBMITTING and PENDING jobs");
  }
  faltrain::JobProcessorOptions processor_options;
  processor_options.log = Log;
  processor_options.batch_size = 512;  // one claim and one completing transaction per 512 events
  s.processor = std::make_shared<faltrain::JobProcessor>(s.store, MakeNotifier(o, counters),
                                                         processor_options, client);
  if (o.reconcile_after.count() > 0) {
    faltrain::JobReconcilerOptions reconciler_options;
    reconciler_options.stale_after = o.reconcile_after;
    reconciler_options.submit_timeout = o.submit_timeout;
    reconciler_options.pending_timeout = o.submit_timeout;
    reconciler_options.log = Log;
    s.reconciler =
        std::make_unique<faltrain::JobReconciler>(s.store, s.processor, client, reconciler_options);
  }
  // Claims left by a killed predecessor are void (PostgreSQL keeps those of live neighbours), and
  // the notifications it leased but never confirmed go out again now, not after their lease.
  FALTRAIN_TRYV(s.store->ReleaseWebhookClaims());
  FALTRAIN_TRYV(s.store->ReleaseNotificationClaims());
  return s;
}

// Processing is background work: fal waits for the webhook answers, not for job updates. The
// worker lets events gather for a moment, so that one claim and one transaction cover many (not a
// lower thread priority: it holds the store's connection while it works, and the group commit
// waiting behind a preempted worker would delay every answer in the batch).
constexpr std::chrono::milliseconds kGatherEvents{20};

// Works through the inbox whenever something was recorded (and every second), reconciling every
// `reconcile_every`; once stopping, everything recorded so far is processed before it returns.
std::thread StartWorker(WorkSignal& work, const Services& s, std::chrono::seconds reconcile_every) {
  return std::thread([&work, &s, reconcile_every] {
    auto last_reconcile = std::chrono::steady_clock::now();
    bool running = true;
    while (running) {
      running = work.Wait(std::chrono::seconds(1));
      if (running) std::this_thread::sleep_for(kGatherEvents);
      Drain(*s.processor);
      if (s.reconciler && std::chrono::steady_clock::now() - last_reconcile >= reconcile_every) {
        last_reconcile = std::chrono::steady_clock::now();
        if (auto r = s.reconciler->RunOnce(); !r) Log(LogLevel::kError, "reconciler: " + r.error().message);
      }
    }
    Drain(*s.processor);
  });
}

async_http::ServerOptions ServerOptionsFor(const ReceiverOptions& o) {
  async_http::ServerOptions options;
  options.address = o.host;
  options.port = static_cast<unsigned short>(o.port);
  options.io_threads = o.threads;
  options.backlog = 4096;  // fal's retries and bursts queue in the kernel, not as refused connections
  // The server answers 413 itself far beyond the limit; the handler gives the JSON 413 near it.
  options.max_body_bytes = o.max_body_bytes * 2 + 4096;
  options.idle_timeout = std::chrono::seconds(30);
  return options;
}

// Every method goes to the handler, which answers 405 (with Allow) to all but POST. The reply is
// sent when the inbox has made the event durable; the I/O thread serves others meanwhile.
void ServeWebhook(async_http::Request& req, const async_http::Responder& responder,
                  const faltrain::WebhookHandler& handler, WorkSignal& work, Counters& counters) {
  handler.HandleAsync(
      req.method, req.target, ToHeaders(req.headers), std::move(req.body),
      [responder, &work, &counters](faltrain::WebhookReply reply) {
        if (reply.status == 200) FaultPoint("after_record");  // recorded, not yet acknowledged
        auto response = JsonResponse(reply.status, std::move(reply.body));
        if (!reply.allow.empty()) response.headers.emplace_back("Allow", reply.allow);
        responder.Send(std::move(response));
        if (reply.status == 200) {
          ++counters.accepted;
          if (reply.job_token == faltrain::JobTokenCheck::kRejected) {
            Log(LogLevel::kWarning, "webhook job token did not verify: ignored (the event is matched by request id)");
          }
          if (!reply.duplicate) work.Notify();
          return;
        }
        ++counters.rejected;
        Log(reply.status >= 500 ? LogLevel::kError : LogLevel::kWarning,
            "webhook rejected " + std::to_string(reply.status) + ": " + reply.reason);
      });
}

async_http::Response Health(faltrain::JobStore& store, const Counters& counters) {
  auto total = store.CountWebhooks(false);
  auto unprocessed = store.CountWebhooks(true);
  if (!total || !unprocessed) return JsonResponse(503, R"({"status":"storage unavailable"})");
  return JsonResponse(200, "{\"status\":\"ok\",\"inbox_total\":" + std::to_string(total.value()) +
                               ",\"inbox_unprocessed\":" + std::to_string(unprocessed.value()) +
                               ",\"accepted\":" + std::to_string(counters.accepted.load()) +
                               ",\"rejected\":" + std::to_string(counters.rejected.load()) +
                               ",\"notifications\":" + std::to_string(counters.notifications.load()) + "}");
}

// The receiver's routes: the webhook path, /healthz, and with --bench-routes POST /bench/ok (the
// load-test baseline: the same server, no verification, no storage).
async_http::Handler Routes(const ReceiverOptions& o, Services& s, WorkSignal& work, Counters& counters) {
  return [path = o.path, bench = o.bench_routes, &s, &work, &counters](async_http::Request req,
                                                                       async_http::Responder responder) {
    const std::string_view route = req.Path();
    if (route == path) return ServeWebhook(req, responder, *s.handler, work, counters);
    if (route == "/healthz" && req.method == "GET") return responder.Send(Health(*s.store, counters));
    if (bench && route == "/bench/ok" && req.method == "POST") {
      return responder.Send(JsonResponse(200, R"({"status":"accepted"})"));
    }
    responder.Send(JsonResponse(404, R"({"error":"not found"})"));
  };
}

void AnnounceListening(const ReceiverOptions& o, int port) {
  std::cout << "faltrain-webhook-receiver listening on http://" << o.host << ":" << port << o.path
            << std::endl;
  if (o.port_file.empty()) return;
  // Written whole then renamed, so a reader never sees a partial port.
  const std::string tmp = o.port_file + ".tmp";
  { std::ofstream(tmp) << port << "\n"; }
  std::filesystem::rename(tmp, o.port_file);
}

// Waits for SIGINT/SIGTERM.
void WaitForStopSignal(const sigset_t& signals) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) == 0 && (sig == SIGINT || sig == SIGTERM)) {
      Log(LogLevel::kInfo, std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
      return;
    }
  }
}

void LogSummary(faltrain::JobStore& store, const Counters& counters) {
  auto unprocessed = store.CountWebhooks(true);
  Log(LogLevel::kInfo, "stopped: " + std::to_string(counters.accepted.load()) + " accepted, " +
                           std::to_string(counters.rejected.load()) + " rejected, " +
                           (unprocessed ? std::to_string(unprocessed.value()) : std::string("?")) +
                           " left unprocessed");
}

// Serves until a signal stops the server; the worker finishes recorded work before this returns.
int Serve(const ReceiverOptions& o, const sigset_t& signals, Services& services, Counters& counters) {
  WorkSignal work;
  auto server = async_http::Server::Start(ServerOptionsFor(o), Routes(o, services, work, counters));
  if (!server) {
    Log(LogLevel::kError, "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                              server.error().message);
    return 1;
  }
  AnnounceListening(o, server.value()->port());
  // The worker starts once the port is announced: recovery work (events recorded before a crash,
  // notifications left unconfirmed) never delays, or dies before, the announcement.
  std::thread worker = StartWorker(work, services, o.reconcile_every);
  work.Notify();
  WaitForStopSignal(signals);
  // Let the events being committed be answered (up to 2 s), then close every connection. One
  // committed but unanswered is delivered again by fal and stored once.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (services.handler->pending_records() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the I/O threads write the replies
  server.value()->Stop();
  // Callbacks still to come use `work` and `counters`: wait for them (the store answers them all).
  while (services.handler->pending_records() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  work.Stop();
  worker.join();
  LogSummary(*services.store, counters);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ParseReceiverOptions(argc, argv);
  if (!parsed) {
    std::cerr << "faltrain-webhook-receiver: " << parsed.error().message << "\n";
    return 2;
  }
  const ReceiverOptions o = parsed.value();
  if (o.help) {
    std::cout << ReceiverUsage();
    return 0;
  }
  quiet = o.quiet;
  const sigset_t signals = BlockStopSignals();

  auto config = faltrain::ClientOptions::FromEnvironment();
  if (!config) return Fail(config.error().message, 2);
  Counters counters;
  int exit_code = 0;
  auto services = StartServices(o, config.value(), counters, exit_code);
  if (!services) return Fail(services.error().message, exit_code);
  return Serve(o, signals, services.value(), counters);
}
