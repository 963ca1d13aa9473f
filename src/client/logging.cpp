#include <faltrain/client/logging.hpp>

#include "client/detail/enum_text.hpp"

#include <cstdio>
#include <mutex>

namespace faltrain {
inline namespace v1 {

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

result<LogLevel> ParseLogLevel(std::string_view text) {
  return detail::ParseEnum(text, "log level",
                           {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError});
}

LogSink MakeStderrLogSink(LogLevel min_level) {
  return [min_level](LogLevel level, std::string_view message) {
    if (level < min_level) return;
    static std::mutex mu;  // keep lines from different threads whole
    std::lock_guard<std::mutex> lock(mu);
    std::fprintf(stderr, "faltrain [%.*s] %.*s\n", static_cast<int>(to_string(level).size()),
                 to_string(level).data(), static_cast<int>(message.size()), message.data());
  };
}

}  // namespace v1
}  // namespace faltrain
