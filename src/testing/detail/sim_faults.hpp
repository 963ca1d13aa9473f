#pragma once
// The simulator's fault rules: which rule fires for a call or a request, with a seeded coin for
// rates and a budget per rule. Not thread-safe (the simulator holds its lock). Private.

#include <faltrain/testing/sim_transport.hpp>

#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimRandom;

class SimFaultTable {
 public:
  void Add(SimFault fault) { rules_.push_back(std::move(fault)); }
  /// The first rule of one of `kinds` whose matchers all match and whose coin lands, spending one
  /// of its `count`. `operation` matters only to rules that name one.
  std::optional<SimFault> Take(std::initializer_list<SimFaultKind> kinds, SimOperation operation,
                               std::string_view endpoint_id, std::string_view request_id,
                               std::string_view input, SimRandom& random);

 private:
  std::vector<SimFault> rules_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
