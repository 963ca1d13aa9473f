#include "client/detail/url.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faltrain::detail;

TEST_CASE("percent-encoding keeps unreserved characters and writes upper-case hex") {
  CHECK(PercentEncode("") == "");
  CHECK(PercentEncode("a-b_c.d~e09") == "a-b_c.d~e09");
  CHECK(PercentEncode("a b/c?d&e=f") == "a%20b%2Fc%3Fd%26e%3Df");
  CHECK(PercentEncode(std::string("\x00\xff", 2)) == "%00%FF");
}

TEST_CASE("percent-decoding takes '+' as space and keeps bad escapes") {
  CHECK(PercentDecode("") == "");
  CHECK(PercentDecode("a%20b+c%2B") == "a b c+");
  CHECK(PercentDecode("%2f%2F") == "//");
  CHECK(PercentDecode("100%") == "100%");
  CHECK(PercentDecode("%zz%4") == "%zz%4");
  CHECK(PercentDecode("%00") == std::string(1, '\0'));
}

TEST_CASE("AddQuery appends an encoded parameter") {
  CHECK(AddQuery("https://queue.fal.run/fal-ai/x", "fal_webhook", "https://a.example/h?a=1&b=2") ==
        "https://queue.fal.run/fal-ai/x?fal_webhook=https%3A%2F%2Fa.example%2Fh%3Fa%3D1%26b%3D2");
  CHECK(AddQuery("https://h.example/p?x=1", "logs", "1") == "https://h.example/p?x=1&logs=1");
  CHECK(AddQuery("http://127.0.0.1:8080", "a", "b c") == "http://127.0.0.1:8080/?a=b%20c");
  CHECK(AddQuery("https://h.example/p#frag", "a", "1") == "https://h.example/p?a=1#frag");
  CHECK_FALSE(AddQuery("not a url", "a", "1").has_value());
  CHECK_FALSE(AddQuery("", "a", "1").has_value());
}

TEST_CASE("AppendPath keeps a signed query byte for byte") {
  const std::string signed_url = "https://up.example/_sim/multipart/tok?X-Sig=ab%2B+c%2f&e=1";
  CHECK(AppendPath(signed_url, "3") == "https://up.example/_sim/multipart/tok/3?X-Sig=ab%2B+c%2f&e=1");
  CHECK(AppendPath("https://up.example/a/", "complete") == "https://up.example/a/complete");
  CHECK(AppendPath("https://up.example", "complete") == "https://up.example/complete");
  CHECK_FALSE(AppendPath("/relative", "1").has_value());
}

TEST_CASE("IsHttpUrl: absolute http(s) URLs with a host") {
  for (const char* good : {"http://h", "https://queue.fal.run/fal-ai/x/requests/1/status",
                           "HTTPS://Host.Example/a", "http://127.0.0.1:8080", "http://[::1]:9/x",
                           "https://u:p@h.example/x?q=1#f"}) {
    CAPTURE(good);
    CHECK(IsHttpUrl(good));
  }
  for (const char* bad : {"", "http://", "https:///path", "http:/h", "http:h", "ftp://h/x",
                          "data:image/png;base64,AAAA", "//h/x", "/x", "h.example/x", "http://a b/",
                          "http://h/a b", "http://h\t/", "http://h:99999/", "https://:80/", "\x80"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsHttpUrl(bad));
  }
  CHECK_FALSE(IsHttpUrl(std::string("http://h\0.evil", 14)));
}

TEST_CASE("UrlForLog drops query, fragment and user info") {
  CHECK(UrlForLog("https://up.example/o/k?X-Amz-Signature=secret#frag") == "https://up.example/o/k");
  CHECK(UrlForLog("https://user:pass@h.example/hook?token=t") == "https://h.example/hook");
  CHECK(UrlForLog("https://h.example/a/../b") == "https://h.example/a/../b");
  // Not a URL libcurl takes: still cut before the query.
  CHECK(UrlForLog("not a url?token=secret") == "not a url");
  CHECK(UrlForLog("/bare#x") == "/bare");
}

TEST_CASE("SplitUrl: origin, raw path and raw query") {
  auto parts = SplitUrl("HTTPS://user@Queue.fal.run:8443/a/%2F/../b?x=%2F&y#frag");
  REQUIRE(parts);
  CHECK(parts->origin == "https://Queue.fal.run:8443");
  CHECK(parts->path == "/a/%2F/../b");
  CHECK(parts->query == "x=%2F&y");
  auto bare = SplitUrl("http://127.0.0.1?a=b");
  REQUIRE(bare);
  CHECK(bare->origin == "http://127.0.0.1");
  CHECK(bare->path == "/");
  CHECK(bare->query == "a=b");
  CHECK_FALSE(SplitUrl("/path/only").has_value());
  CHECK_FALSE(SplitUrl("http://a b/").has_value());
}

TEST_CASE("URL edits never re-write the escapes already there") {
  CHECK(AddQuery("https://h.example/a%2Fb?sig=x%2By%3D", "logs", "1") ==
        "https://h.example/a%2Fb?sig=x%2By%3D&logs=1");
  CHECK(AppendPath("https://s3.example/k%2Fey%20?X-Amz-Signature=AB%2F", "complete") ==
        "https://s3.example/k%2Fey%20/complete?X-Amz-Signature=AB%2F");
}
