#pragma once
/// @file
/// A logging hook: faltrain never writes to stdout/stderr by itself; it tells this function.
/// Messages never contain API keys.

#include <faltrain/client/result.hpp>

#include <functional>
#include <string_view>

namespace faltrain {
inline namespace v1 {

/// How much a log message matters.
enum class LogLevel {
  kDebug,    ///< every HTTP request attempt (method and URL without its query)
  kInfo,     ///< milestones: a submission, a retry, a cancellation
  kWarning,  ///< something to look at, e.g. a deprecated trainer
  kError,    ///< a failure the library could not report through a `result`
};
/// "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level) noexcept;
/// The inverse of `to_string(LogLevel)`; case-insensitive (e.g. for a `--log-level` flag).
result<LogLevel> ParseLogLevel(std::string_view text);

/// Receives faltrain's log messages; may be called from any thread that uses the library, so it
/// must be thread-safe. An empty sink means no logging.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

/// A sink that writes "faltrain [level] message" lines to stderr at or above `min_level`.
LogSink MakeStderrLogSink(LogLevel min_level = LogLevel::kInfo);

}  // namespace v1
}  // namespace faltrain
