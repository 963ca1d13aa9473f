#include "receiver_options.hpp"

#include <cerrno>
#include <cstdlib>

namespace {

using faltrain::errc;
using faltrain::fail;

faltrain::result<long long> ToInteger(const std::string& name, const std::string& text, long long min,
                                      long long max) {
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
    return fail(errc::invalid_argument, name + ": bad number \"" + text + "\"");
  }
  return n;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

const char* ReceiverUsage() {
  return R"(faltrain-webhook-receiver: receives fal's signed webhooks, records them durably, updates jobs

Usage: faltrain-webhook-receiver [flags]
  --host ADDR           address to bind (default 127.0.0.1)
  --port N              port (0 = any free port, printed; default 8080)   env FALTRAIN_WEBHOOK_PORT
  --path PATH           webhook path (default /webhook/fal/status)        env FALTRAIN_WEBHOOK_PATH
  --db FILE|URL         SQLite job store (default faltrain-jobs.db)       env FALTRAIN_WEBHOOK_DB
                        or a shared postgresql://user@host/db           env FALTRAIN_DATABASE_URL
  --jwks-url URL        signing keys (default FALTRAIN_JWKS_URL or https://rest.fal.ai/.well-known/jwks.json)
  --jwks-file FILE      use a fixed JWKS document instead of fetching (offline)
  --user-id ID          accept only webhooks for this fal user          env FALTRAIN_WEBHOOK_USER_ID
  --notify-command CMD  run `sh -c CMD` once per finished job, with FALTRAIN_JOB_ID, FALTRAIN_JOB_STATUS,
                        FALTRAIN_JOB_NAME, FALTRAIN_JOB_USER, FALTRAIN_REQUEST_ID, FALTRAIN_JOB_ERROR set
                                                                        env FALTRAIN_NOTIFY_COMMAND
  --reconcile-after S   poll fal for jobs TRAINING with no news for S seconds (0 = off; needs FAL_KEY
                        or AVATAR_TEST_MODE=true)                       env FALTRAIN_RECONCILE_AFTER
  --max-body BYTES      largest accepted body (default 1048576)
  --threads N           HTTP worker threads (default 16)
  --port-file FILE      write the bound port to FILE once listening
  --sync-normal         SQLite synchronous=NORMAL: survives process crashes, not power loss
  --quiet               log only errors
  --help

GET /healthz answers {"status":"ok",...}. SIGINT/SIGTERM stop accepting, finish recorded work, exit.
)";
}

faltrain::result<ReceiverOptions> ParseReceiverOptions(const std::vector<std::string>& args) {
  ReceiverOptions o;
  if (auto v = Env("FALTRAIN_WEBHOOK_PORT"); !v.empty()) {
    FALTRAIN_TRY(auto n, ToInteger("FALTRAIN_WEBHOOK_PORT", v, 0, 65535));
    o.port = static_cast<int>(n);
  }
  if (auto v = Env("FALTRAIN_WEBHOOK_PATH"); !v.empty()) o.path = v;
  if (auto v = Env("FALTRAIN_WEBHOOK_DB"); !v.empty()) o.db_path = v;
  if (auto v = Env("FALTRAIN_DATABASE_URL"); !v.empty()) o.db_path = v;  // postgresql://... for several receivers
  if (auto v = Env("FALTRAIN_WEBHOOK_USER_ID"); !v.empty()) o.pinned_user_id = v;
  if (auto v = Env("FALTRAIN_NOTIFY_COMMAND"); !v.empty()) o.notify_command = v;
  if (auto v = Env("FALTRAIN_RECONCILE_AFTER"); !v.empty()) {
    FALTRAIN_TRY(auto n, ToInteger("FALTRAIN_RECONCILE_AFTER", v, 0, 1LL << 31));
    o.reconcile_after = std::chrono::seconds(n);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> faltrain::result<std::string> {
      if (i + 1 >= args.size()) return fail(errc::invalid_argument, flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      o.help = true;
    } else if (flag == "--host") {
      FALTRAIN_TRY(o.host, value());
    } else if (flag == "--port") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto n, ToInteger(flag, text, 0, 65535));
      o.port = static_cast<int>(n);
    } else if (flag == "--path") {
      FALTRAIN_TRY(o.path, value());
      if (o.path.empty() || o.path[0] != '/') return fail(errc::invalid_argument, "--path must start with /");
    } else if (flag == "--db") {
      FALTRAIN_TRY(o.db_path, value());
    } else if (flag == "--jwks-url") {
      FALTRAIN_TRY(o.jwks_url, value());
    } else if (flag == "--jwks-file") {
      FALTRAIN_TRY(o.jwks_file, value());
    } else if (flag == "--user-id") {
      FALTRAIN_TRY(o.pinned_user_id, value());
    } else if (flag == "--notify-command") {
      FALTRAIN_TRY(o.notify_command, value());
    } else if (flag == "--port-file") {
      FALTRAIN_TRY(o.port_file, value());
    } else if (flag == "--reconcile-after") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto n, ToInteger(flag, text, 0, 1LL << 31));
      o.reconcile_after = std::chrono::seconds(n);
    } else if (flag == "--max-body") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto n, ToInteger(flag, text, 1, 1LL << 30));
      o.max_body_bytes = static_cast<std::size_t>(n);
    } else if (flag == "--threads") {
      FALTRAIN_TRY(auto text, value());
      FALTRAIN_TRY(auto n, ToInteger(flag, text, 1, 1024));
      o.threads = static_cast<int>(n);
    } else if (flag == "--bench-routes") {
      o.bench_routes = true;
    } else if (flag == "--sync-normal") {
      o.durable_full = false;
    } else if (flag == "--quiet") {
      o.quiet = true;
    } else {
      return fail(errc::invalid_argument, "unknown flag " + flag + " (see --help)");
    }
  }
  return o;
}
