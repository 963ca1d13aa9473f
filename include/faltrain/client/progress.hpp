#pragma once
/// @file
/// Turning a stream of statuses into progress a person understands: phase, percentage, ETA.

#include <faltrain/client/queue.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// One progress report of a watched request (see `ProgressTracker` for how it is computed).
struct Progress {
  RequestPhase phase = RequestPhase::kInQueue;  ///< fal's phase, as polled
  /// "queued"; "preprocessing" (running, no step counter yet); "training"; "saving" (the counter
  /// reached its total); "completed"; "failed" (completed with an error); for a status this library
  /// does not know, that status in lower case (or "unknown").
  std::string phase_text;
  double percent = 0;                       ///< 0..100, never decreasing within one tracker
  std::optional<int> queue_position;        ///< while queued, when fal reports it
  std::optional<std::int64_t> step;         ///< from "step k/N"-style log lines
  std::optional<std::int64_t> total_steps;  ///< N of the counter, else the expected steps; unset if unknown
  std::chrono::milliseconds elapsed{0};     ///< since the tracker started
  std::optional<std::chrono::milliseconds> eta;  ///< time left; unset when nothing allows a guess
  std::vector<LogEntry> new_logs;           ///< logs not reported before
};

/// Folds successive statuses into `Progress`. Percent comes from step counters in logs when present
/// (against the counter's own total, else the submitted step count; at most 99 until completion),
/// else from the time since the request started running against the estimate (at most 95). It
/// never decreases and is 100 once completed. ETA comes from the observed step rate when steps are
/// known, else estimate minus running time (never negative); zero once completed. Never fails on
/// unparsable logs. Not thread-safe: one tracker per watched request.
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
  // Two step observations give the step rate for the ETA.
  std::optional<std::chrono::milliseconds> first_counter_at_, last_counter_at_;
  std::int64_t first_counter_step_ = 0;
};

/// Finds a step counter in a log line: "step 120/1000", "Step 120 of 1000", "steps: 12/100",
/// "iteration 5/300", tqdm's "120/1000 [00:10<01:20, ...]"; returns {step, total}. A singular
/// "step 120" / "iteration 5" gives total 0; plural keywords need a total, so "max_steps: 1000" and
/// "Steps: 1000" are not counters. Rejects step > total and total 0; nullopt when nothing matches.
std::optional<std::pair<std::int64_t, std::int64_t>> ParseStepCounter(std::string_view line);

}  // namespace v1
}  // namespace faltrain
