#pragma once
/// @file
/// faltrain's version, for user agents and diagnostics.

#include <string_view>

#define FALTRAIN_VERSION_MAJOR 0  ///< major version, raised for incompatible API changes
#define FALTRAIN_VERSION_MINOR 1  ///< minor version, raised for compatible additions
#define FALTRAIN_VERSION_PATCH 0  ///< patch version, raised for fixes

namespace faltrain {
inline namespace v1 {

/// The library version as "MAJOR.MINOR.PATCH".
constexpr std::string_view version() noexcept { return "0.1.0"; }

}  // namespace v1
}  // namespace faltrain
