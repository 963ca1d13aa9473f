#include "sim_args.hpp"

#include "flags.hpp"

#include <cmath>

namespace {

constexpr const char* kFaultHelp =
    "inject a fault; repeatable. SPEC = kind[:key=value,...], kinds:\n"
    "rate_limit bad_gateway service_unavailable drop_connection slow_response\n"
    "training_failure webhook_drop webhook_duplicate webhook_delay\n"
    "webhook_out_of_order webhook_payload_error; keys: op (submit status\n"
    "result cancel storage jwks any), endpoint, id, marker, count (-1 =\n"
    "always), rate (0..1), delay_ms";

// A flag taking non-negative seconds (fractions allowed) into `target`.
void AddSeconds(CLI::App& app, const std::string& flag, std::chrono::milliseconds& target,
                const std::string& help) {
  app.add_option_function<double>(
         flag,
         [flag, &target](double seconds) {
           if (!std::isfinite(seconds) || seconds < 0) {
             throw CLI::ValidationError(flag, "not a number of seconds: " + std::to_string(seconds));
           }
           target = std::chrono::milliseconds(std::llround(seconds * 1000));
         },
         help)
      ->type_name("SECONDS");
}

// Flags bound to `out`; --fault specs are collected in `faults` and parsed afterwards.
void Declare(CLI::App& app, SimServerArgs& out, std::vector<std::string>& faults) {
  faltrain::SimOptions& o = out.options;
  faltrain_examples::SetHelpStyle(app, 27);
  app.footer("Prints \"faltrain-sim listening on http://127.0.0.1:PORT\" on stdout once ready; stops on "
             "SIGINT/SIGTERM.");
  app.add_option("--port", out.port, "port to listen on (0 = any free port; default 0)")
      ->type_name("N")->check(CLI::Range(0, 65535).description(""));
  app.add_option_function<long long>(
         "--latency-ms", [&out](long long ms) { out.latency = std::chrono::milliseconds(ms); },
         "answer every request this many ms after it arrived (default 0), on timers: no thread waits")
      ->type_name("N")->check(CLI::Range(0LL, 3600000LL).description(""));
  app.add_option("--io-threads", out.io_threads, "HTTP server threads (default 2)")
      ->type_name("N")->check(CLI::Range(1, 64).description(""));
  app.add_option("--backlog", out.backlog, "listen backlog (default 4096)")
      ->type_name("N")->check(CLI::Range(1, 65535).description(""));
  AddSeconds(app, "--duration", o.training_duration,
             "training run time (default FAL_MOCK_TRAINING_DURATION or 30)");
  AddSeconds(app, "--queue-duration", o.queue_duration, "time a training waits IN_QUEUE (default 3)");
  AddSeconds(app, "--generation-duration", o.generation_duration,
             "run time of image generation (default 2)");
  app.add_flag("--webhooks,!--no-webhooks", o.webhook_simulation,
               "POST signed webhooks (default FAL_ENABLE_WEBHOOK_SIMULATION)");
  AddSeconds(app, "--webhook-retry-base", o.webhook_retry_base,
             "first webhook retry delay (default 15); doubles, capped at 1800");
  app.add_option("--webhook-attempts", o.webhook_max_attempts, "delivery attempts per webhook (default 10)")
      ->type_name("N")->check(CLI::Range(1, 100).description(""));
  app.add_option("--seed", o.seed,
                 "reproducible ids, outputs and fault coins (default FALTRAIN_SIM_SEED or random)")
      ->type_name("N");
  app.add_option("--signing-key", o.signing_key_seed_hex,
                 "32-byte Ed25519 seed as 64 hex digits (default derived from --seed)")
      ->type_name("HEX")
      ->check(CLI::Validator([](std::string& v) { return v.size() == 64 ? "" : "needs 64 hex digits"; }, ""));
  app.add_option("--fault", faults, kFaultHelp)->type_name("SPEC")->allow_extra_args(false);
  app.add_option("--api-key", o.api_key, "require \"Authorization: Key KEY\"")->type_name("KEY");
  app.add_flag("--validate-on-submit", o.validate_on_submit,
               "reject invalid input with 422 at submit (fal accepts, then fails it)");
  app.add_option("--cdn-base", o.cdn_base_url, "base of file URLs (default: this server)")->type_name("URL");
  app.add_flag("--quiet", out.quiet, "no event log on stderr");
}

}  // namespace

std::string SimServerUsage() {
  CLI::App app("faltrain-sim: fal's queue, storage and webhooks, simulated, on 127.0.0.1", "faltrain-sim");
  SimServerArgs out;
  std::vector<std::string> faults;
  Declare(app, out, faults);
  return app.help();
}

faltrain::result<SimServerArgs> ParseSimServerArgs(int argc, const char* const* argv) {
  SimServerArgs out;
  FALTRAIN_TRY(out.options, faltrain::SimOptions::FromEnvironment());
  out.options.cdn_base_url.clear();  // files are served by this server
  std::vector<std::string> faults;
  CLI::App app;
  Declare(app, out, faults);
  FALTRAIN_TRY(out.help, faltrain_examples::ParseFlags(app, argc, argv));
  if (out.help) return out;
  for (const auto& spec : faults) {
    FALTRAIN_TRY(faltrain::SimFault fault, faltrain::SimFault::Parse(spec));
    out.options.faults.push_back(std::move(fault));
  }
  return out;
}
