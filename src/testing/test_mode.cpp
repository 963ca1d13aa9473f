// Test mode as a transport choice made outside the client component.

#include <faltrain/testing/sim_transport.hpp>
#include <faltrain/testing/test_mode.hpp>

namespace faltrain {
inline namespace v1 {

result<TrainingClient> CreateTrainingClient(ClientOptions config, std::shared_ptr<Clock> clock) {
  if (!config.test_mode) return TrainingClient::Create(std::move(config), nullptr, std::move(clock));
  if (!clock) clock = MakeSystemClock();
  FALTRAIN_TRY(auto sim_options, SimOptions::FromEnvironment());
  auto simulator = std::make_shared<SimTransport>(std::move(sim_options), clock);
  return TrainingClient::Create(std::move(config), std::move(simulator), std::move(clock));
}

}  // namespace v1
}  // namespace faltrain
