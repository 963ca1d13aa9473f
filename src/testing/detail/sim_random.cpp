#include "testing/detail/sim_random.hpp"

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

std::uint64_t SeedOrRandom(std::uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

SimRandom::SimRandom(std::uint64_t seed) : engine_(SeedOrRandom(seed)) {}

double SimRandom::Uniform() {
  // 53 random bits → [0, 1) exactly representable, identical on every platform (unlike
  // std::uniform_real_distribution, whose algorithm is unspecified).
  return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
}

std::string SimRandom::Hex(std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out += kDigits[engine_() & 15];
  return out;
}

std::string SimRandom::Uuid() {
  std::string hex = Hex(32);
  hex[12] = '4';                              // version 4
  hex[16] = "89ab"[engine_() & 3];            // RFC 4122 variant
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string SimRandom::NanoId(std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out += kAlphabet[engine_() & 63];
  return out;
}

std::string SimRandom::Bytes(std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(engine_() & 0xff);
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
