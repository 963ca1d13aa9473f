#include "bot_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace faltrain_bot {

std::string BotLog::Redact(std::string_view text) const {
  std::string out(text);
  if (token_.empty()) return out;
  for (auto pos = out.find(token_); pos != std::string::npos; pos = out.find(token_, pos)) {
    out.replace(pos, token_.size(), "<token>");
  }
  return out;
}

void BotLog::Write(std::string_view level, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string line = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z bot [{}] {}\n",
                                 std::chrono::floor<std::chrono::seconds>(now), ms, level,
                                 Redact(message));
  std::lock_guard<std::mutex> lock(mu_);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace faltrain_bot
