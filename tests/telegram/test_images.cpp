#include "test_images.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace faltrain_bot_test {
namespace {

void Put32(std::string& out, unsigned long v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void Chunk(std::string& png, const char* type, const std::string& data) {
  Put32(png, data.size());
  std::string body = std::string(type, 4) + data;
  png += body;
  Put32(png, crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string MakePng(int seed) {
  constexpr int kSide = 8;
  std::string raw;
  for (int y = 0; y < kSide; ++y) {
    raw.push_back('\0');  // filter: none
    for (int x = 0; x < kSide; ++x) {
      raw.push_back(static_cast<char>((seed * 37 + x * 11) & 0xff));
      raw.push_back(static_cast<char>((seed * 91 + y * 13) & 0xff));
      raw.push_back(static_cast<char>((seed * 53 + x * y) & 0xff));
    }
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(size, '\0');
  compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()));
  compressed.resize(size);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  Put32(ihdr, kSide);
  Put32(ihdr, kSide);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, no interlace
  Chunk(png, "IHDR", ihdr);
  Chunk(png, "IDAT", compressed);
  Chunk(png, "IEND", "");
  return png;
}

std::string TinyJpeg() { return ReadFile(std::string(TELEGRAM_TEST_DATA_DIR) + "/face.jpg"); }
std::string NotAnImage() { return ReadFile(std::string(TELEGRAM_TEST_DATA_DIR) + "/notes.txt"); }

}  // namespace faltrain_bot_test
