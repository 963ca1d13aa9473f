#pragma once
// Shows training progress: a redrawn bar on a terminal, plain lines in a pipe or a log file, or
// JSON lines with --json.

#include <faltrain/client/progress.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace faltrain_cli {

enum class ViewMode { kTty, kPlain, kJson };

class ProgressView {
 public:
  /// kJson when `json`, else kTty when `out` is a terminal, else kPlain.
  static ViewMode Detect(bool json, std::FILE* out);

  /// `all_logs`: also print log lines that only count steps (the bar already shows the step).
  ProgressView(ViewMode mode, std::FILE* out, bool all_logs = false)
      : mode_(mode), out_(out), all_logs_(all_logs) {}
  ProgressView(const ProgressView&) = delete;
  ProgressView& operator=(const ProgressView&) = delete;
  ~ProgressView() { Finish(); }

  void Update(const faltrain::Progress& progress);
  /// Ends the bar's line (terminal mode) so later output starts on a fresh line.
  void Finish();

 private:
  std::string StatusLine(const faltrain::Progress& p, bool with_bar) const;
  void DrawBar();
  bool ShowLog(const faltrain::LogEntry& log) const;

  ViewMode mode_;
  std::FILE* out_;
  bool all_logs_;
  bool bar_drawn_ = false;
  std::string bar_line_;
  // Plain mode prints only when something a person would notice changed.
  std::string last_phase_;
  int last_percent_ = -1;
  std::optional<int> last_queue_position_;
};

/// "45s", "2m10s", "1h02m".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace faltrain_cli
