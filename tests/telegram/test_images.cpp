#include "test_images.hpp"

#include <zlib.h>

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
#include "sample_portraits.hpp"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>
#endif

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

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
namespace {

const std::vector<std::string>& Portraits() {
  static const std::vector<std::string> portraits = [] {
    auto made = faltrain_examples::SamplePortraitJpegs(faltrain_examples::kMaxSamplePortraits);
    REQUIRE_MESSAGE(made, made.error().to_string());
    return std::move(made).value();
  }();
  return portraits;
}

cv::Mat Decoded(const std::string& jpeg) {
  return cv::imdecode(cv::Mat(1, static_cast<int>(jpeg.size()), CV_8U, const_cast<char*>(jpeg.data())),
                      cv::IMREAD_COLOR);
}

std::string Jpeg(const cv::Mat& image) {
  std::vector<uchar> bytes;
  REQUIRE(cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 85}));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

std::string GoodPhoto(int seed) { return Portraits()[static_cast<std::size_t>(seed) % Portraits().size()]; }

std::string NearCopy(int seed) {
  cv::Mat smaller;
  cv::resize(Decoded(GoodPhoto(seed)), smaller, cv::Size(600, 600), 0, 0, cv::INTER_AREA);
  return Jpeg(smaller);
}

std::string Blurred(int seed) {
  cv::Mat blurred;
  cv::GaussianBlur(Decoded(GoodPhoto(seed)), blurred, cv::Size(), 6);
  return Jpeg(blurred);
}
#else
std::string GoodPhoto(int seed) { return MakePng(seed); }
#endif

std::string TinyJpeg() { return ReadFile(std::string(TELEGRAM_TEST_DATA_DIR) + "/face.jpg"); }
std::string NotAnImage() { return ReadFile(std::string(TELEGRAM_TEST_DATA_DIR) + "/notes.txt"); }

}  // namespace faltrain_bot_test
