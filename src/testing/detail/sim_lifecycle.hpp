#pragma once
// A simulated request's life on the clock: IN_QUEUE with positions counting down, IN_PROGRESS with
// scripted log lines ("step k/N" for trainings), then COMPLETED. Private.

#include <faltrain/client/clock.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimRandom;

enum class SimPhase { kInQueue, kInProgress, kCompleted };
const char* SimPhaseName(SimPhase phase);

struct SimLogLine {
  Clock::steady_time at;
  std::string level;    ///< INFO, WARN, ERROR
  std::string message;
};

struct SimTimeline {
  Clock::steady_time submitted;
  Clock::wall_time submitted_wall;
  Clock::steady_time started;   ///< leaves the queue
  Clock::steady_time finished;  ///< COMPLETED from here on
  int initial_position = 0;     ///< queue position at submission

  SimPhase PhaseAt(Clock::steady_time now) const;
  /// Counts down from `initial_position` to 0 while queued.
  int QueuePositionAt(Clock::steady_time now) const;
  /// ISO-8601 without zone, microseconds: "2026-01-01T00:00:03.000000" (fal's log timestamps).
  std::string TimestampAt(Clock::steady_time at) const;
};

/// A training's log script: preprocessing, then `steps` spread over up to 50 "step k/N (loss x)"
/// lines, then saving. Lines at or after `timeline.finished` are not part of it.
std::vector<SimLogLine> TrainingScript(const SimTimeline& timeline, std::int64_t steps,
                                       bool finetune, SimRandom& random);
/// A generation's log script: a few lines including "step k/N" of the inference steps.
std::vector<SimLogLine> GenerationScript(const SimTimeline& timeline, std::int64_t steps);

/// The training step a run following `TrainingScript` has reached at `at` (0..steps).
std::int64_t StepAt(const SimTimeline& timeline, std::int64_t steps, Clock::steady_time at);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
