#pragma once
// Decoding `data:<type>;base64,<payload>` URIs (fal returns generated images this way in sync mode),
// so the bytes can be uploaded to Telegram, which cannot fetch a data: URI.

#include <faltrain/client/result.hpp>

#include <string>
#include <string_view>

namespace faltrain_bot {

struct DataUri {
  std::string content_type;  ///< e.g. "image/png"; empty when the URI names none
  std::string bytes;
};

/// Fails with `errc::malformed_response` for anything but a base64 data: URI with valid base64.
faltrain::result<DataUri> DecodeDataUri(std::string_view uri);

}  // namespace faltrain_bot
