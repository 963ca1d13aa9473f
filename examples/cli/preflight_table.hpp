#pragma once
// A preflight report as a table for people (photo, verdict, size, faces, reasons), then the set's
// verdict and the advice: what `faltrain check` prints, and what the demo shows before training.

#include <faltrain/preflight/report.hpp>

#include <cstdio>
#include <string>

namespace faltrain_cli {

/// "reject: 8 of 10 photos usable (the trainer needs 10)", then any set reasons.
std::string PreflightSummaryLine(const faltrain::PreflightReport& report);
/// The table, a blank line, the summary line and the advice, one line each.
void PrintPreflightTable(std::FILE* out, const faltrain::PreflightReport& report);

}  // namespace faltrain_cli
