#pragma once
// The simulator's source of randomness: one seeded generator, so a seed reproduces every id, file
// name and fault decision. Not thread-safe: the simulator calls it under its own lock. Private.

#include <cstdint>
#include <random>
#include <string>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimRandom {
 public:
  /// `seed` 0 draws a seed from std::random_device.
  explicit SimRandom(std::uint64_t seed);

  std::uint64_t Next() { return engine_(); }
  /// Uniform in [0, 1).
  double Uniform();
  /// `n` lowercase hex digits.
  std::string Hex(std::size_t n);
  /// A version-4 UUID text, e.g. "80e732af-660e-45cd-bd63-580e4f2a94cc".
  std::string Uuid();
  /// `n` characters of the nanoid alphabet [A-Za-z0-9_-] (fal's CDN file ids).
  std::string NanoId(std::size_t n);
  /// `n` raw bytes.
  std::string Bytes(std::size_t n);

 private:
  std::mt19937_64 engine_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
