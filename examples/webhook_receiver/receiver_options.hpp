#pragma once
// Command-line flags and environment of faltrain-webhook-receiver.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstddef>
#include <string>

struct ReceiverOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                           ///< 0 = any free port (printed)
  std::string path = "/webhook/fal/status";
  std::string db_path = "faltrain-jobs.db";
  std::string jwks_url;                      ///< empty = ClientOptions's (FALTRAIN_JWKS_URL or fal's)
  std::string jwks_file;                     ///< a fixed JWKS document instead of fetching
  std::string pinned_user_id;
  std::string notify_command;                ///< run through /bin/sh -c once per finished job
  std::string port_file;                     ///< the bound port is written here once listening
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_pending = 8192;            ///< verified webhooks waiting for the store; 503 beyond
  int threads = 2;                           ///< I/O threads: they read, verify and answer every request
  /// Poll fal for TRAINING jobs without news for this long; 0 = no reconciler.
  std::chrono::seconds reconcile_after{std::chrono::minutes(30)};
  /// How often the reconciler runs.
  std::chrono::seconds reconcile_every{30};
  /// A SUBMITTING (or PENDING) job without news for this long becomes FAILED ("submission outcome unknown").
  std::chrono::seconds submit_timeout{std::chrono::hours(24)};
  /// Verifies the per-job webhook tokens (FALTRAIN_JOB_TOKEN_SECRET; never logged).
  std::string job_token_secret;
  bool bench_routes = false;                 ///< adds POST /bench/ok (a bare 200) for load tests
  bool durable_full = true;                  ///< SQLite synchronous=FULL (else NORMAL)
  bool quiet = false;
  bool help = false;
};

/// The --help text.
std::string ReceiverUsage();

/// Environment first (FALTRAIN_WEBHOOK_*), then flags over it; `argv` as main() got it.
faltrain::result<ReceiverOptions> ParseReceiverOptions(int argc, const char* const* argv);
