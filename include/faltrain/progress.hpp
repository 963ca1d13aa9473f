#pragma once
// Turning a stream of statuses into progress a person understands: phase, percentage, ETA.

#include <faltrain/queue.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

struct Progress {
  RequestPhase phase = RequestPhase::kInQueue;
  std::string phase_text;                   ///< "queued", "preprocessing", "training", "saving", "completed"
  double percent = 0;                       ///< 0..100, never decreasing within one tracker
  std::optional<int> queue_position;
  std::optional<std::int64_t> step;         ///< from "step k/N"-style log lines
  std::optional<std::int64_t> total_steps;
  std::chrono::milliseconds elapsed{0};     ///< since the tracker started
  std::optional<std::chrono::milliseconds> eta;
  std::vector<LogEntry> new_logs;           ///< logs not reported before
};

/// Folds successive statuses into `Progress`. Percent comes from step counters in logs when present
/// (matched against the submitted step count), else from elapsed time against the estimate, capped
/// below 100 until completion. Never fails on unparsable logs.
class ProgressTracker {
 public:
  /// `expected_steps` 0 = unknown; `estimate` is the expected running time (e.g. a preset midpoint).
  ProgressTracker(std::int64_t expected_steps, std::chrono::milliseconds estimate);
  /// `now_elapsed`: time since submission.
  Progress Update(const RequestStatus& status, std::chrono::milliseconds now_elapsed);

 private:
  std::int64_t expected_steps_;
  std::chrono::milliseconds estimate_;
  std::size_t logs_seen_ = 0;
  double last_percent_ = 0;
  std::optional<std::int64_t> step_, total_;
  std::optional<std::chrono::milliseconds> running_since_;
  std::string phase_text_;
};

/// Finds a step counter in a log line: "step 120/1000", "120/1000 [00:10<...]", "Step 120 of 1000",
/// "iteration 5/300"; returns {step, total}; total 0 if the line has only "step 120".
std::optional<std::pair<std::int64_t, std::int64_t>> ParseStepCounter(std::string_view line);

}  // namespace v1
}  // namespace faltrain
