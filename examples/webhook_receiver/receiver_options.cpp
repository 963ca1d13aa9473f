#include "receiver_options.hpp"

#include "flags.hpp"

#include <cstdlib>

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Flags bound to `o`; CLI11 applies an option's environment variable when the flag is absent.
// The seconds of --reconcile-after go to `reconcile_seconds`.
void Declare(CLI::App& app, ReceiverOptions& o, long long& reconcile_seconds) {
  faltrain_examples::SetHelpStyle(app, 24);
  app.footer("GET /healthz answers {\"status\":\"ok\",...}. SIGINT/SIGTERM stop accepting, finish recorded "
             "work, exit.");
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
                 "FALTRAIN_JOB_NAME, FALTRAIN_JOB_USER, FALTRAIN_REQUEST_ID, FALTRAIN_JOB_ERROR set")
      ->type_name("CMD")->envname("FALTRAIN_NOTIFY_COMMAND");
  app.add_option("--reconcile-after", reconcile_seconds,
                 "poll fal for jobs TRAINING with no news for S seconds (0 = off; needs FAL_KEY\n"
                 "or AVATAR_TEST_MODE=true)")
      ->type_name("S")->check(CLI::Range(0LL, 1LL << 31).description(""))
      ->envname("FALTRAIN_RECONCILE_AFTER");
  app.add_option("--max-body", o.max_body_bytes, "largest accepted body (default 1048576)")
      ->type_name("BYTES")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30).description(""));
  app.add_option("--threads", o.threads, "HTTP worker threads (default 16)")
      ->type_name("N")->check(CLI::Range(1, 1024).description(""));
  app.add_option("--port-file", o.port_file, "write the bound port to FILE once listening")
      ->type_name("FILE");
  app.add_flag_callback("--sync-normal", [&o] { o.durable_full = false; },
                        "SQLite synchronous=NORMAL: survives process crashes, not power loss");
  app.add_flag("--quiet", o.quiet, "log only errors");
  app.add_flag("--bench-routes", o.bench_routes)->group("");  // load tests only: not in --help
}

}  // namespace

std::string ReceiverUsage() {
  CLI::App app(
      "faltrain-webhook-receiver: receives fal's signed webhooks, records them durably, updates jobs",
      "faltrain-webhook-receiver");
  ReceiverOptions o;
  long long reconcile_seconds = 0;
  Declare(app, o, reconcile_seconds);
  return app.help();
}

faltrain::result<ReceiverOptions> ParseReceiverOptions(int argc, const char* const* argv) {
  ReceiverOptions o;
  // Two variables name the store; the PostgreSQL URL (several receivers share it) wins.
  if (auto v = Env("FALTRAIN_WEBHOOK_DB"); !v.empty()) o.db_path = v;
  if (auto v = Env("FALTRAIN_DATABASE_URL"); !v.empty()) o.db_path = v;
  long long reconcile_seconds = 0;
  CLI::App app;
  Declare(app, o, reconcile_seconds);
  FALTRAIN_TRY(o.help, faltrain_examples::ParseFlags(app, argc, argv));
  if (o.help) return o;
  o.reconcile_after = std::chrono::seconds(reconcile_seconds);
  return o;
}
