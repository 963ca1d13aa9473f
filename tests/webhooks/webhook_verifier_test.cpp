// WebhookVerifier and JwksCache: every rejection reason, clock-skew edges, padded/unpadded keys,
// key rotation and JWKS fetch failures. Signatures are made independently with OpenSSL.

#include "support/webhook_test_signer.hpp"

#include <faltrain/testing/scripted_transport.hpp>
#include <faltrain/webhooks/verifier.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace faltrain;
using webhook_test::Signer;

namespace {

constexpr long long kNow = 1767225600;  // VirtualClock's default start
const std::string kId = "123e4567-e89b-12d3-a456-426614174000";

struct Fixture {
  Signer signer;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  WebhookVerifierOptions options;

  WebhookVerifier Make(WebhookKeySet keys) const {
    return WebhookVerifier(JwksCache::Static(std::move(keys)), options, clock);
  }
  WebhookVerifier Make() const { return Make({signer.PublicKey()}); }
};

std::string ErrorOf(const result<VerifiedWebhook>& r) { return r ? "" : r.error().message; }

}  // namespace

TEST_CASE("a correctly signed webhook verifies and parses") {
  Fixture f;
  auto v = f.Make();
  auto headers = f.signer.Headers(kId, "user-1", kNow, webhook_test::kOkBody);
  auto r = v.Verify(headers, webhook_test::kOkBody);
  REQUIRE_MESSAGE(r.has_value(), ErrorOf(r));
  CHECK(r.value().request_id == kId);
  CHECK(r.value().user_id == "user-1");
  CHECK(r.value().timestamp == kNow);
  auto e = v.VerifyAndParse(headers, webhook_test::kOkBody);
  REQUIRE(e.has_value());
  CHECK(e.value().output.has_value());
}

TEST_CASE("header names match case-insensitively") {
  Fixture f;
  auto v = f.Make();
  HttpHeaders lower;
  for (const auto& h : f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody)) {
    std::string name = h.name;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    lower.Add(name, h.value);
  }
  CHECK(v.Verify(lower, webhook_test::kOkBody).has_value());
}

TEST_CASE("each missing header is its own rejection") {
  Fixture f;
  auto v = f.Make();
  const auto full = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
  for (std::string missing : {"X-Fal-Webhook-Request-Id", "X-Fal-Webhook-User-Id",
                              "X-Fal-Webhook-Timestamp", "X-Fal-Webhook-Signature"}) {
    CAPTURE(missing);
    HttpHeaders h;
    for (const auto& item : full) {
      if (item.name != missing) h.Add(item.name, item.value);
    }
    auto r = v.Verify(h, webhook_test::kOkBody);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::signature_invalid);
    CHECK(r.error().message == "missing header " + missing);
  }
}

TEST_CASE("clock skew: exactly ±300 s is accepted, ±301 s is rejected") {
  Fixture f;
  auto v = f.Make();
  for (long long skew : {-300LL, 300LL, 0LL, -1LL, 1LL}) {
    CAPTURE(skew);
    auto h = f.signer.Headers(kId, "u", kNow + skew, webhook_test::kOkBody);
    CHECK(v.Verify(h, webhook_test::kOkBody).has_value());
  }
  for (long long skew : {-301LL, 301LL, -86400LL, 86400LL}) {
    CAPTURE(skew);
    auto h = f.signer.Headers(kId, "u", kNow + skew, webhook_test::kOkBody);
    auto r = v.Verify(h, webhook_test::kOkBody);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::signature_invalid);
    CHECK(r.error().message.find("outside the 300 s window") != std::string::npos);
  }
  // The tolerance follows the injected clock.
  f.clock->Advance(std::chrono::seconds(301));
  auto h = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
  CHECK_FALSE(v.Verify(h, webhook_test::kOkBody).has_value());
}

TEST_CASE("malformed timestamps are rejected, extreme ones without overflow") {
  Fixture f;
  auto v = f.Make();
  for (std::string ts : {"", "abc", "17672256OO", " 1767225600", "1767225600.5", "+1767225600",
                         "99999999999999999999999"}) {
    CAPTURE(ts);
    auto h = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
    h.Set("X-Fal-Webhook-Timestamp", ts);
    auto r = v.Verify(h, webhook_test::kOkBody);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("not an integer") != std::string::npos);
  }
  for (std::string ts : {"-9223372036854775808", "9223372036854775807"}) {
    auto h = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
    h.Set("X-Fal-Webhook-Timestamp", ts);
    auto r = v.Verify(h, webhook_test::kOkBody);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("outside") != std::string::npos);
  }
}

TEST_CASE("malformed signatures are rejected with their reason") {
  Fixture f;
  auto v = f.Make();
  auto h = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
  const std::string good(h.Get("X-Fal-Webhook-Signature"));

  h.Set("X-Fal-Webhook-Signature", "zz" + good.substr(2));
  CHECK(ErrorOf(v.Verify(h, webhook_test::kOkBody)) == "X-Fal-Webhook-Signature is not hex");
  h.Set("X-Fal-Webhook-Signature", good.substr(0, 126));
  CHECK(ErrorOf(v.Verify(h, webhook_test::kOkBody)) == "X-Fal-Webhook-Signature is 63 bytes, not 64");
  h.Set("X-Fal-Webhook-Signature", good + "00");
  CHECK(ErrorOf(v.Verify(h, webhook_test::kOkBody)) == "X-Fal-Webhook-Signature is 65 bytes, not 64");
  // Upper-case hex is the same signature.
  std::string upper = good;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  h.Set("X-Fal-Webhook-Signature", upper);
  CHECK(v.Verify(h, webhook_test::kOkBody).has_value());
}

TEST_CASE("forged, tampered and replayed-under-another-id webhooks do not verify") {
  Fixture f;
  auto v = f.Make();
  const std::string no_match = "signature does not match any webhook key";
  // Signed by someone else's key.
  Signer attacker;
  auto forged = attacker.Headers(kId, "u", kNow, webhook_test::kOkBody);
  CHECK(ErrorOf(v.Verify(forged, webhook_test::kOkBody)) == no_match);
  // Body changed by one byte.
  auto h = f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody);
  std::string tampered = webhook_test::kOkBody;
  tampered[tampered.find("koala")] = 'K';
  CHECK(ErrorOf(v.Verify(h, tampered)) == no_match);
  // Any signed header changed.
  for (std::string name : {"X-Fal-Webhook-Request-Id", "X-Fal-Webhook-User-Id", "X-Fal-Webhook-Timestamp"}) {
    CAPTURE(name);
    auto changed = h;
    std::string value(changed.Get(name));
    value.back() = value.back() == '1' ? '2' : '1';
    changed.Set(name, value);
    CHECK(ErrorOf(v.Verify(changed, webhook_test::kOkBody)) == no_match);
  }
  // A zero signature.
  auto zero = h;
  zero.Set("X-Fal-Webhook-Signature", std::string(128, '0'));
  CHECK(ErrorOf(v.Verify(zero, webhook_test::kOkBody)) == no_match);
}

TEST_CASE("the header request id must be the body's request_id or its gateway_request_id") {
  Fixture f;
  auto v = f.Make();
  // Validly signed for request "other", carrying a body about kId.
  auto h = f.signer.Headers("other", "u", kNow, webhook_test::kOkBody);
  REQUIRE(v.Verify(h, webhook_test::kOkBody).has_value());
  auto r = v.VerifyAndParse(h, webhook_test::kOkBody);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::signature_invalid);
  CHECK(r.error().message.find("is neither the body's request_id") != std::string::npos);
}

TEST_CASE("after fal's internal retries the header may carry the gateway_request_id: both ids are accepted") {
  Fixture f;
  auto v = f.Make();
  // A retried request: the gateway id (last attempt) differs from the queue's request id.
  const std::string body =
      R"({"error": null, "gateway_request_id": "gw-attempt-3", "payload": {"ok": true}, "request_id": "req-queue-1", "status": "OK"})";
  for (const char* header_id : {"req-queue-1", "gw-attempt-3"}) {
    CAPTURE(header_id);
    auto event = v.VerifyAndParse(f.signer.Headers(header_id, "u", kNow, body), body);
    REQUIRE(event.has_value());
    CHECK(event.value().request_id == "req-queue-1");
    CHECK(event.value().gateway_request_id == "gw-attempt-3");
  }
  auto neither = v.VerifyAndParse(f.signer.Headers("gw-attempt-2", "u", kNow, body), body);
  REQUIRE_FALSE(neither.has_value());
  CHECK(neither.error().code == errc::signature_invalid);
  // An empty gateway id in the body never matches a header (an empty header is refused anyway).
  const std::string no_gateway = R"({"request_id":"req-queue-1","status":"OK","payload":{}})";
  CHECK(v.VerifyAndParse(f.signer.Headers("req-queue-1", "u", kNow, no_gateway), no_gateway).has_value());
  CHECK_FALSE(v.VerifyAndParse(f.signer.Headers("gw-attempt-3", "u", kNow, no_gateway), no_gateway).has_value());
}

TEST_CASE("a signed but malformed body is a payload error, not a signature error") {
  Fixture f;
  auto v = f.Make();
  const std::string body = R"({"request_id":"r","status":5})";
  auto r = v.VerifyAndParse(f.signer.Headers("r", "u", kNow, body), body);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::invalid_argument);
}

TEST_CASE("an optional pinned user id") {
  Fixture f;
  f.options.pinned_user_id = "me";
  auto v = f.Make();
  CHECK(v.Verify(f.signer.Headers(kId, "me", kNow, webhook_test::kOkBody), webhook_test::kOkBody));
  auto r = v.Verify(f.signer.Headers(kId, "someone-else", kNow, webhook_test::kOkBody), webhook_test::kOkBody);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "user id \"someone-else\" is not the pinned user");
}

TEST_CASE("every key is tried, padded and unpadded x decode alike") {
  Signer other, third;
  for (bool padded : {false, true}) {
    CAPTURE(padded);
    Fixture f;
    auto keys = ParseJwks(webhook_test::Jwks({other.PublicKey(), f.signer.PublicKey(), third.PublicKey()}, padded));
    REQUIRE(keys.has_value());
    REQUIRE(keys.value().size() == 3);
    CHECK(keys.value()[1] == f.signer.PublicKey());
    auto v = f.Make(keys.value());
    CHECK(v.Verify(f.signer.Headers(kId, "u", kNow, webhook_test::kOkBody), webhook_test::kOkBody));
  }
}

TEST_CASE("ParseJwks skips unusable keys and rejects sets without one") {
  Signer s;
  const std::string x = webhook_test::Base64Url(s.PublicKey(), false);
  auto mixed = ParseJwks(R"({"keys":[{"kty":"RSA","n":"abc","e":"AQAB"},{"kty":"OKP","crv":"X25519","x":")" + x +
                         R"("},{"x":"AAAA"},7,{"x":")" + x + R"(","kid":"k1","use":"sig"}]})");
  REQUIRE(mixed.has_value());
  CHECK(mixed.value().size() == 1);
  for (std::string bad : {"", "{}", "[]", R"({"keys":{}})", R"({"keys":[]})", R"({"keys":[{"x":"!!"}]})", "{\"keys\":["}) {
    CAPTURE(bad);
    auto r = ParseJwks(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::malformed_response);
  }
}

TEST_CASE("JWKS is fetched once, cached for the TTL, then refetched") {
  Signer s;
  auto clock = std::make_shared<VirtualClock>();
  auto transport = std::make_shared<ScriptedTransport>();
  transport->SetFallback([&](const HttpRequest& r) -> result<HttpResponse> {
    CHECK(r.url == "http://127.0.0.1:9/jwks.json");
    CHECK(r.method == HttpMethod::kGet);
    return HttpResponse{200, {}, webhook_test::Jwks({s.PublicKey()})};
  });
  JwksCacheOptions options;
  options.url = "http://127.0.0.1:9/jwks.json";
  auto cache = JwksCache::Fetching(transport, options, clock);
  WebhookVerifier v(cache, {}, clock);
  for (int i = 0; i < 5; ++i) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(clock->WallNow().time_since_epoch()).count();
    CHECK(v.Verify(s.Headers(kId, "u", now, webhook_test::kOkBody), webhook_test::kOkBody));
  }
  CHECK(cache->fetch_count() == 1);
  clock->Advance(std::chrono::hours(24) - std::chrono::seconds(1));
  REQUIRE(cache->Keys().has_value());
  CHECK(cache->fetch_count() == 1);
  clock->Advance(std::chrono::seconds(1));
  REQUIRE(cache->Keys().has_value());
  CHECK(cache->fetch_count() == 2);
  CHECK(JwksCacheOptions{}.url == "https://rest.fal.ai/.well-known/jwks.json");
}

TEST_CASE("key rotation: a failed signature refetches the JWKS, at most once per interval") {
  Signer old_key, new_key;
  auto clock = std::make_shared<VirtualClock>();
  auto transport = std::make_shared<ScriptedTransport>();
  std::string served = webhook_test::Jwks({old_key.PublicKey()});
  transport->SetFallback([&](const HttpRequest&) -> result<HttpResponse> {
    return HttpResponse{200, {}, served};
  });
  JwksCacheOptions options;
  options.refetch_interval = std::chrono::seconds(60);
  auto cache = JwksCache::Fetching(transport, options, clock);
  WebhookVerifier v(cache, {}, clock);
  auto now = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(clock->WallNow().time_since_epoch()).count();
  };

  CHECK(v.Verify(old_key.Headers(kId, "u", now(), webhook_test::kOkBody), webhook_test::kOkBody));
  CHECK(cache->fetch_count() == 1);

  // fal rotates: the new key signs, the JWKS serves both.
  served = webhook_test::Jwks({new_key.PublicKey(), old_key.PublicKey()});
  auto r = v.Verify(new_key.Headers(kId, "u", now(), webhook_test::kOkBody), webhook_test::kOkBody);
  CHECK_MESSAGE(r.has_value(), ErrorOf(r));
  CHECK(cache->fetch_count() == 2);
  CHECK(v.Verify(old_key.Headers(kId, "u", now(), webhook_test::kOkBody), webhook_test::kOkBody));
  CHECK(cache->fetch_count() == 2);

  // Forgeries refetch at most once per interval: the rotation refetch just now counts.
  Signer attacker;
  for (int i = 0; i < 10; ++i) {
    CHECK_FALSE(v.Verify(attacker.Headers(kId, "u", now(), webhook_test::kOkBody), webhook_test::kOkBody));
  }
  CHECK(cache->fetch_count() == 2);
  clock->Advance(std::chrono::seconds(61));
  for (int i = 0; i < 10; ++i) {
    CHECK_FALSE(v.Verify(attacker.Headers(kId, "u", now(), webhook_test::kOkBody), webhook_test::kOkBody));
  }
  CHECK(cache->fetch_count() == 3);
}

TEST_CASE("JWKS fetch failures are reported clearly") {
  auto clock = std::make_shared<VirtualClock>();
  Signer s;
  JwksCacheOptions options;
  options.url = "http://127.0.0.1:9/keys";
  {
    auto transport = std::make_shared<ScriptedTransport>();
    transport->ExpectResponse(500, "oops");
    auto cache = JwksCache::Fetching(transport, options, clock);
    auto r = cache->Keys();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::http_error);
    CHECK(r.error().http_status == 500);
    CHECK(r.error().message == "fetching webhook keys from http://127.0.0.1:9/keys failed: HTTP 500");
  }
  {
    auto transport = std::make_shared<ScriptedTransport>();
    transport->ExpectFailure(errc::connect_failed, "connection refused");
    auto cache = JwksCache::Fetching(transport, options, clock);
    WebhookVerifier v(cache, {}, clock);
    auto r = v.Verify(s.Headers(kId, "u", kNow, webhook_test::kOkBody), webhook_test::kOkBody);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::connect_failed);
    CHECK(r.error().message.find("fetching webhook keys from http://127.0.0.1:9/keys failed") == 0);
  }
  {
    auto transport = std::make_shared<ScriptedTransport>();
    transport->ExpectResponse(200, "<html>not json</html>");
    auto cache = JwksCache::Fetching(transport, options, clock);
    auto r = cache->Keys();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::malformed_response);
    CHECK(r.error().message.find("http://127.0.0.1:9/keys") != std::string::npos);
  }
}

TEST_CASE("VerifyEd25519 rejects malformed keys and signatures") {
  Signer s;
  auto sig = s.Sign("m");
  CHECK(VerifyEd25519(s.PublicKey(), "m", sig));
  CHECK_FALSE(VerifyEd25519(s.PublicKey(), "n", sig));
  CHECK_FALSE(VerifyEd25519(s.PublicKey().substr(1), "m", sig));
  CHECK_FALSE(VerifyEd25519(s.PublicKey(), "m", sig.substr(1)));
  CHECK_FALSE(VerifyEd25519(std::string(32, '\xff'), "m", sig));
}

TEST_CASE("the JWKS cache is safe to share between threads, rotation included") {
  Signer old_key, new_key;
  auto clock = std::make_shared<VirtualClock>();
  auto transport = std::make_shared<ScriptedTransport>();
  std::mutex served_mu;
  std::string served = webhook_test::Jwks({old_key.PublicKey()});
  transport->SetFallback([&](const HttpRequest&) -> result<HttpResponse> {
    std::lock_guard<std::mutex> lock(served_mu);
    return HttpResponse{200, {}, served};
  });
  auto cache = JwksCache::Fetching(transport, {}, clock);
  auto verifier = std::make_shared<WebhookVerifier>(cache, WebhookVerifierOptions{}, clock);
  const auto old_headers = old_key.Headers(kId, "u", kNow, webhook_test::kOkBody);
  const auto new_headers = new_key.Headers(kId, "u", kNow, webhook_test::kOkBody);
  REQUIRE(verifier->Verify(old_headers, webhook_test::kOkBody).has_value());
  {
    std::lock_guard<std::mutex> lock(served_mu);
    served = webhook_test::Jwks({new_key.PublicKey(), old_key.PublicKey()});
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const auto& h = (i + t) % 2 ? new_headers : old_headers;
        if (verifier->Verify(h, webhook_test::kOkBody)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok.load() == 80);
  CHECK(cache->fetch_count() == 2);  // one initial fetch, one rotation refetch shared by all threads
}
