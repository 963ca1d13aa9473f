// The simulator's settings from the seed's environment variables.

#include <faltrain/client/config.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace faltrain {
inline namespace v1 {

result<SimOptions> SimOptions::FromEnvironment() {
  SimOptions options;
  if (const char* duration = std::getenv("FAL_MOCK_TRAINING_DURATION"); duration && *duration) {
    char* end = nullptr;
    double seconds = std::strtod(duration, &end);
    if (end == duration || *end != '\0' || !std::isfinite(seconds) || seconds < 0 || seconds > 86400 * 7) {
      return fail(errc::invalid_argument,
                  "FAL_MOCK_TRAINING_DURATION must be a number of seconds, got '" + std::string(duration) + "'");
    }
    options.training_duration = std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
  }
  if (const char* webhooks = std::getenv("FAL_ENABLE_WEBHOOK_SIMULATION"); webhooks && *webhooks) {
    options.webhook_simulation = ParseEnvBool(webhooks);
  }
  if (const char* seed = std::getenv("FALTRAIN_SIM_SEED"); seed && *seed) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(seed, &end, 10);
    if (end == seed || *end != '\0') {
      return fail(errc::invalid_argument, "FALTRAIN_SIM_SEED must be an unsigned integer");
    }
    options.seed = value;
  }
  return options;
}

}  // namespace v1
}  // namespace faltrain
