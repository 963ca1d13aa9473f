#pragma once
/// @file
/// The one switch for test mode. Production code (`faltrain::client`) neither contains nor chooses
/// the simulator; a program that honours `AVATAR_TEST_MODE` builds its client here instead:
///
/// @code
///   auto client = faltrain::CreateTrainingClient(faltrain::ClientOptions::FromEnvironment().value());
/// @endcode

#include <faltrain/client/clock.hpp>
#include <faltrain/client/config.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/training_client.hpp>

#include <memory>

namespace faltrain {
inline namespace v1 {

/// A client over a `SimTransport` (settings from `SimOptions::FromEnvironment()`, time from
/// `clock`) when `options.test_mode` is set; otherwise exactly `TrainingClient::Create(options)`.
result<TrainingClient> CreateTrainingClient(ClientOptions options,
                                            std::shared_ptr<Clock> clock = nullptr);

}  // namespace v1
}  // namespace faltrain
