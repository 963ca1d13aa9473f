// WebhookHandler: each rejection status with its short JSON error, and 200 only once recorded.

#include "support/webhook_test_signer.hpp"

#include <faltrain/webhooks/handler.hpp>
#include <faltrain/webhooks/job_token.hpp>

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <string>

using namespace faltrain;

namespace {

constexpr long long kNow = 1767225600;

// An inbox in memory: what the handler recorded, keyed by request id, duplicates refused.
class MemoryInbox final : public WebhookInbox {
 public:
  result<bool> RecordWebhook(const InboxEvent& event) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.emplace(event.request_id, event).second;
  }
  result<InboxEvent> FindWebhook(const std::string& request_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = events_.find(request_id);
    if (found == events_.end()) return fail(errc::not_found, "no event " + request_id);
    return found->second;
  }
  result<std::size_t> CountWebhooks(bool) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, InboxEvent> events_;
};

// An inbox whose writes fail, to prove nothing is acknowledged that was not recorded.
class BrokenInbox final : public WebhookInbox {
 public:
  result<bool> RecordWebhook(const InboxEvent&) override {
    return fail(errc::storage_error, "disk full");
  }
};

struct Fixture {
  webhook_test::Signer signer;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::shared_ptr<MemoryInbox> store = std::make_shared<MemoryInbox>();
  WebhookHandlerOptions options;

  WebhookHandler Make(std::shared_ptr<WebhookInbox> s = nullptr) const {
    auto verifier = std::make_shared<WebhookVerifier>(JwksCache::Static({signer.PublicKey()}),
                                                      WebhookVerifierOptions{}, clock);
    return WebhookHandler(verifier, s ? s : store, options, clock);
  }
  HttpHeaders Signed(const std::string& body, const std::string& id = "123e4567-e89b-12d3-a456-426614174000") const {
    return signer.Headers(id, "user", kNow, body);
  }
};

}  // namespace

TEST_CASE("a verified webhook is recorded, then acknowledged, a duplicate is acknowledged only") {
  Fixture f;
  auto handler = f.Make();
  const auto& body = webhook_test::kOkBody;
  auto reply = handler.Handle("POST", f.Signed(body), body);
  CHECK(reply.status == 200);
  CHECK(reply.body == R"({"status":"accepted"})");
  CHECK(reply.content_type == "application/json");
  CHECK_FALSE(reply.duplicate);
  REQUIRE(reply.event.has_value());
  CHECK(reply.event->request_id == "123e4567-e89b-12d3-a456-426614174000");
  auto stored = f.store->FindWebhook("123e4567-e89b-12d3-a456-426614174000");
  REQUIRE(stored.has_value());
  CHECK(stored.value().body == body);
  CHECK(stored.value().user_id == "user");
  CHECK(stored.value().signed_at == kNow);

  // fal retries: same request id, maybe a fresh signature and timestamp.
  auto again = handler.Handle("POST", f.signer.Headers(reply.event->request_id, "user", kNow + 5, body), body);
  CHECK(again.status == 200);
  CHECK(again.duplicate);
  CHECK(again.body == R"({"status":"duplicate"})");
  CHECK(f.store->CountWebhooks(false).value() == 1);
}

TEST_CASE("every payload shape is accepted") {
  Fixture f;
  auto handler = f.Make();
  for (const std::string& body : {webhook_test::kOkBody, webhook_test::kErrorBody,
                                  webhook_test::kPayloadErrorBody, webhook_test::kCapturedStyleBody}) {
    auto id = WebhookEvent::Parse(body).value().request_id;
    auto reply = handler.Handle("POST", f.Signed(body, id), body);
    CHECK_MESSAGE(reply.status == 200, reply.reason);
  }
  CHECK(f.store->CountWebhooks(false).value() == 4);
}

TEST_CASE("405 for any method but POST") {
  Fixture f;
  auto handler = f.Make();
  for (std::string method : {"GET", "PUT", "DELETE", "PATCH", "HEAD", "post"}) {
    auto reply = handler.Handle(method, f.Signed(webhook_test::kOkBody), webhook_test::kOkBody);
    CHECK(reply.status == 405);
    CHECK(reply.allow == "POST");
    CHECK(reply.body == R"({"error":"method not allowed"})");
  }
}

TEST_CASE("415 unless the content type is application/json") {
  Fixture f;
  auto handler = f.Make();
  for (std::string type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                           "multipart/form-data; boundary=x"}) {
    CAPTURE(type);
    auto h = f.Signed(webhook_test::kOkBody);
    h.Set("Content-Type", type);
    auto reply = handler.Handle("POST", h, webhook_test::kOkBody);
    CHECK(reply.status == 415);
    CHECK(reply.body == R"({"error":"content type must be application/json"})");
  }
  for (std::string type : {"application/json; charset=utf-8", "Application/JSON", " application/json "}) {
    CAPTURE(type);
    auto h = f.Signed(webhook_test::kOkBody);
    h.Set("content-type", type);
    CHECK(handler.Handle("POST", h, webhook_test::kOkBody).status == 200);
  }
}

TEST_CASE("413 over the size limit (default 1 MiB)") {
  Fixture f;
  CHECK(WebhookHandlerOptions{}.max_body_bytes == 1u << 20);
  auto handler = f.Make();
  std::string big = R"({"request_id":"big","status":"OK","payload":{"pad":")" + std::string(1u << 20, 'a') + "\"}}";
  auto reply = handler.Handle("POST", f.Signed(big, "big"), big);
  CHECK(reply.status == 413);
  CHECK(reply.body == R"({"error":"payload too large"})");
  f.options.max_body_bytes = 100;
  auto small_limit = f.Make();
  CHECK(small_limit.Handle("POST", f.Signed(webhook_test::kOkBody), webhook_test::kOkBody).status == 413);
  CHECK(f.store->CountWebhooks(false).value() == 0);
}

TEST_CASE("401 for signature problems, with the reason kept for logs") {
  Fixture f;
  auto handler = f.Make();
  const auto& body = webhook_test::kOkBody;
  webhook_test::Signer attacker;
  std::vector<std::pair<HttpHeaders, std::string>> cases;
  cases.push_back({attacker.Headers("123e4567-e89b-12d3-a456-426614174000", "user", kNow, body), "does not match"});
  cases.push_back({f.signer.Headers("123e4567-e89b-12d3-a456-426614174000", "user", kNow - 301, body), "outside"});
  cases.push_back({f.signer.Headers("another-request", "user", kNow, body), "is neither the body's request_id"});
  auto missing = f.Signed(body);
  HttpHeaders stripped;
  for (const auto& h : missing) {
    if (h.name != "X-Fal-Webhook-Signature") stripped.Add(h.name, h.value);
  }
  cases.push_back({stripped, "missing header X-Fal-Webhook-Signature"});
  for (const auto& [headers, reason] : cases) {
    auto reply = handler.Handle("POST", headers, body);
    CHECK(reply.status == 401);
    CHECK(reply.body == R"({"error":"invalid signature"})");
    CHECK(reply.reason.find(reason) != std::string::npos);
  }
  // Tampered body under a valid signature.
  std::string tampered = body;
  tampered.replace(tampered.find("\"OK\""), 4, "\"ER\"");
  CHECK(handler.Handle("POST", f.Signed(body), tampered).status == 401);
  CHECK(f.store->CountWebhooks(false).value() == 0);
}

TEST_CASE("a webhook signed with either of the body's ids is recorded with both, and neither is a 401") {
  const std::string body =
      R"({"error": null, "gateway_request_id": "gw-attempt-3", "payload": {"ok": true}, "request_id": "req-queue-1", "status": "OK"})";
  for (const char* header_id : {"req-queue-1", "gw-attempt-3"}) {
    CAPTURE(header_id);
    Fixture f;
    auto reply = f.Make().Handle("POST", f.Signed(body, header_id), body);
    CHECK(reply.status == 200);
    auto stored = f.store->FindWebhook("req-queue-1");  // keyed by the queue's request id
    REQUIRE(stored.has_value());
    CHECK(stored.value().request_id == "req-queue-1");
    CHECK(stored.value().gateway_request_id == "gw-attempt-3");
  }
  Fixture f;
  auto reply = f.Make().Handle("POST", f.Signed(body, "some-other-id"), body);
  CHECK(reply.status == 401);
  CHECK(reply.reason.find("neither") != std::string::npos);
  CHECK(f.store->CountWebhooks(false).value() == 0);
}

TEST_CASE("400 for a validly signed but malformed payload") {
  Fixture f;
  auto handler = f.Make();
  for (std::string body : {"{", "[1,2]", R"({"request_id":"r"})", R"({"request_id":"r","status":1})"}) {
    CAPTURE(body);
    auto reply = handler.Handle("POST", f.Signed(body, "r"), body);
    CHECK(reply.status == 400);
    CHECK(reply.body == R"({"error":"invalid payload"})");
  }
  CHECK(f.store->CountWebhooks(false).value() == 0);
}

TEST_CASE("503 when the event cannot be recorded, so fal retries") {
  Fixture f;
  auto handler = f.Make(std::make_shared<BrokenInbox>());
  auto reply = handler.Handle("POST", f.Signed(webhook_test::kOkBody), webhook_test::kOkBody);
  CHECK(reply.status == 503);
  CHECK(reply.body == R"({"error":"storage unavailable"})");
  CHECK(reply.reason == "disk full");
  CHECK_FALSE(reply.event.has_value());
}

TEST_CASE("a verified job token in the target is recorded with the event, a bad one is ignored") {
  Fixture f;
  f.options.job_token_secret = "0123456789abcdef-secret";
  auto handler = f.Make();
  const auto& body = webhook_test::kOkBody;
  const std::string id = "123e4567-e89b-12d3-a456-426614174000";
  const std::string token = MakeJobToken(7, f.options.job_token_secret).value();

  SUBCASE("verified") {
    auto reply = handler.Handle("POST", "/webhook/fal/status?job=" + token, f.Signed(body), body);
    CHECK(reply.status == 200);
    CHECK(reply.job_token == JobTokenCheck::kVerified);
    CHECK(reply.job_id == std::optional<std::int64_t>(7));
    CHECK(f.store->FindWebhook(id).value().job_id == std::optional<std::int64_t>(7));
  }
  SUBCASE("forged: another job's id with this token's HMAC") {
    const std::string forged = "8" + token.substr(token.find('.'));
    auto reply = handler.Handle("POST", "/webhook/fal/status?job=" + forged, f.Signed(body), body);
    CHECK(reply.status == 200);  // fal signed the body: the event is still recorded, by request id
    CHECK(reply.job_token == JobTokenCheck::kRejected);
    CHECK_FALSE(reply.job_id.has_value());
    CHECK_FALSE(f.store->FindWebhook(id).value().job_id.has_value());
  }
  SUBCASE("made with another secret") {
    const std::string other = MakeJobToken(7, "another-secret-0123456789").value();
    auto reply = handler.Handle("POST", "/webhook/fal/status?a=1&job=" + other, f.Signed(body), body);
    CHECK(reply.job_token == JobTokenCheck::kRejected);
    CHECK_FALSE(f.store->FindWebhook(id).value().job_id.has_value());
  }
  SUBCASE("none, or tokens not configured") {
    CHECK(handler.Handle("POST", "/webhook/fal/status", f.Signed(body), body).job_token == JobTokenCheck::kAbsent);
    f.options.job_token_secret.clear();
    auto plain = f.Make();
    auto reply = plain.Handle("POST", "/webhook/fal/status?job=" + token, f.Signed(body), body);
    CHECK(reply.job_token == JobTokenCheck::kAbsent);
  }
  SUBCASE("a bad signature is still refused, token or not") {
    auto headers = f.Signed(body);
    auto reply = handler.Handle("POST", "/webhook/fal/status?job=" + token, headers, std::string(body) + " ");
    CHECK(reply.status == 401);
    CHECK_FALSE(f.store->FindWebhook(id).has_value());
  }
}
