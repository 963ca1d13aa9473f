#include <faltrain/client/progress.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace faltrain;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

using Counter = std::pair<std::int64_t, std::int64_t>;

std::optional<Counter> C(std::int64_t step, std::int64_t total) { return Counter{step, total}; }

/// A status whose log list holds `messages`, as polling returns them (all logs so far).
RequestStatus Status(RequestPhase phase, std::vector<std::string> messages = {}) {
  RequestStatus s;
  s.phase = phase;
  s.status_text = phase == RequestPhase::kInQueue      ? "IN_QUEUE"
                  : phase == RequestPhase::kInProgress ? "IN_PROGRESS"
                  : phase == RequestPhase::kCompleted  ? "COMPLETED"
                                                       : "";
  for (auto& m : messages) s.logs.push_back(LogEntry{std::move(m), "INFO", "USER", ""});
  return s;
}

}  // namespace

TEST_CASE("ParseStepCounter: the documented patterns") {
  CHECK(ParseStepCounter("step 120/1000") == C(120, 1000));
  CHECK(ParseStepCounter("Step 120 of 1000") == C(120, 1000));
  CHECK(ParseStepCounter("120/1000 [00:10<01:20, 11.2it/s]") == C(120, 1000));
  CHECK(ParseStepCounter("iteration 5/300") == C(5, 300));
  CHECK(ParseStepCounter("steps: 12/100") == C(12, 100));
  CHECK(ParseStepCounter("step 120") == C(120, 0));
}

TEST_CASE("ParseStepCounter: variations seen in trainer logs") {
  CHECK(ParseStepCounter("[INFO] Training STEP 7 / 50, loss=0.12") == C(7, 50));
  CHECK(ParseStepCounter("Iterations: 300/300") == C(300, 300));
  CHECK(ParseStepCounter("iter 9/10") == C(9, 10));
  CHECK(ParseStepCounter("step=15/20") == C(15, 20));
  CHECK(ParseStepCounter("Step #3 of 4") == C(3, 4));
  CHECK(ParseStepCounter("  12%|\xe2\x96\x88\xe2\x96\x8f   | 120/1000 [00:10<01:20, 11.2it/s]") ==
        C(120, 1000));
  CHECK(ParseStepCounter("Epoch 1/3, step 40/1000") == C(40, 1000));
  CHECK(ParseStepCounter("Epoch 1/3: 4%| | 40/1000 [00:02<00:50]") == C(40, 1000));
  CHECK(ParseStepCounter("finished step 5.") == C(5, 0));
  CHECK(ParseStepCounter("step 0/10") == C(0, 10));
  CHECK(ParseStepCounter("iteration 5") == C(5, 0));
  // A counter with a total wins over an earlier one without.
  CHECK(ParseStepCounter("step 3 done; step 4/10 next") == C(4, 10));
}

TEST_CASE("ParseStepCounter: non-counters") {
  for (const char* line : {"", "Preprocessing images...", "Loading model", "steps: 1000",
                           "Steps 1000", "max_steps: 1000", "global_step=12", "misstep 5",
                           "stepping 5", "iterate 5", "Epoch 1/3", "2024/12/20 15:37:17",
                           "https://v3.fal.media/files/12/34 [x]", "v1/2 [beta]",
                           "loaded 3/10 images", "step", "step -5", "step 1.5/10",
                           "step 5x/10", "12:30/40 [", "/", "1/", "/2 ["}) {
    CAPTURE(line);
    CHECK_FALSE(ParseStepCounter(line));
  }
}

TEST_CASE("ParseStepCounter: rejects nonsense totals and huge numbers") {
  CHECK_FALSE(ParseStepCounter("step 1200/1000"));
  CHECK_FALSE(ParseStepCounter("step 3/0"));
  CHECK_FALSE(ParseStepCounter("5/0 [00:01<?]"));
  CHECK_FALSE(ParseStepCounter("11/10 [00:01<?]"));
  CHECK_FALSE(ParseStepCounter("step 9999999999999999999999/10"));
  CHECK_FALSE(ParseStepCounter("step 1/99999999999999999999"));
  CHECK(ParseStepCounter("step 999999999999999999/999999999999999999") ==
        C(999999999999999999, 999999999999999999));
}

TEST_CASE("ParseStepCounter never crashes on arbitrary bytes") {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
  for (std::size_t cut = 0; cut < junk.size(); cut += 97) (void)ParseStepCounter(junk.substr(cut));
  std::string long_line(100000, 's');
  CHECK_FALSE(ParseStepCounter(long_line));
  std::string digits(100000, '9');
  CHECK_FALSE(ParseStepCounter("step " + digits));
  CHECK_FALSE(ParseStepCounter(std::string("step\0 5/10", 10)));  // a NUL breaks the pattern
}

TEST_CASE("ProgressTracker: queued, preprocessing, training, saving, completed") {
  ProgressTracker t(1000, minutes(10));

  RequestStatus queued = Status(RequestPhase::kInQueue);
  queued.queue_position = 3;
  Progress p = t.Update(queued, seconds(5));
  CHECK(p.phase == RequestPhase::kInQueue);
  CHECK(p.phase_text == "queued");
  CHECK(p.percent == 0);
  CHECK(p.queue_position == 3);
  CHECK(p.elapsed == seconds(5));
  REQUIRE(p.eta);
  CHECK(*p.eta == minutes(10));
  CHECK_FALSE(p.step);

  p = t.Update(Status(RequestPhase::kInProgress, {"Preprocessing images..."}), seconds(10));
  CHECK(p.phase_text == "preprocessing");
  CHECK(p.percent == 0);  // running time 0 at the first IN_PROGRESS
  CHECK_FALSE(p.queue_position);
  REQUIRE(p.new_logs.size() == 1);
  CHECK(p.new_logs[0].message == "Preprocessing images...");

  p = t.Update(Status(RequestPhase::kInProgress, {"Preprocessing images...", "Cropping faces"}),
               seconds(70));
  CHECK(p.phase_text == "preprocessing");
  CHECK(p.percent == doctest::Approx(10.0));  // 1 of 10 estimated minutes
  REQUIRE(p.new_logs.size() == 1);
  CHECK(p.new_logs[0].message == "Cropping faces");
  REQUIRE(p.eta);
  CHECK(*p.eta == minutes(9));

  p = t.Update(Status(RequestPhase::kInProgress,
                      {"Preprocessing images...", "Cropping faces", "step 250/1000"}),
               seconds(130));
  CHECK(p.phase_text == "training");
  CHECK(p.step == 250);
  CHECK(p.total_steps == 1000);
  CHECK(p.percent == doctest::Approx(25.0));

  p = t.Update(Status(RequestPhase::kInProgress, {"Preprocessing images...", "Cropping faces",
                                                 "step 250/1000", "step 1000/1000"}),
               seconds(400));
  CHECK(p.phase_text == "saving");
  CHECK(p.percent == doctest::Approx(99.0));  // 100 is kept for completion
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(0));

  RequestStatus done = Status(RequestPhase::kCompleted);
  p = t.Update(done, seconds(420));
  CHECK(p.phase == RequestPhase::kCompleted);
  CHECK(p.phase_text == "completed");
  CHECK(p.percent == 100);
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(0));
  CHECK(p.new_logs.empty());
  CHECK(p.step == 1000);
}

TEST_CASE("ProgressTracker: time-based percent is capped at 95 and never negative ETA") {
  ProgressTracker t(0, minutes(4));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  Progress p = t.Update(Status(RequestPhase::kInProgress), minutes(2));
  CHECK(p.percent == doctest::Approx(50.0));
  REQUIRE(p.eta);
  CHECK(*p.eta == minutes(2));
  p = t.Update(Status(RequestPhase::kInProgress), minutes(30));
  CHECK(p.percent == doctest::Approx(95.0));
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(0));
  CHECK(p.phase_text == "preprocessing");
}

TEST_CASE("ProgressTracker: percent never decreases") {
  ProgressTracker t(1000, minutes(10));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  Progress p = t.Update(Status(RequestPhase::kInProgress), minutes(5));
  CHECK(p.percent == doctest::Approx(50.0));
  // A step counter that says less than the time-based guess does not move it back.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000"}), minutes(6));
  CHECK(p.percent == doctest::Approx(50.0));
  CHECK(p.step == 100);
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000", "step 700/1000"}), minutes(7));
  CHECK(p.percent == doctest::Approx(70.0));
  // A later, smaller counter (a second phase) keeps the percentage.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000", "step 700/1000", "step 10/1000"}),
               minutes(8));
  CHECK(p.percent == doctest::Approx(70.0));
  CHECK(p.step == 10);
  // An unknown status keeps it too.
  RequestStatus odd = Status(RequestPhase::kUnknown);
  odd.status_text = "CANCELED";
  p = t.Update(odd, minutes(9));
  CHECK(p.percent == doctest::Approx(70.0));
  CHECK(p.phase_text == "canceled");
  CHECK_FALSE(p.eta);
}

TEST_CASE("ProgressTracker: counters without a total use the expected steps") {
  ProgressTracker t(2500, minutes(20));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  Progress p = t.Update(Status(RequestPhase::kInProgress, {"step 500"}), minutes(4));
  CHECK(p.step == 500);
  CHECK(p.total_steps == 2500);
  CHECK(p.percent == doctest::Approx(20.0));
  CHECK(p.phase_text == "training");
  // A bare step beyond the expected count is not our counter.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 500", "step 99999"}), minutes(5));
  CHECK(p.step == 500);
  // The counter's own total wins over the expected steps.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 500", "step 99999", "step 600/800"}),
               minutes(6));
  CHECK(p.total_steps == 800);
  CHECK(p.percent == doctest::Approx(75.0));
}

TEST_CASE("ProgressTracker: bare counters with no expected steps fall back to time") {
  ProgressTracker t(0, minutes(10));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  Progress p = t.Update(Status(RequestPhase::kInProgress, {"step 50"}), minutes(3));
  CHECK(p.step == 50);
  CHECK_FALSE(p.total_steps);
  CHECK(p.phase_text == "training");
  CHECK(p.percent == doctest::Approx(30.0));
  REQUIRE(p.eta);
  CHECK(*p.eta == minutes(7));
}

TEST_CASE("ProgressTracker: ETA from the observed step rate") {
  ProgressTracker t(1000, minutes(60));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  // One observation: rate from the running time (100 steps in 100 s).
  Progress p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000"}), seconds(100));
  REQUIRE(p.eta);
  CHECK(*p.eta == seconds(900));
  // Two observations: 200 steps in 50 s = 0.25 s per step; 700 left.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000", "step 300/1000"}), seconds(150));
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(175000));
  // No new counter: the ETA counts down from the last one.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000", "step 300/1000"}), seconds(160));
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(165000));
  // ... and never below zero.
  p = t.Update(Status(RequestPhase::kInProgress, {"step 100/1000", "step 300/1000"}), seconds(900));
  REQUIRE(p.eta);
  CHECK(*p.eta == milliseconds(0));
}

TEST_CASE("ProgressTracker: an absurd step total gives a huge but valid ETA") {
  ProgressTracker t(0, minutes(1));
  t.Update(Status(RequestPhase::kInProgress), seconds(0));
  Progress p = t.Update(
      Status(RequestPhase::kInProgress, {"step 120/999999999999999999"}), seconds(10));
  REQUIRE(p.eta);
  CHECK(p.eta->count() > 0);
  CHECK(p.eta->count() <= 9000000000000000000LL);
  CHECK(p.percent >= 0);
  CHECK(p.percent < 1);
}

TEST_CASE("ProgressTracker: new_logs reports each log once") {
  ProgressTracker t(100, minutes(1));
  Progress p = t.Update(Status(RequestPhase::kInProgress, {"a", "b"}), seconds(1));
  CHECK(p.new_logs.size() == 2);
  p = t.Update(Status(RequestPhase::kInProgress, {"a", "b"}), seconds(2));
  CHECK(p.new_logs.empty());
  p = t.Update(Status(RequestPhase::kInProgress, {"a", "b", "c"}), seconds(3));
  REQUIRE(p.new_logs.size() == 1);
  CHECK(p.new_logs[0].message == "c");
  CHECK(p.new_logs[0].level == "INFO");
  // A status without logs (logs not requested) reports none and forgets nothing.
  p = t.Update(Status(RequestPhase::kInProgress), seconds(4));
  CHECK(p.new_logs.empty());
  p = t.Update(Status(RequestPhase::kInProgress, {"a", "b", "c", "d"}), seconds(5));
  REQUIRE(p.new_logs.size() == 1);
  CHECK(p.new_logs[0].message == "d");
}

TEST_CASE("ProgressTracker: a completed request with an error is 'failed' at 100%") {
  ProgressTracker t(100, minutes(1));
  RequestStatus s = Status(RequestPhase::kCompleted);
  s.error = "Invalid status code: 422";
  s.error_type = "validation_error";
  Progress p = t.Update(s, seconds(30));
  CHECK(p.phase_text == "failed");
  CHECK(p.percent == 100);
}

TEST_CASE("ProgressTracker: unknown estimate and unknown status") {
  ProgressTracker t(0, milliseconds(0));
  Progress p = t.Update(Status(RequestPhase::kInQueue), seconds(1));
  CHECK(p.phase_text == "queued");
  CHECK_FALSE(p.eta);
  p = t.Update(Status(RequestPhase::kInProgress), seconds(2));
  CHECK(p.percent == 0);
  CHECK_FALSE(p.eta);
  p = t.Update(Status(RequestPhase::kUnknown), seconds(3));
  CHECK(p.phase_text == "unknown");
  // Negative arguments are treated as zero.
  ProgressTracker negative(-5, milliseconds(-100));
  p = negative.Update(Status(RequestPhase::kInProgress, {"step 3"}), seconds(1));
  CHECK(p.step == 3);
  CHECK_FALSE(p.total_steps);
  CHECK_FALSE(p.eta);
}
