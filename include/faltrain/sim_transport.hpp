#pragma once
// Test mode: an offline simulator of fal's queue, storage and webhooks behind the `Transport`
// interface. `TrainingClient` uses it when `ClientConfig::test_mode` is set (AVATAR_TEST_MODE=true).

#include <faltrain/clock.hpp>
#include <faltrain/result.hpp>
#include <faltrain/transport.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace faltrain {
inline namespace v1 {

struct SimOptions {
  /// Running time of a simulated training (FAL_MOCK_TRAINING_DURATION seconds; default 30 s).
  std::chrono::milliseconds training_duration{std::chrono::seconds(30)};
  /// POST signed webhooks when a request with `fal_webhook` finishes (FAL_ENABLE_WEBHOOK_SIMULATION).
  bool webhook_simulation = false;
  /// Seed for request ids and outputs; 0 = random.
  std::uint64_t seed = 0;

  /// Reads FAL_MOCK_TRAINING_DURATION and FAL_ENABLE_WEBHOOK_SIMULATION over the defaults.
  static result<SimOptions> FromEnvironment();
};

/// The in-process simulator. Thread-safe. Time comes from the given clock (a `VirtualClock` runs a
/// thirty-minute training instantly).
class SimTransport final : public Transport {
 public:
  explicit SimTransport(SimOptions options, std::shared_ptr<Clock> clock = MakeSystemClock());
  ~SimTransport() override;
  SimTransport(const SimTransport&) = delete;
  SimTransport& operator=(const SimTransport&) = delete;

  result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace faltrain
