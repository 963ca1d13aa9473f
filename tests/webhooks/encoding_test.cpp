#include "webhooks/detail/encoding.hpp"

#include <openssl/err.h>

#include <doctest/doctest.h>

#include <string>

using namespace faltrain::detail;

TEST_CASE("hex round-trips and rejects bad input") {
  CHECK(HexEncode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(HexDecode("00FF10") == std::string("\x00\xff\x10", 3));
  CHECK(HexDecode("aBcD") == std::string("\xab\xcd"));
  CHECK(HexDecode("") == std::string());
  CHECK_FALSE(HexDecode("abc").has_value());
  CHECK_FALSE(HexDecode("zz").has_value());
  CHECK_FALSE(HexDecode("0g").has_value());
  CHECK_FALSE(HexDecode("00:ff").has_value());
  CHECK_FALSE(HexDecode(" 00").has_value());
  CHECK_FALSE(HexDecode(std::string("00\0ff", 5)).has_value());
}

TEST_CASE("a rejected hex string leaves nothing on OpenSSL's error queue") {
  ERR_clear_error();
  CHECK_FALSE(HexDecode("xyz1").has_value());
  CHECK(ERR_peek_error() == 0);
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

TEST_CASE("base64 of every RFC 4648 vector, both ways, padded and not") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CAPTURE(plain[i]);
    std::string padded = coded[i];
    std::string bare = padded.substr(0, padded.find('='));
    CHECK(Base64Encode(plain[i]) == padded);
    CHECK(Base64UrlEncode(plain[i], /*padded=*/true) == padded);
    CHECK(Base64UrlEncode(plain[i]) == bare);
    CHECK(Base64UrlDecode(padded) == plain[i]);
    CHECK(Base64UrlDecode(bare) == plain[i]);
  }
}

TEST_CASE("base64 round-trips every byte value and a large buffer") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  CHECK(Base64UrlDecode(Base64UrlEncode(bytes)) == bytes);
  CHECK(Base64UrlDecode(Base64Encode(bytes)) == bytes);
  CHECK(Base64UrlEncode(bytes).find_first_of("+/=") == std::string::npos);
  // Longer than one EVP block call: the chunks must join seamlessly.
  std::string big(7u << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + (i >> 9));
  std::string coded = Base64Encode(big);
  CHECK(coded.size() == (big.size() + 2) / 3 * 4);
  CHECK(Base64UrlDecode(coded) == big);
}

TEST_CASE("base64 decoding rejects malformed input") {
  for (const char* bad : {"Z", "Zm9vY", "Z===", "Zg=", "Zg===", "Zm9v=", "Zm9v==", "====", "=",
                          "Zg=a", "Zm=9", "Zm9v Yg", " Zm9v", "Zm9v ", "Zm9v\n", "Zm9v\r\n",
                          "Zm9v\tYg", "Zm9v.Yg", "Zm9v%3D", "\xc3\xa9Zm9", "Zm9vYg==Zm9v"}) {
    CAPTURE(bad);
    CHECK_FALSE(Base64UrlDecode(bad).has_value());
  }
  CHECK_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).has_value());
}

TEST_CASE("SHA-256 matches the standard vector") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256("").size() == 32);
}
