#include "receiver_options.hpp"

#include "flags.hpp"

#include <faltrain/webhooks/job_token.hpp>

#include <cstdlib>

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Flags bound to `o`; CLI11 applies an option's environment variable when the flag is absent.
// The seconds of --reconcile-after, --reconcile-every and --submit-timeout go to `seconds`.
struct Seconds {
  long long reconcile_after = 1800, reconcile_every = 30, submit_timeout = 86400;
};
void Declare(CLI::App& app, ReceiverOptions& o, Seconds& seconds) {
  faltrain_examples::SetHelpStyle(app, 24);
  app.add_option("--host", o.host, "address to bind (default 127.0.0.1)")->type_name("ADDR");
  app.add_option("--port", o.port, "port (0 = any free port, printed; default 8080)")
      ->type_name("N")->check(CLI::Range(0, 65535).description(""))->envname("FALTRAIN_WEBHOOK_PORT");
  app.add_option("--path", o.path, "webhook path (default /webhook/fal/status)")
      ->type_name("PATH")->envname("FALTRAIN_WEBHOOK_PATH")
      ->check(CLI::Validator([](std::string& v) { return v.rfind('/', 0) == 0 ? "" : "must start with /"; },
                             ""));
  app.add_option("--db", o.db_path,
                 "SQLite job store (default faltrain-jobs.db; env FALTRAIN_WEBHOOK_DB)\n"
                 "or a shared postgresql://user@host/db (env FALTRAIN_DATABASE_URL)")
      ->type_name("FILE|URL");
  app.add_option("--jwks-url", o.jwks_url,
                 "signing keys (default FALTRAIN_JWKS_URL or\nhttps://rest.fal.ai/.well-known/jwks.json)")
      ->type_name("URL");
  app.add_option("--jwks-file", o.jwks_file, "use a fixed JWKS document instead of fetching (offline)")
      ->type_name("FILE");
  app.add_option("--user-id", o.pinned_user_id, "accept only webhooks for this fal user")
      ->type_name("ID")->envname("FALTRAIN_WEBHOOK_USER_ID");
  app.add_option("--notify-command", o.notify_command,
                 "run `sh -c CMD` once per finished job, with FALTRAIN_JOB_ID, FALTRAIN_JOB_STATUS,\n"
                 "FALTRAIN_JOB_NAME, FALTRAIN_JOB_USER, FALTRAIN_REQUEST_ID, FALTRAIN_JOB_ERROR,\n"
                 "FALTRAIN_NOTIFICATION_KEY set; exit 0 confirms it (else it is sent again)")
      ->type_name("CMD")->envname("FALTRAIN_NOTIFY_COMMAND");
  app.add_option("--reconcile-after", seconds.reconcile_after,
                 "poll fal for jobs TRAINING with no news for S seconds (default 1800; 0 = no\n"
                 "reconciler; polling needs FAL_KEY or AVATAR_TEST_MODE=true)")
      ->type_name("S")->check(CLI::Range(0LL, 1LL << 31).description(""))
      ->envname("FALTRAIN_RECONCILE_AFTER");
  app.add_option("--reconcile-every", seconds.reconcile_every, "run the reconciler every S seconds (default 30)")
      ->type_name("S")->check(CLI::Range(1LL, 1LL << 31).description(""));
  app.add_flag_callback("--no-reconcile", [&seconds] { seconds.reconcile_after = 0; },
                        "no reconciler (a job whose webhook is lost waits forever)");
  app.add_option("--submit-timeout", seconds.submit_timeout,
                 "a job SUBMITTING (or PENDING) with no news for S seconds becomes FAILED,\n"
                 "\"submission outcome unknown\", and its user is told (default 86400)")
      ->type_name("S")->check(CLI::Range(1LL, 1LL << 31).description(""))
      ->envname("FALTRAIN_SUBMIT_TIMEOUT");
  app.add_option("--max-body", o.max_body_bytes, "largest accepted body (default 1048576)")
      ->type_name("BYTES")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30).description(""));
  app.add_option("--max-pending", o.max_pending,
                 "verified webhooks that may wait for the store at once; beyond, 503 (fal retries)\n"
                 "until it catches up (default 8192; 0 = no limit)")
      ->type_name("N")->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24).description(""));
  app.add_option("--threads", o.threads, "I/O threads serving every connection; they also verify signatures (default 2)")
      ->type_name("N")->check(CLI::Range(1, 1024).description(""));
  app.add_option("--port-file", o.port_file, "write the bound port to FILE once listening")
      ->type_name("FILE");
  app.add_flag_callback("--sync-normal", [&o] { o.durable_full = false; },
                        "SQLite synchronous=NORMAL: survives process crashes, not power loss");
  app.add_flag("--quiet", o.quiet, "log only errors");
  app.footer("Job tokens: with FALTRAIN_JOB_TOKEN_SECRET set (16+ bytes, as for faltrain-webhook-submit), a "
             "webhook finds its job by the token in its URL when the job never learned its request id.\n"
             "GET /healthz answers {\"status\":\"ok\",...}. SIGINT/SIGTERM stop accepting, finish recorded "
             "work, exit.");
  app.add_flag("--bench-routes", o.bench_routes)->group("");  // load tests only: not in --help
}

}  // namespace

std::string ReceiverUsage() {
  CLI::App app(
      "faltrain-webhook-receiver: receives fal's signed webhooks, records them durably, updates jobs",
      "faltrain-webhook-receiver");
  ReceiverOptions o;
  Seconds seconds;
  Declare(app, o, seconds);
  return app.help();
}

faltrain::result<ReceiverOptions> ParseReceiverOptions(int argc, const char* const* argv) {
  ReceiverOptions o;
  // Two variables name the store; the PostgreSQL URL (several receivers share it) wins.
  if (auto v = Env("FALTRAIN_WEBHOOK_DB"); !v.empty()) o.db_path = v;
  if (auto v = Env("FALTRAIN_DATABASE_URL"); !v.empty()) o.db_path = v;
  o.job_token_secret = Env("FALTRAIN_JOB_TOKEN_SECRET");
  if (!o.job_token_secret.empty() && o.job_token_secret.size() < faltrain::kMinJobTokenSecretBytes) {
    return faltrain::fail(faltrain::errc::invalid_argument,
                          "FALTRAIN_JOB_TOKEN_SECRET is too short (16 bytes at least)");
  }
  Seconds seconds;
  CLI::App app;
  Declare(app, o, seconds);
  FALTRAIN_TRY(o.help, faltrain_examples::ParseFlags(app, argc, argv));
  if (o.help) return o;
  o.reconcile_after = std::chrono::seconds(seconds.reconcile_after);
  o.reconcile_every = std::chrono::seconds(seconds.reconcile_every);
  o.submit_timeout = std::chrono::seconds(seconds.submit_timeout);
  return o;
}
