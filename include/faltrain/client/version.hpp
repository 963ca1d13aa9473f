#pragma once
// faltrain's version, for user agents and diagnostics.

#include <string_view>

#define FALTRAIN_VERSION_MAJOR 0
#define FALTRAIN_VERSION_MINOR 1
#define FALTRAIN_VERSION_PATCH 0

namespace faltrain {
inline namespace v1 {

/// The library version as "MAJOR.MINOR.PATCH".
constexpr std::string_view version() noexcept { return "0.1.0"; }

}  // namespace v1
}  // namespace faltrain
