#include "multipart.hpp"

#include <fmt/format.h>

#include <random>

namespace faltrain_bot {
namespace {

// Header values are quoted; quotes and line breaks in them would break the part header.
std::string HeaderSafe(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '"' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

}  // namespace

MultipartBody::MultipartBody() {
  std::random_device rd;
  boundary_ = fmt::format("faltrain-bot-{:016x}{:08x}",
                          (static_cast<unsigned long long>(rd()) << 32) | rd(), rd());
}

void MultipartBody::AddField(std::string_view name, std::string_view value) {
  body_ += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", boundary_,
                       HeaderSafe(name));
  body_ += value;
  body_ += "\r\n";
}

void MultipartBody::AddFile(std::string_view name, std::string_view file_name,
                            std::string_view content_type, std::string_view bytes) {
  body_ += fmt::format(
      "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
      "Content-Type: {}\r\n\r\n",
      boundary_, HeaderSafe(name), HeaderSafe(file_name), HeaderSafe(content_type));
  body_ += bytes;
  body_ += "\r\n";
}

std::string MultipartBody::ContentType() const {
  return "multipart/form-data; boundary=" + boundary_;
}

std::string MultipartBody::Finish() const { return body_ + "--" + boundary_ + "--\r\n"; }

}  // namespace faltrain_bot
