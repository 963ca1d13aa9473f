#pragma once
// What to do about a report, in plain English sentences. Private.

#include <faltrain/preflight/options.hpp>
#include <faltrain/preflight/report.hpp>

#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// One sentence per kind of problem: rejected photos, photos with warnings, the set's size.
std::vector<std::string> Advise(const PreflightReport& report, const PreflightOptions& options);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
