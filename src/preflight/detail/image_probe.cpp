#include "preflight/detail/image_probe.hpp"

#include <cstddef>
#include <cstdint>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

std::uint32_t Byte(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }
std::uint32_t Be16(std::string_view s, std::size_t i) { return Byte(s, i) << 8 | Byte(s, i + 1); }
std::uint32_t Le16(std::string_view s, std::size_t i) { return Byte(s, i + 1) << 8 | Byte(s, i); }
std::uint32_t Be32(std::string_view s, std::size_t i) { return Be16(s, i) << 16 | Be16(s, i + 2); }
std::uint32_t Le32(std::string_view s, std::size_t i) { return Le16(s, i + 2) << 16 | Le16(s, i); }
std::uint32_t Le24(std::string_view s, std::size_t i) { return Byte(s, i + 2) << 16 | Le16(s, i); }

bool IsStartOfFrame(std::uint32_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// After a start-of-scan header: skips the entropy-coded data (stuffed 0xFF00 bytes, restart
// markers and fill bytes) and returns the offset of the next marker's 0xFF, or npos at the end.
std::size_t SkipScan(std::string_view s, std::size_t pos) {
  for (; pos + 1 < s.size(); ++pos) {
    if (Byte(s, pos) != 0xFF) continue;
    const auto next = Byte(s, pos + 1);
    if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7)) continue;
    return pos;
  }
  return std::string_view::npos;
}

void ReadSegment(std::uint32_t marker, std::string_view segment, ImageProbe& probe) {
  if (IsStartOfFrame(marker) && segment.size() >= 5) {
    probe.height = static_cast<int>(Be16(segment, 1));
    probe.width = static_cast<int>(Be16(segment, 3));
  } else if (marker == 0xE1 && segment.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
    probe.orientation = ExifOrientation(segment.substr(6));
  }
}

ImageProbe ProbeJpeg(std::string_view s) {
  ImageProbe probe;
  probe.format = "jpeg";
  std::size_t pos = 2;
  while (true) {
    while (pos < s.size() && Byte(s, pos) != 0xFF) ++pos;  // stray bytes, as libjpeg skips them
    while (pos < s.size() && Byte(s, pos) == 0xFF) ++pos;
    if (pos >= s.size()) break;
    const auto marker = Byte(s, pos++);
    if (marker == 0xD9) {
      probe.complete = true;
      return probe;
    }
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
    if (pos + 2 > s.size() || pos + Be16(s, pos) > s.size()) break;
    const auto length = Be16(s, pos);
    if (length < 2) break;
    ReadSegment(marker, s.substr(pos + 2, length - 2), probe);
    pos += length;
    if (marker == 0xDA && (pos = SkipScan(s, pos)) == std::string_view::npos) break;
  }
  probe.problem = "truncated: the JPEG data ends before its end-of-image marker";
  return probe;
}

ImageProbe ProbePng(std::string_view s) {
  ImageProbe probe;
  probe.format = "png";
  if (s.size() >= 24) {
    probe.width = static_cast<int>(Be32(s, 16));
    probe.height = static_cast<int>(Be32(s, 20));
  }
  for (std::size_t pos = 8; pos + 12 <= s.size();) {
    const std::size_t length = Be32(s, pos);
    if (length > s.size() - pos - 12) break;
    if (s.substr(pos + 4, 4) == "IEND") {
      probe.complete = true;
      return probe;
    }
    pos += 12 + length;
  }
  probe.problem = "truncated: the PNG data ends before its IEND chunk";
  return probe;
}

ImageProbe ProbeWebp(std::string_view s) {
  ImageProbe probe;
  probe.format = "webp";
  const auto chunk = s.substr(12, 4);
  if (chunk == "VP8X" && s.size() >= 30) {
    probe.width = static_cast<int>(Le24(s, 24) + 1);
    probe.height = static_cast<int>(Le24(s, 27) + 1);
  } else if (chunk == "VP8 " && s.size() >= 30) {
    probe.width = static_cast<int>(Le16(s, 26) & 0x3FFF);
    probe.height = static_cast<int>(Le16(s, 28) & 0x3FFF);
  } else if (chunk == "VP8L" && s.size() >= 25) {
    const auto bits = Le32(s, 21);
    probe.width = static_cast<int>((bits & 0x3FFF) + 1);
    probe.height = static_cast<int>((bits >> 14 & 0x3FFF) + 1);
  }
  probe.complete = s.size() >= 8 && s.size() - 8 >= Le32(s, 4);
  if (!probe.complete)
    probe.problem = "truncated: the WebP data is shorter than its RIFF header says";
  return probe;
}

}  // namespace

int ExifOrientation(std::string_view tiff) {
  if (tiff.size() < 8) return 1;
  const bool big = tiff.substr(0, 2) == "MM";
  if (!big && tiff.substr(0, 2) != "II") return 1;
  auto u16 = [&](std::size_t i) { return big ? Be16(tiff, i) : Le16(tiff, i); };
  auto u32 = [&](std::size_t i) { return big ? Be32(tiff, i) : Le32(tiff, i); };
  const std::size_t ifd = u32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
  const std::size_t count = u16(ifd);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.size()) break;
    if (u16(entry) != 0x0112) continue;
    const auto value = u16(entry + 8);
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

ImageProbe ProbeImage(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xFF\xD8\xFF") return ProbeJpeg(s);
  if (s.size() >= 8 && s.substr(0, 8) == "\x89PNG\r\n\x1A\n") return ProbePng(s);
  if (s.size() >= 16 && s.substr(0, 4) == "RIFF" && s.substr(8, 4) == "WEBP") return ProbeWebp(s);
  ImageProbe probe;
  probe.problem = "not a JPEG, PNG or WebP image";
  return probe;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
