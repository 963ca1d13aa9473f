#include "testing/detail/sim_lifecycle.hpp"

#include "testing/detail/sim_random.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

// The training window inside IN_PROGRESS: preprocessing before it, saving after it.
constexpr double kTrainingStart = 0.10;
constexpr double kTrainingEnd = 0.95;

Clock::steady_time Lerp(Clock::steady_time a, Clock::steady_time b, double f) {
  return a + duration_cast<Clock::steady_time::duration>(
                 std::chrono::duration<double, std::nano>((b - a).count() * f));
}

}  // namespace

const char* SimPhaseName(SimPhase phase) {
  switch (phase) {
    case SimPhase::kInQueue: return "IN_QUEUE";
    case SimPhase::kInProgress: return "IN_PROGRESS";
    case SimPhase::kCompleted: return "COMPLETED";
  }
  return "COMPLETED";
}

SimPhase SimTimeline::PhaseAt(Clock::steady_time now) const {
  if (now >= finished) return SimPhase::kCompleted;
  if (now >= started) return SimPhase::kInProgress;
  return SimPhase::kInQueue;
}

int SimTimeline::QueuePositionAt(Clock::steady_time now) const {
  if (now >= started || initial_position <= 0) return 0;
  auto total = (started - submitted).count();
  if (total <= 0) return 0;
  double remaining = static_cast<double>((started - now).count()) / static_cast<double>(total);
  int position = static_cast<int>(std::ceil(remaining * (initial_position + 1))) - 1;
  return std::clamp(position, 0, initial_position);
}

std::string SimTimeline::TimestampAt(Clock::steady_time at) const {
  auto wall = submitted_wall + duration_cast<Clock::wall_time::duration>(at - submitted);
  auto micros = duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  long fraction = static_cast<long>(micros % 1000000);
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
}

std::vector<SimLogLine> TrainingScript(const SimTimeline& t, std::int64_t steps, bool finetune,
                                       SimRandom& random) {
  std::vector<SimLogLine> lines;
  auto at = [&](double f) { return Lerp(t.started, t.finished, f); };
  lines.push_back({at(0.0), "INFO", "Starting training job"});
  lines.push_back({at(0.02), "INFO", "Downloading training data"});
  lines.push_back({at(0.05), "INFO", "Preprocessing images: face detection and captioning"});
  std::int64_t reports = std::max<std::int64_t>(1, std::min<std::int64_t>(steps, 50));
  for (std::int64_t i = 1; i <= reports; ++i) {
    std::int64_t step = steps * i / reports;
    double fraction = static_cast<double>(i) / static_cast<double>(reports);
    double loss = 0.02 + 0.12 * std::exp(-3.0 * fraction) + 0.01 * random.Uniform();
    lines.push_back({at(kTrainingStart + (kTrainingEnd - kTrainingStart) * fraction), "INFO",
                     fmt::format("step {}/{} (loss {:.4f})", step, steps, loss)});
  }
  lines.push_back({at(0.97), "INFO",
                   finetune ? "Finalizing finetune" : "Saving LoRA weights and config"});
  return lines;
}

std::vector<SimLogLine> GenerationScript(const SimTimeline& t, std::int64_t steps) {
  std::vector<SimLogLine> lines;
  auto at = [&](double f) { return Lerp(t.started, t.finished, f); };
  lines.push_back({at(0.0), "INFO", "Loading LoRA weights"});
  std::int64_t reports = std::max<std::int64_t>(1, std::min<std::int64_t>(steps, 4));
  for (std::int64_t i = 1; i <= reports; ++i) {
    lines.push_back({at(0.1 + 0.8 * static_cast<double>(i) / static_cast<double>(reports)), "INFO",
                     fmt::format("step {}/{}", steps * i / reports, steps)});
  }
  return lines;
}

std::int64_t StepAt(const SimTimeline& t, std::int64_t steps, Clock::steady_time at) {
  if (t.finished <= t.started || steps <= 0) return 0;
  double f = static_cast<double>((at - t.started).count()) /
             static_cast<double>((t.finished - t.started).count());
  double training = (f - kTrainingStart) / (kTrainingEnd - kTrainingStart);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(training * static_cast<double>(steps)),
                                  0, steps);
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
