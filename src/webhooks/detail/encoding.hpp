#pragma once
// Byte encodings fal's webhooks and our simulator need: hex, base64url, SHA-256, done by OpenSSL
// (only lower-case hex encoding is our own: OpenSSL's is upper case). Private.

#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

std::string HexEncode(std::string_view bytes);  ///< lowercase
/// Accepts upper and lower case; nullopt on odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

/// base64url (RFC 4648 §5), without padding unless `padded` (fal's JWKS pads `x`).
std::string Base64UrlEncode(std::string_view bytes, bool padded = false);
/// Accepts padded and unpadded input, and the standard alphabet's '+' '/' too. nullopt on anything
/// else: whitespace, '=' before the end, padding that does not complete the last group of four, or
/// a length no encoder produces.
std::optional<std::string> Base64UrlDecode(std::string_view text);
/// Standard base64 with padding (for data: URIs).
std::string Base64Encode(std::string_view bytes);

/// The 32-byte SHA-256 digest, and its lowercase hex form.
std::string Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
