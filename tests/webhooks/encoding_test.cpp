#include "webhooks/detail/encoding.hpp"

#include <doctest/doctest.h>

using namespace faltrain::detail;

TEST_CASE("hex round-trips and rejects bad input") {
  CHECK(HexEncode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(HexDecode("00FF10") == std::string("\x00\xff\x10", 3));
  CHECK_FALSE(HexDecode("abc").has_value());
  CHECK_FALSE(HexDecode("zz").has_value());
}

TEST_CASE("base64url accepts padded and unpadded keys") {
  // RFC 4648 test vectors.
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("foob") == "Zm9vYg");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64UrlDecode("Zm9vYg") == "foob");
  CHECK(Base64UrlDecode("Zm9vYg==") == "foob");
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  CHECK(Base64UrlDecode("-_8") == "\xfb\xff");
  CHECK(Base64UrlDecode("+/8=") == "\xfb\xff");
  CHECK_FALSE(Base64UrlDecode("Z").has_value());
  CHECK_FALSE(Base64UrlDecode("Zm9*").has_value());
}

TEST_CASE("SHA-256 matches the standard vector") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256("").size() == 32);
}
