#include "testing/detail/sim_faults.hpp"

#include "testing/detail/sim_random.hpp"

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {

std::optional<SimFault> SimFaultTable::Take(std::initializer_list<SimFaultKind> kinds,
                                            SimOperation operation, std::string_view endpoint_id,
                                            std::string_view request_id, std::string_view input,
                                            SimRandom& random) {
  for (auto& rule : rules_) {
    if (rule.count == 0) continue;
    if (std::find(kinds.begin(), kinds.end(), rule.kind) == kinds.end()) continue;
    if (rule.operation != SimOperation::kAny && rule.operation != operation) continue;
    if (!rule.endpoint_id.empty() && endpoint_id.substr(0, rule.endpoint_id.size()) != rule.endpoint_id) {
      continue;
    }
    if (!rule.request_id.empty() && request_id != rule.request_id) continue;
    if (!rule.input_marker.empty() && input.find(rule.input_marker) == std::string_view::npos) continue;
    // Draw only for fractional rates so that rate-1 rules leave the id sequence untouched.
    if (rule.rate < 1.0 && random.Uniform() >= rule.rate) continue;
    if (rule.count > 0) --rule.count;
    return rule;
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
