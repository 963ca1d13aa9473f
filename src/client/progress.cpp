#include <faltrain/client/progress.hpp>

#include <algorithm>
#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace {

using std::chrono::milliseconds;
using Counter = std::pair<std::int64_t, std::int64_t>;

constexpr std::size_t kMaxDigits = 18;  // always fits in int64

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

/// Case-insensitive "does `s` continue with `word` at `pos`".
bool HasWordAt(std::string_view s, std::size_t pos, std::string_view word) {
  if (s.size() - pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (Lower(s[pos + i]) != word[i]) return false;
  }
  return true;
}

/// True when a number that ended at `pos` runs on into a word or a decimal ("5x", "1.5").
bool RunsOn(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return false;
  if (IsAlpha(s[pos])) return true;
  return s[pos] == '.' && pos + 1 < s.size() && IsDigit(s[pos + 1]);
}

/// Reads 1..18 digits at `pos`; advances `pos` past them.
std::optional<std::int64_t> ReadNumber(std::string_view s, std::size_t& pos) {
  std::size_t start = pos;
  while (pos < s.size() && IsDigit(s[pos])) ++pos;
  std::size_t length = pos - start;
  if (length == 0 || length > kMaxDigits) return std::nullopt;
  std::int64_t value = 0;
  for (std::size_t i = start; i < pos; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

void SkipSpaces(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
}

bool Sensible(std::int64_t step, std::int64_t total) { return total > 0 && step <= total; }

/// "step 120/1000", "Step 120 of 1000", "steps: 12/100", "iteration 5" at `pos`.
/// Sets `total` to 0 when the keyword is singular and no total follows.
std::optional<Counter> KeywordCounterAt(std::string_view s, std::size_t pos) {
  if (pos > 0 && IsWordChar(s[pos - 1])) return std::nullopt;  // "max_steps", "misstep"
  std::size_t p = pos;
  if (HasWordAt(s, p, "iteration")) {
    p += 9;
  } else if (HasWordAt(s, p, "iter")) {
    p += 4;
  } else if (HasWordAt(s, p, "step")) {
    p += 4;
  } else {
    return std::nullopt;
  }
  bool plural = p < s.size() && Lower(s[p]) == 's';
  if (plural) ++p;
  if (p < s.size() && IsWordChar(s[p])) return std::nullopt;  // "stepping", "iterate"
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == ':' || s[p] == '=' ||
                          s[p] == '#' || s[p] == '[' || s[p] == '(')) {
    ++p;
  }
  auto step = ReadNumber(s, p);
  if (!step || RunsOn(s, p)) return std::nullopt;
  SkipSpaces(s, p);
  bool has_separator = false;
  if (p < s.size() && s[p] == '/') {
    ++p;
    has_separator = true;
  } else if (HasWordAt(s, p, "of") && (p + 2 == s.size() || !IsWordChar(s[p + 2]))) {
    p += 2;
    has_separator = true;
  }
  if (has_separator) {
    SkipSpaces(s, p);
    bool total_follows = p < s.size() && IsDigit(s[p]);
    auto total = ReadNumber(s, p);
    if (total_follows) {
      // "step 1200/1000", "step 3/0", a 30-digit total, "step 1/2.5": nonsense, not a bare step.
      if (!total || RunsOn(s, p) || !Sensible(*step, *total)) return std::nullopt;
      return Counter{*step, *total};
    }
  }
  if (plural) return std::nullopt;  // "Steps: 1000" is a setting, not progress
  return Counter{*step, 0};
}

/// tqdm's "120/1000 [00:10<01:20, 11.2it/s]" with `pos` at the '/'.
std::optional<Counter> TqdmCounterAt(std::string_view s, std::size_t slash) {
  std::size_t begin = slash;
  while (begin > 0 && IsDigit(s[begin - 1])) --begin;
  if (begin == slash || slash - begin > kMaxDigits) return std::nullopt;
  if (begin > 0) {
    char before = s[begin - 1];
    if (IsWordChar(before) || before == '/' || before == '.' || before == ':' || before == '-') {
      return std::nullopt;  // dates, paths, versions, times
    }
  }
  std::size_t p = begin;
  auto step = ReadNumber(s, p);
  p = slash + 1;
  auto total = ReadNumber(s, p);
  if (!step || !total) return std::nullopt;
  SkipSpaces(s, p);
  if (p >= s.size() || s[p] != '[') return std::nullopt;
  if (!Sensible(*step, *total)) return std::nullopt;
  return Counter{*step, *total};
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> ParseStepCounter(std::string_view line) {
  std::optional<Counter> without_total;
  for (std::size_t pos = 0; pos < line.size(); ++pos) {
    char c = Lower(line[pos]);
    if (c != 's' && c != 'i') continue;
    if (auto counter = KeywordCounterAt(line, pos)) {
      if (counter->second > 0) return counter;
      if (!without_total) without_total = counter;
    }
  }
  for (std::size_t pos = line.find('/'); pos != std::string_view::npos;
       pos = line.find('/', pos + 1)) {
    if (auto counter = TqdmCounterAt(line, pos)) return counter;
  }
  return without_total;
}

ProgressTracker::ProgressTracker(std::int64_t expected_steps, milliseconds estimate)
    : expected_steps_(std::max<std::int64_t>(0, expected_steps)),
      estimate_(std::max(milliseconds(0), estimate)) {}

Progress ProgressTracker::Update(const RequestStatus& status, milliseconds now_elapsed) {
  Progress p;
  p.phase = status.phase;
  p.queue_position = status.queue_position;
  p.elapsed = now_elapsed;

  if (status.phase == RequestPhase::kInProgress && !running_since_) running_since_ = now_elapsed;

  // Polling returns every log so far: report only the tail not seen before.
  if (status.logs.size() > logs_seen_) {
    p.new_logs.assign(status.logs.begin() + static_cast<std::ptrdiff_t>(logs_seen_),
                      status.logs.end());
    logs_seen_ = status.logs.size();
  }
  for (const LogEntry& log : p.new_logs) {
    auto counter = ParseStepCounter(log.message);
    if (!counter) continue;
    auto [step, total] = *counter;
    if (total == 0) {
      if (expected_steps_ > 0 && step > expected_steps_) continue;  // not our step count
      total = expected_steps_;
    }
    if (!first_counter_at_ || (step_ && step < *step_)) {
      first_counter_at_ = now_elapsed;
      first_counter_step_ = step;
    }
    last_counter_at_ = now_elapsed;
    step_ = step;
    total_ = total > 0 ? std::optional<std::int64_t>(total) : std::nullopt;
  }
  p.step = step_;
  p.total_steps = total_;

  const milliseconds running =
      running_since_ ? std::max(milliseconds(0), now_elapsed - *running_since_) : milliseconds(0);
  auto time_eta = [&]() -> std::optional<milliseconds> {
    if (estimate_.count() <= 0) return std::nullopt;
    return std::max(milliseconds(0), estimate_ - running);
  };

  double percent = last_percent_;
  switch (status.phase) {
    case RequestPhase::kInQueue:
      phase_text_ = "queued";
      p.eta = time_eta();
      break;
    case RequestPhase::kInProgress: {
      if (!step_) {
        phase_text_ = "preprocessing";
      } else if (total_ && *step_ >= *total_) {
        phase_text_ = "saving";
      } else {
        phase_text_ = "training";
      }
      if (step_ && total_) {
        percent = std::min(99.0, 100.0 * static_cast<double>(*step_) / static_cast<double>(*total_));
      } else if (estimate_.count() > 0) {
        percent = std::min(95.0, 100.0 * static_cast<double>(running.count()) /
                                     static_cast<double>(estimate_.count()));
      }
      p.eta = time_eta();
      if (step_ && total_ && *step_ > 0) {
        // Rate between two observations; with only one, since the request started running.
        double ms_per_step = 0;
        if (*step_ > first_counter_step_ && *last_counter_at_ > *first_counter_at_) {
          ms_per_step = static_cast<double>((*last_counter_at_ - *first_counter_at_).count()) /
                        static_cast<double>(*step_ - first_counter_step_);
        } else if (running_since_) {
          ms_per_step = static_cast<double>((*last_counter_at_ - *running_since_).count()) /
                        static_cast<double>(*step_);
        }
        if (ms_per_step > 0) {
          double remaining = static_cast<double>(std::max<std::int64_t>(0, *total_ - *step_)) *
                                 ms_per_step -
                             static_cast<double>((now_elapsed - *last_counter_at_).count());
          // Absurd totals (a 18-digit step count) must not overflow the conversion.
          constexpr double kMaxEtaMs = 9.0e18;
          p.eta = milliseconds(
              static_cast<milliseconds::rep>(std::clamp(remaining, 0.0, kMaxEtaMs)));
        }
      }
      break;
    }
    case RequestPhase::kCompleted:
      phase_text_ = status.error.empty() ? "completed" : "failed";
      percent = 100;
      p.eta = milliseconds(0);
      break;
    case RequestPhase::kUnknown:
      phase_text_ = status.status_text.empty() ? "unknown" : LowerCopy(status.status_text);
      break;
  }
  last_percent_ = std::max(last_percent_, percent);
  p.percent = last_percent_;
  p.phase_text = phase_text_;
  return p;
}

}  // namespace v1
}  // namespace faltrain
