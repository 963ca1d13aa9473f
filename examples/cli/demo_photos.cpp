#include "demo_photos.hpp"

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <system_error>

namespace faltrain_cli {
namespace {

void PutBigEndian32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void AppendChunk(std::string& png, const char* type, const std::string& data) {
  PutBigEndian32(png, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  PutBigEndian32(png, static_cast<std::uint32_t>(crc));
}

struct Rgb {
  double r, g, b;
};

Rgb Mix(Rgb a, Rgb b, double t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

}  // namespace

std::string DemoPortraitPng(int index, int size) {
  // Varied by index: background hue, skin tone, a small head offset and tilt of the smile.
  const double hue = (index * 47 % 360) / 360.0 * 6.283185307;
  const Rgb top{128 + 100 * std::cos(hue), 128 + 100 * std::cos(hue + 2.1), 128 + 100 * std::cos(hue + 4.2)};
  const Rgb bottom{40, 40, 60};
  const Rgb skins[] = {{236, 188, 150}, {198, 134, 66}, {141, 85, 36}, {255, 219, 172}};
  const Rgb skin = skins[index % 4];
  const double cx = size * (0.5 + 0.04 * ((index % 3) - 1));
  const double cy = size * 0.52;
  const double rx = size * 0.28, ry = size * 0.36;

  std::string raw;
  raw.reserve(static_cast<std::size_t>(size) * (size * 3 + 1));
  for (int y = 0; y < size; ++y) {
    raw += '\0';  // filter type: none
    for (int x = 0; x < size; ++x) {
      Rgb c = Mix(top, bottom, static_cast<double>(y) / size);
      double dx = (x - cx) / rx, dy = (y - cy) / ry;
      if (dx * dx + dy * dy <= 1.0) {
        c = skin;
        // Eyes.
        for (double ex : {cx - rx * 0.4, cx + rx * 0.4}) {
          double ddx = x - ex, ddy = y - (cy - ry * 0.2);
          if (ddx * ddx + ddy * ddy <= (size * 0.035) * (size * 0.035)) c = {30, 30, 30};
        }
        // Smile: a thin arc below the centre.
        double mdx = (x - cx) / (rx * 0.5), mdy = (y - (cy + ry * 0.25)) / (ry * 0.2);
        double r = mdx * mdx + mdy * mdy;
        if (r > 0.7 && r < 1.0 && y > cy + ry * 0.25 + (index % 2)) c = {150, 40, 50};
      }
      raw += static_cast<char>(static_cast<std::uint8_t>(std::max(0.0, std::min(255.0, c.r))));
      raw += static_cast<char>(static_cast<std::uint8_t>(std::max(0.0, std::min(255.0, c.g))));
      raw += static_cast<char>(static_cast<std::uint8_t>(std::max(0.0, std::min(255.0, c.b))));
    }
  }

  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
            reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 9);
  compressed.resize(compressed_size);

  std::string png("\x89PNG\r\n\x1A\n", 8);
  std::string ihdr;
  PutBigEndian32(ihdr, static_cast<std::uint32_t>(size));
  PutBigEndian32(ihdr, static_cast<std::uint32_t>(size));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter set, no interlace
  AppendChunk(png, "IHDR", ihdr);
  AppendChunk(png, "IDAT", compressed);
  AppendChunk(png, "IEND", {});
  return png;
}

faltrain::result<void> WriteDemoPhotos(const std::filesystem::path& dir, int count) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return faltrain::fail(faltrain::errc::io_error,
                          "cannot create " + dir.string() + ": " + ec.message());
  }
  for (int i = 1; i <= count; ++i) {
    char stem[32];
    std::snprintf(stem, sizeof stem, "portrait_%02d", i);
    std::ofstream png(dir / (std::string(stem) + ".png"), std::ios::binary | std::ios::trunc);
    png << DemoPortraitPng(i);
    std::ofstream caption(dir / (std::string(stem) + ".txt"), std::ios::trunc);
    caption << "a photo of [trigger], portrait " << i;
    if (!png || !caption) {
      return faltrain::fail(faltrain::errc::io_error, "cannot write photos into " + dir.string());
    }
  }
  return faltrain::success();
}

}  // namespace faltrain_cli
