#include "progress_view.hpp"

#include "json_out.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>

namespace faltrain_cli {
namespace {

constexpr int kBarWidth = 24;

int TerminalColumns(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

std::string FormatDuration(std::chrono::milliseconds d) {
  long long s = std::max<long long>(0, d.count() / 1000);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

ViewMode ProgressView::Detect(bool json, std::FILE* out) {
  if (json) return ViewMode::kJson;
  return isatty(fileno(out)) ? ViewMode::kTty : ViewMode::kPlain;
}

std::string ProgressView::StatusLine(const faltrain::Progress& p, bool with_bar) const {
  std::string line;
  if (with_bar) {
    int filled = static_cast<int>(std::lround(p.percent / 100.0 * kBarWidth));
    filled = std::max(0, std::min(kBarWidth, filled));
    line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '-') + "] ";
  } else {
    line = "progress: ";
  }
  char pct[16];
  std::snprintf(pct, sizeof pct, with_bar ? "%5.1f%%" : "%.0f%%", p.percent);
  line += pct;
  line += "  " + (p.phase_text.empty() ? std::string(PhaseName(p.phase)) : p.phase_text);
  if (p.queue_position && p.phase == faltrain::RequestPhase::kInQueue) {
    line += "  queue position " + std::to_string(*p.queue_position);
  }
  if (p.step && p.total_steps && *p.total_steps > 0) {
    line += "  step " + std::to_string(*p.step) + "/" + std::to_string(*p.total_steps);
  }
  line += "  elapsed " + FormatDuration(p.elapsed);
  if (p.eta) line += "  ETA " + FormatDuration(*p.eta);
  return line;
}

void ProgressView::DrawBar() {
  std::string line = bar_line_;
  auto columns = static_cast<std::size_t>(TerminalColumns(out_));
  if (line.size() >= columns) line.resize(columns - 1);  // a wrapped line cannot be redrawn
  std::fprintf(out_, "\r\x1b[K%s", line.c_str());
  std::fflush(out_);
  bar_drawn_ = true;
}

bool ProgressView::ShowLog(const faltrain::LogEntry& log) const {
  return all_logs_ || !faltrain::ParseStepCounter(log.message);
}

void ProgressView::Update(const faltrain::Progress& p) {
  switch (mode_) {
    case ViewMode::kJson:
      std::fprintf(out_, "%s\n", ProgressJson(p).c_str());
      std::fflush(out_);
      return;
    case ViewMode::kTty:
      for (const auto& log : p.new_logs) {
        if (ShowLog(log)) std::fprintf(out_, "\r\x1b[K  %s\n", log.message.c_str());
      }
      bar_line_ = StatusLine(p, /*with_bar=*/true);
      DrawBar();
      return;
    case ViewMode::kPlain: {
      for (const auto& log : p.new_logs) {
        if (ShowLog(log)) std::fprintf(out_, "log: %s\n", log.message.c_str());
      }
      int percent = static_cast<int>(p.percent);
      if (p.phase_text != last_phase_ || percent != last_percent_ ||
          p.queue_position != last_queue_position_) {
        std::fprintf(out_, "%s\n", StatusLine(p, /*with_bar=*/false).c_str());
        last_phase_ = p.phase_text;
        last_percent_ = percent;
        last_queue_position_ = p.queue_position;
      }
      std::fflush(out_);
      return;
    }
  }
}

void ProgressView::Finish() {
  if (mode_ == ViewMode::kTty && bar_drawn_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    bar_drawn_ = false;
  }
}

}  // namespace faltrain_cli
