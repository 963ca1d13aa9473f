#pragma once
// A TrainingClient over a ScriptedTransport and a VirtualClock, with its log lines kept: the setup
// the client tests that script fal's answers share (retries by call, the status stream, uploads).

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

struct ScriptedClient {
  std::shared_ptr<faltrain::ScriptedTransport> transport = std::make_shared<faltrain::ScriptedTransport>();
  std::shared_ptr<faltrain::VirtualClock> clock = std::make_shared<faltrain::VirtualClock>();
  std::vector<std::string> logs;

  /// A client with a test key, a 100 ms first backoff and its log kept in `logs`; `tweak` changes
  /// the options before it is made.
  faltrain::TrainingClient Make(std::function<void(faltrain::ClientOptions&)> tweak = nullptr) {
    faltrain::ClientOptions config;
    config.api_key = "key-id:key-secret";
    config.retry.initial_backoff = std::chrono::milliseconds(100);
    config.log = [this](faltrain::LogLevel, std::string_view m) { logs.emplace_back(m); };
    if (tweak) tweak(config);
    auto c = faltrain::TrainingClient::Create(config, transport, clock);
    REQUIRE(c.has_value());
    return c.value();
  }

  /// Whether any log line contains `text`.
  bool Logged(std::string_view text) const {
    for (const auto& line : logs) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace test_support
