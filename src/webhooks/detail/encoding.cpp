#include "webhooks/detail/encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstddef>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
// Both alphabets: JWKS `x` is base64url, but keys pasted from elsewhere use '+' and '/'.
constexpr std::string_view kBase64Chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
// EVP_{En,De}codeBlock take an int length: feed them whole quanta at most this long.
constexpr std::size_t kChunk = std::size_t{3} << 20;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Standard, padded base64 of `bytes`.
std::string EncodeBlocks(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');  // EVP_EncodeBlock adds a NUL
  std::size_t written = 0;
  for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
    std::string_view chunk = bytes.substr(at, kChunk);
    auto* dst = reinterpret_cast<unsigned char*>(&out[written]);
    written += static_cast<std::size_t>(EVP_EncodeBlock(dst, Bytes(chunk), static_cast<int>(chunk.size())));
  }
  out.resize(written);
  return out;
}

// Decodes standard base64 whose length is a multiple of 4; EVP_DecodeBlock counts padding as
// zero bytes, so `pad` of them come off the end.
std::optional<std::string> DecodeBlocks(std::string_view text, std::size_t pad) {
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t written = 0;
  for (std::size_t at = 0; at < text.size(); at += kChunk / 3 * 4) {
    std::string_view chunk = text.substr(at, kChunk / 3 * 4);
    auto* dst = reinterpret_cast<unsigned char*>(&out[written]);
    int n = EVP_DecodeBlock(dst, Bytes(chunk), static_cast<int>(chunk.size()));
    if (n < 0) return std::nullopt;
    written += static_cast<std::size_t>(n);
  }
  out.resize(written - pad);
  return out;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  // OpenSSL reads a C string: an embedded NUL would end the input early, not fail it.
  if (hex.find('\0') != std::string_view::npos) return std::nullopt;
  std::string text(hex);
  std::string out(hex.size() / 2, '\0');
  std::size_t length = 0;
  // A rejected input leaves an error on this thread's OpenSSL queue: take back only ours.
  ERR_set_mark();
  int ok = OPENSSL_hexstr2buf_ex(reinterpret_cast<unsigned char*>(out.data()), out.size(), &length,
                                 text.c_str(), '\0');
  ERR_pop_to_mark();
  if (ok != 1) return std::nullopt;
  out.resize(length);
  return out;
}

std::string Base64Encode(std::string_view bytes) { return EncodeBlocks(bytes); }

std::string Base64UrlEncode(std::string_view bytes, bool padded) {
  std::string out = EncodeBlocks(bytes);
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  if (!padded) out.erase(out.find_last_not_of('=') + 1);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  // EVP_DecodeBlock skips surrounding whitespace and takes '=' anywhere: check the shape first.
  std::size_t data = text.find_first_not_of(kBase64Chars);
  if (data == std::string_view::npos) data = text.size();
  const std::size_t pad = text.size() - data;
  if (text.find_first_not_of('=', data) != std::string_view::npos) return std::nullopt;
  if (data % 4 == 1 || (pad != 0 && (data + pad) % 4 != 0) || pad > 2) return std::nullopt;

  std::string standard(text.substr(0, data));
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const std::size_t missing = (4 - data % 4) % 4;
  standard.append(missing, '=');
  return DecodeBlocks(standard, missing);
}

std::string Sha256(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string Sha256Hex(std::string_view bytes) { return HexEncode(Sha256(bytes)); }

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
