#include "data_uri.hpp"

#include <openssl/evp.h>

namespace faltrain_bot {

faltrain::result<DataUri> DecodeDataUri(std::string_view uri) {
  using faltrain::errc;
  if (uri.rfind("data:", 0) != 0) return faltrain::fail(errc::malformed_response, "not a data: URI");
  auto comma = uri.find(',');
  if (comma == std::string_view::npos) return faltrain::fail(errc::malformed_response, "data: URI without ','");
  std::string_view header = uri.substr(5, comma - 5);
  constexpr std::string_view kBase64 = ";base64";
  if (header.size() < kBase64.size() || header.substr(header.size() - kBase64.size()) != kBase64) {
    return faltrain::fail(errc::malformed_response, "data: URI is not base64");
  }
  std::string_view payload = uri.substr(comma + 1);
  if (payload.size() % 4 != 0) return faltrain::fail(errc::malformed_response, "bad base64 length");
  DataUri out;
  out.content_type = std::string(header.substr(0, header.find(';')));
  out.bytes.resize(payload.size() / 4 * 3);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.bytes.data()),
                          reinterpret_cast<const unsigned char*>(payload.data()),
                          static_cast<int>(payload.size()));
  if (n < 0) return faltrain::fail(errc::malformed_response, "bad base64 in a data: URI");
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t padding = 0;
  for (auto it = payload.rbegin(); it != payload.rend() && *it == '=' && padding < 2; ++it) ++padding;
  out.bytes.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace faltrain_bot
