// libFuzzer target for the server-sent events parser and the status stream reader (private
// helpers of faltrain::client: this target sees src/). The input is fed in pieces whose sizes
// come from its first byte; every dispatched event's data is read as a status.
// Checks: never crashes; the same events come out whatever the split; every status read holds at
// least the logs of the one before (logs only accumulate).

#include "client/detail/sse_parser.hpp"
#include "client/detail/status_stream.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace faltrain;

void Require(bool condition) {
  if (!condition) std::abort();
}

std::vector<std::string> Events(std::string_view input, std::size_t piece, bool& ok) {
  detail::SseParser parser(4096);
  std::vector<std::string> data;
  ok = true;
  for (std::size_t at = 0; at < input.size() && ok; at += piece) {
    ok = parser.Feed(input.substr(at, piece), [&](const detail::SseEvent& e) {
      data.push_back(e.data);
      return true;
    }).has_value();
  }
  return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + bytes[0] % 16;
  std::string_view input(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  bool ok_whole = false, ok_split = false;
  auto whole = Events(input, input.size() + 1, ok_whole);
  auto split = Events(input, piece, ok_split);
  if (ok_whole && ok_split) Require(whole == split);

  detail::StatusEventReader reader;
  std::size_t logs = 0;
  for (const auto& data : split) {
    auto status = reader.Read(data);
    if (!status) continue;
    Require(status->logs.size() >= logs);
    logs = status->logs.size();
  }
  return 0;
}
