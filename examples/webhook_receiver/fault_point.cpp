#include "fault_point.hpp"

#ifdef FALTRAIN_FAULT_POINTS
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <string>

void FaultPoint(const char* point) {
  static const std::string spec = [] {
    const char* v = std::getenv("FALTRAIN_CRASH_AT");
    return std::string(v ? v : "");
  }();
  static std::atomic<int> arrivals{0};
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || spec.compare(0, colon, point) != 0) return;
  if (++arrivals == std::atoi(spec.c_str() + colon + 1)) raise(SIGKILL);
}
#else
void FaultPoint(const char*) {}
#endif
