#include "sim_args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace {

using faltrain::errc;
using faltrain::fail;

bool ToSeconds(const std::string& text, std::chrono::milliseconds& out) {
  char* end = nullptr;
  errno = 0;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(seconds) || seconds < 0) return false;
  out = std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
  return true;
}

}  // namespace

const char* SimServerUsage() {
  return R"(faltrain-sim: fal's queue, storage and webhooks, simulated, on 127.0.0.1

Usage: faltrain-sim [flags]
  --port N                 port to listen on (0 = any free port; default 0)
  --duration SECONDS       training run time (default FAL_MOCK_TRAINING_DURATION or 30)
  --queue-duration SECONDS time a training waits IN_QUEUE (default 3)
  --generation-duration S  run time of image generation (default 2)
  --webhooks / --no-webhooks
                           POST signed webhooks (default FAL_ENABLE_WEBHOOK_SIMULATION)
  --webhook-retry-base S   first webhook retry delay (default 15); doubles, capped at 1800
  --webhook-attempts N     delivery attempts per webhook (default 10)
  --seed N                 reproducible ids, outputs and fault coins (default FALTRAIN_SIM_SEED or random)
  --signing-key HEX        32-byte Ed25519 seed as 64 hex digits (default derived from --seed)
  --fault SPEC             inject a fault; repeatable. SPEC = kind[:key=value,...], kinds:
                           rate_limit bad_gateway service_unavailable drop_connection slow_response
                           training_failure webhook_drop webhook_duplicate webhook_delay
                           webhook_out_of_order webhook_payload_error; keys: op (submit status
                           result cancel storage jwks any), endpoint, id, marker, count (-1 =
                           always), rate (0..1), delay_ms
  --api-key KEY            require "Authorization: Key KEY"
  --validate-on-submit     reject invalid input with 422 at submit (fal accepts, then fails it)
  --cdn-base URL           base of file URLs (default: this server)
  --quiet                  no event log on stderr
  --help

Prints "faltrain-sim listening on http://127.0.0.1:PORT" on stdout once ready; stops on SIGINT/SIGTERM.
)";
}

faltrain::result<SimServerArgs> ParseSimServerArgs(const std::vector<std::string>& args) {
  SimServerArgs out;
  FALTRAIN_TRY(out.options, faltrain::SimOptions::FromEnvironment());
  out.options.cdn_base_url.clear();  // files are served by this server
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> faltrain::result<std::string> {
      if (i + 1 >= args.size()) return fail(errc::invalid_argument, flag + " needs a value");
      return args[++i];
    };
    auto seconds = [&](std::chrono::milliseconds& target) -> faltrain::result<void> {
      FALTRAIN_TRY(std::string text, value());
      if (!ToSeconds(text, target)) return fail(errc::invalid_argument, flag + ": not a number of seconds: " + text);
      return faltrain::success();
    };
    auto integer = [&](long long min, long long max) -> faltrain::result<long long> {
      FALTRAIN_TRY(std::string text, value());
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
        return fail(errc::invalid_argument, flag + ": bad number " + text);
      }
      return n;
    };
    if (flag == "--help" || flag == "-h") {
      out.help = true;
    } else if (flag == "--port") {
      FALTRAIN_TRY(long long port, integer(0, 65535));
      out.port = static_cast<int>(port);
    } else if (flag == "--duration") {
      FALTRAIN_TRYV(seconds(out.options.training_duration));
    } else if (flag == "--queue-duration") {
      FALTRAIN_TRYV(seconds(out.options.queue_duration));
    } else if (flag == "--generation-duration") {
      FALTRAIN_TRYV(seconds(out.options.generation_duration));
    } else if (flag == "--webhooks") {
      out.options.webhook_simulation = true;
    } else if (flag == "--no-webhooks") {
      out.options.webhook_simulation = false;
    } else if (flag == "--webhook-retry-base") {
      FALTRAIN_TRYV(seconds(out.options.webhook_retry_base));
    } else if (flag == "--webhook-attempts") {
      FALTRAIN_TRY(long long n, integer(1, 100));
      out.options.webhook_max_attempts = static_cast<int>(n);
    } else if (flag == "--seed") {
      FALTRAIN_TRY(std::string text, value());
      char* end = nullptr;
      out.options.seed = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0') return fail(errc::invalid_argument, "--seed: bad number " + text);
    } else if (flag == "--signing-key") {
      FALTRAIN_TRY(out.options.signing_key_seed_hex, value());
      if (out.options.signing_key_seed_hex.size() != 64) {
        return fail(errc::invalid_argument, "--signing-key needs 64 hex digits");
      }
    } else if (flag == "--fault") {
      FALTRAIN_TRY(std::string spec, value());
      FALTRAIN_TRY(faltrain::SimFault fault, faltrain::SimFault::Parse(spec));
      out.options.faults.push_back(std::move(fault));
    } else if (flag == "--api-key") {
      FALTRAIN_TRY(out.options.api_key, value());
    } else if (flag == "--validate-on-submit") {
      out.options.validate_on_submit = true;
    } else if (flag == "--cdn-base") {
      FALTRAIN_TRY(out.options.cdn_base_url, value());
    } else if (flag == "--quiet") {
      out.quiet = true;
    } else {
      return fail(errc::invalid_argument, "unknown flag " + flag + " (see --help)");
    }
  }
  return out;
}
