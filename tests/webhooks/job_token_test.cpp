// Job tokens: made and verified with one secret, refused when forged, truncated or from another secret.

#include <faltrain/webhooks/job_token.hpp>

#include <doctest/doctest.h>

using namespace faltrain;

namespace {
constexpr const char* kSecret = "a-configured-secret-of-some-length";
}

TEST_CASE("a token names its job and verifies only with its secret") {
  auto token = MakeJobToken(42, kSecret);
  REQUIRE(token.has_value());
  CHECK(token.value().rfind("42.", 0) == 0);
  CHECK(token.value().size() == 3 + 64);
  CHECK(VerifyJobToken(token.value(), kSecret) == std::optional<std::int64_t>(42));
  CHECK_FALSE(VerifyJobToken(token.value(), "a-different-secret-of-some-length").has_value());
  CHECK_FALSE(VerifyJobToken(token.value(), "").has_value());
  CHECK(MakeJobToken(42, "short").error().code == errc::invalid_argument);
}

TEST_CASE("forged and malformed tokens are refused") {
  const std::string token = MakeJobToken(42, kSecret).value();
  const std::string mac = token.substr(3);
  CHECK_FALSE(VerifyJobToken("43." + mac, kSecret).has_value());  // another job, same HMAC
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(VerifyJobToken(flipped, kSecret).has_value());
  CHECK_FALSE(VerifyJobToken(token.substr(0, token.size() - 1), kSecret).has_value());
  CHECK_FALSE(VerifyJobToken(token + "0", kSecret).has_value());
  for (const char* bad : {"", ".", "42", "42.", ".abc", "x42.abc", "-1.abc", "0.abc", "99999999999999999999.ab"}) {
    CHECK_FALSE(VerifyJobToken(bad, kSecret).has_value());
  }
}

TEST_CASE("the token rides in the webhook URL's query and is found again in a request target") {
  auto url = JobWebhookUrl("https://app.example/hooks/fal", 5, kSecret);
  REQUIRE(url.has_value());
  const std::string token = MakeJobToken(5, kSecret).value();
  CHECK(url.value() == "https://app.example/hooks/fal?job=" + token);
  CHECK(JobWebhookUrl("https://app.example/hooks/fal?x=1", 5, kSecret).value() ==
        "https://app.example/hooks/fal?x=1&job=" + token);
  CHECK(JobWebhookUrl("ftp://app.example/", 5, kSecret).error().code == errc::invalid_argument);
  CHECK(JobTokenFromTarget("/hooks/fal?job=" + token) == token);
  CHECK(JobTokenFromTarget("/hooks/fal?x=1&job=" + token + "&y=2") == token);
  CHECK(JobTokenFromTarget("/hooks/fal?jobs=1&xjob=2").empty());
  CHECK(JobTokenFromTarget("/hooks/fal").empty());
}
