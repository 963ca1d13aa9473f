#include <faltrain/client/config.hpp>
#include <faltrain/client/version.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

using namespace faltrain;

namespace {

const char* const kVars[] = {
    "FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "FAL_API_KEY", "FAL_WEBHOOK_URL", "AVATAR_TEST_MODE",
    "FALTRAIN_QUEUE_URL", "FALTRAIN_REST_URL", "FALTRAIN_JWKS_URL", "FALTRAIN_CONNECT_TIMEOUT_MS",
    "FALTRAIN_REQUEST_TIMEOUT_MS", "FALTRAIN_USER_AGENT"};

/// Clears every variable FromEnvironment reads and restores the originals on destruction.
class ScopedEnv {
 public:
  ScopedEnv() {
    for (const char* name : kVars) {
      const char* v = std::getenv(name);
      if (v != nullptr) saved_[name] = v;
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (const char* name : kVars) {
      auto it = saved_.find(name);
      if (it == saved_.end()) {
        unsetenv(name);
      } else {
        setenv(name, it->second.c_str(), 1);
      }
    }
  }
  void Set(const char* name, const char* value) { setenv(name, value, 1); }

 private:
  std::map<std::string, std::string> saved_;
};

ClientOptions Load() {
  auto config = ClientOptions::FromEnvironment();
  REQUIRE(config);
  return config.value();
}

}  // namespace

TEST_CASE("FromEnvironment with nothing set gives the defaults") {
  ScopedEnv env;
  ClientOptions c = Load();
  ClientOptions defaults;
  CHECK(c.api_key.empty());
  CHECK(c.webhook_url.empty());
  CHECK_FALSE(c.test_mode);
  CHECK(c.endpoints.queue_url == "https://queue.fal.run");
  CHECK(c.endpoints.rest_url == "https://rest.fal.ai");
  CHECK(c.endpoints.jwks_url == "https://rest.fal.ai/.well-known/jwks.json");
  CHECK(c.connect_timeout == defaults.connect_timeout);
  CHECK(c.request_timeout == defaults.request_timeout);
  CHECK(c.user_agent_suffix.empty());
}

TEST_CASE("FromEnvironment key lookup order: FAL_KEY, then FAL_KEY_ID:FAL_KEY_SECRET, then FAL_API_KEY") {
  ScopedEnv env;
  env.Set("FAL_API_KEY", "seed-key");
  CHECK(Load().api_key == "seed-key");

  env.Set("FAL_KEY_ID", "id");
  CHECK(Load().api_key == "seed-key");  // the pair needs both halves
  env.Set("FAL_KEY_SECRET", "secret\n");
  CHECK(Load().api_key == "id:secret");

  env.Set("FAL_KEY", "  full:key\n");
  CHECK(Load().api_key == "full:key");

  SUBCASE("a blank FAL_KEY does not hide the others") {
    env.Set("FAL_KEY", " \n");
    CHECK(Load().api_key == "id:secret");
  }
  SUBCASE("an empty FAL_KEY_SECRET falls through to FAL_API_KEY") {
    unsetenv("FAL_KEY");
    env.Set("FAL_KEY_SECRET", "");
    CHECK(Load().api_key == "seed-key");
  }
}

TEST_CASE("FromEnvironment reads webhook URL, test mode and user agent suffix") {
  ScopedEnv env;
  env.Set("FAL_WEBHOOK_URL", "https://app.example/webhook/fal/status");
  env.Set("AVATAR_TEST_MODE", "TRUE");
  env.Set("FALTRAIN_USER_AGENT", " avatar-bot/2.0 ");
  ClientOptions c = Load();
  CHECK(c.webhook_url == "https://app.example/webhook/fal/status");
  CHECK(c.test_mode);
  CHECK(c.user_agent_suffix == "avatar-bot/2.0");

  env.Set("AVATAR_TEST_MODE", "false");
  CHECK_FALSE(Load().test_mode);
  env.Set("AVATAR_TEST_MODE", "maybe");
  CHECK_FALSE(Load().test_mode);
}

TEST_CASE("FromEnvironment validates endpoint URLs and trims trailing slashes") {
  ScopedEnv env;
  env.Set("FALTRAIN_QUEUE_URL", "http://127.0.0.1:8080/");
  env.Set("FALTRAIN_REST_URL", "HTTPS://rest.example//");
  env.Set("FALTRAIN_JWKS_URL", "http://localhost:9/.well-known/jwks.json");
  ClientOptions c = Load();
  CHECK(c.endpoints.queue_url == "http://127.0.0.1:8080");
  CHECK(c.endpoints.rest_url == "HTTPS://rest.example");
  CHECK(c.endpoints.jwks_url == "http://localhost:9/.well-known/jwks.json");

  for (const char* bad : {"ftp://example.com", "127.0.0.1:8080", "http://", "https:///path",
                          "http://:80", "localhost", "http://bad host"}) {
    CAPTURE(bad);
    env.Set("FALTRAIN_QUEUE_URL", bad);
    auto r = ClientOptions::FromEnvironment();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().message.find("FALTRAIN_QUEUE_URL") != std::string::npos);
  }
  env.Set("FALTRAIN_QUEUE_URL", "http://127.0.0.1:1");
  env.Set("FALTRAIN_JWKS_URL", "jwks.json");
  auto r = ClientOptions::FromEnvironment();
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("FALTRAIN_JWKS_URL") != std::string::npos);
}

TEST_CASE("FromEnvironment parses timeouts strictly") {
  ScopedEnv env;
  env.Set("FALTRAIN_CONNECT_TIMEOUT_MS", "2500");
  env.Set("FALTRAIN_REQUEST_TIMEOUT_MS", " 600000 ");
  ClientOptions c = Load();
  CHECK(c.connect_timeout == std::chrono::milliseconds(2500));
  CHECK(c.request_timeout == std::chrono::milliseconds(600000));

  for (const char* bad : {"0", "-5", "+5", "10s", "1.5", "abc", "1e3", "99999999999999999999", "5 5"}) {
    CAPTURE(bad);
    env.Set("FALTRAIN_REQUEST_TIMEOUT_MS", bad);
    auto r = ClientOptions::FromEnvironment();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().message.find("FALTRAIN_REQUEST_TIMEOUT_MS") != std::string::npos);
  }
  env.Set("FALTRAIN_REQUEST_TIMEOUT_MS", "1");
  env.Set("FALTRAIN_CONNECT_TIMEOUT_MS", "x");
  auto r = ClientOptions::FromEnvironment();
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("FALTRAIN_CONNECT_TIMEOUT_MS") != std::string::npos);
}

TEST_CASE("UserAgent is faltrain/<version> (<os>) plus an optional suffix") {
  ClientOptions c;
  std::string prefix = "faltrain/" + std::string(version()) + " (";
  std::string ua = c.UserAgent();
  CHECK(ua.rfind(prefix, 0) == 0);
  CHECK(ua.back() == ')');
#if defined(__linux__)
  CHECK(ua == prefix + "linux)");
#endif
  c.user_agent_suffix = "my-app/1.2";
  CHECK(c.UserAgent() == ua + " my-app/1.2");
  c.user_agent_suffix = "   ";
  CHECK(c.UserAgent() == ua);
}

TEST_CASE("Describe summarises the config without the key") {
  ClientOptions c;
  c.api_key = "4c46f3ab-1111-2222-3333-444455556666:0bd24b7e9f0011aa";
  c.webhook_url = "https://app.example/hook";
  c.test_mode = true;
  std::string d = c.Describe();
  CHECK(d.find("0bd24b7e9f0011aa") == std::string::npos);
  CHECK(d.find("1111-2222") == std::string::npos);
  CHECK(d.find("4c46f3ab") != std::string::npos);
  CHECK(d.find("(redacted)") != std::string::npos);
  CHECK(d.find("https://queue.fal.run") != std::string::npos);
  CHECK(d.find("https://app.example/hook") != std::string::npos);
  CHECK(d.find("test_mode=true") != std::string::npos);
  CHECK(d.find("connect_timeout=10000ms") != std::string::npos);
  CHECK(d.find(c.UserAgent()) != std::string::npos);
  CHECK(d.find("retry.max_attempts=4") != std::string::npos);
  CHECK(d.find("multipart_threshold=94371840") != std::string::npos);

  ClientOptions empty;
  CHECK(empty.Describe().find("api_key=(none)") != std::string::npos);
  CHECK(empty.Describe().find("webhook_url=(none)") != std::string::npos);
}

TEST_CASE("RedactKey shows a short prefix only") {
  CHECK(RedactKey("4c46f3ab-1111-2222-3333-444455556666:secret") == "4c46f3ab\u2026(redacted)");
  CHECK(RedactKey("") == "(none)");
  CHECK(RedactKey(" \n") == "(none)");
  // Short keys reveal at most a quarter of themselves.
  CHECK(RedactKey("abcdefgh") == "ab\u2026(redacted)");
  CHECK(RedactKey("abc") == "\u2026(redacted)");
  // Never past the ':' that starts the secret.
  CHECK(RedactKey("abc:0123456789abcdefghij") == "abc\u2026(redacted)");
  CHECK(RedactKey(":0123456789abcdefghij") == "\u2026(redacted)");
}

TEST_CASE("TrimKey removes surrounding whitespace and newlines only") {
  CHECK(TrimKey("  id:secret\r\n") == "id:secret");
  CHECK(TrimKey("\tid:se cret\t") == "id:se cret");
  CHECK(TrimKey("") == "");
  CHECK(TrimKey(" \n ") == "");
}

TEST_CASE("ParseEnvBool accepts the seed's true values in any case") {
  for (const char* yes : {"true", "TRUE", "True", "1", "yes", "YES", "on", "On", " true\n"}) {
    CAPTURE(yes);
    CHECK(ParseEnvBool(yes));
  }
  for (const char* no : {"", "false", "0", "no", "off", "2", "truee", "y", "enabled"}) {
    CAPTURE(no);
    CHECK_FALSE(ParseEnvBool(no));
  }
}
