#pragma once
// Turns measurements into reasons and verdicts: each photo's own reasons, near-duplicates across
// the set, the set's size, and the overall verdict. Private.

#include <faltrain/preflight/options.hpp>
#include <faltrain/preflight/report.hpp>

#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Adds the reasons a readable photo's measurements give (all but `duplicate`).
void JudgePhoto(const PreflightOptions& options, PhotoCheck& check);

/// Marks near-duplicates: photos without other rejecting reasons are kept first (then set order),
/// and each later match gets `duplicate` with `duplicate_of` naming the photo kept.
void MarkDuplicates(const PreflightOptions& options, std::vector<PhotoCheck>& photos);

/// Sorts each photo's reasons, sets the photo verdicts, counts usable photos, adds the set reasons
/// and the overall verdict.
void Conclude(const PreflightOptions& options, PreflightReport& report);

/// `reject` unless `options.warning_reasons` lists the reason.
Verdict SeverityOf(Reason reason, const PreflightOptions& options);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
