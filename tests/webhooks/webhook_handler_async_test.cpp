// WebhookHandler::HandleAsync: the reply comes only once the inbox answered, from the inbox's
// thread; a store that falls behind gets 503s beyond max_pending_records instead of a growing queue.

#include "support/webhook_test_signer.hpp"

#include <faltrain/webhooks/handler.hpp>

#include <doctest/doctest.h>

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace faltrain;

namespace {

constexpr long long kNow = 1767225600;

// An inbox that keeps every event waiting until the test releases it: a store that is slow.
class HeldInbox final : public WebhookInbox {
 public:
  result<bool> RecordWebhook(const InboxEvent&) override {
    return fail(errc::storage_error, "the test uses RecordWebhookAsync only");
  }
  void RecordWebhookAsync(InboxEvent event, RecordCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_.push_back({std::move(event), std::move(done)});
  }
  std::size_t held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }
  // Answers every held event: stored, or a duplicate of one stored before; or `failure` for all.
  void ReleaseAll(std::optional<error> failure = std::nullopt) {
    std::vector<Held> now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      now.swap(held_);
    }
    for (auto& h : now) {
      if (failure) {
        h.done(fail(*failure));
      } else {
        h.done(stored_.insert(h.event.request_id).second);
      }
    }
  }

 private:
  struct Held {
    InboxEvent event;
    RecordCallback done;
  };
  std::mutex mu_;
  std::vector<Held> held_;
  std::set<std::string> stored_;
};

std::string Body(const std::string& id) {
  return R"({"request_id":")" + id + R"(","status":"OK","payload":{"images":[]},"error":null})";
}

struct Fixture {
  webhook_test::Signer signer;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();  // at kNow
  std::shared_ptr<HeldInbox> inbox = std::make_shared<HeldInbox>();
  WebhookHandlerOptions options;
  std::vector<WebhookReply> replies;

  WebhookHandler Make() const {
    auto verifier = std::make_shared<WebhookVerifier>(JwksCache::Static({signer.PublicKey()}),
                                                      WebhookVerifierOptions{}, clock);
    return WebhookHandler(verifier, inbox, options, clock);
  }
  void Send(const WebhookHandler& handler, const std::string& id) {
    const std::string body = Body(id);
    handler.HandleAsync("POST", "/webhook", signer.Headers(id, "user", kNow, body), body,
                        [this](WebhookReply reply) { replies.push_back(std::move(reply)); });
  }
};

}  // namespace

TEST_CASE("HandleAsync replies only after the inbox made the event durable") {
  Fixture f;
  auto handler = f.Make();
  f.Send(handler, "r1");
  CHECK(f.replies.empty());  // verified and queued, not yet durable: no reply
  CHECK(f.inbox->held() == 1);
  CHECK(handler.pending_records() == 1);
  f.inbox->ReleaseAll();
  REQUIRE(f.replies.size() == 1);
  CHECK(f.replies[0].status == 200);
  CHECK(f.replies[0].body == R"({"status":"accepted"})");
  REQUIRE(f.replies[0].event.has_value());
  CHECK(f.replies[0].event->request_id == "r1");
  CHECK(handler.pending_records() == 0);
  // The same event again: acknowledged as a duplicate, once the inbox said so.
  f.Send(handler, "r1");
  f.inbox->ReleaseAll();
  REQUIRE(f.replies.size() == 2);
  CHECK(f.replies[1].status == 200);
  CHECK(f.replies[1].duplicate);
}

TEST_CASE("HandleAsync rejects at once, and a failed store is a 503, never a 200") {
  Fixture f;
  auto handler = f.Make();
  const std::string body = Body("r1");
  handler.HandleAsync("POST", "/webhook", f.signer.Headers("r1", "user", kNow, body), body + " ",
                      [&f](WebhookReply reply) { f.replies.push_back(std::move(reply)); });
  REQUIRE(f.replies.size() == 1);  // the signature does not cover the changed body
  CHECK(f.replies[0].status == 401);
  CHECK(f.inbox->held() == 0);
  f.Send(handler, "r2");
  f.inbox->ReleaseAll(error{errc::storage_error, "disk full"});
  REQUIRE(f.replies.size() == 2);
  CHECK(f.replies[1].status == 503);
  CHECK(handler.pending_records() == 0);
}

TEST_CASE("a slow store: beyond max_pending_records the handler answers 503 without queueing") {
  Fixture f;
  f.options.max_pending_records = 3;
  auto handler = f.Make();
  for (const char* id : {"r1", "r2", "r3"}) f.Send(handler, id);
  CHECK(f.replies.empty());
  CHECK(handler.pending_records() == 3);
  for (const char* id : {"r4", "r5"}) f.Send(handler, id);
  REQUIRE(f.replies.size() == 2);  // answered at once, not held: memory stays bounded
  for (const auto& reply : f.replies) {
    CHECK(reply.status == 503);
    CHECK(reply.body.find("busy") != std::string::npos);
  }
  CHECK(f.inbox->held() == 3);
  f.inbox->ReleaseAll();
  REQUIRE(f.replies.size() == 5);
  for (std::size_t i = 2; i < 5; ++i) CHECK(f.replies[i].status == 200);
  // The store caught up: the refused event is accepted when fal retries it.
  f.Send(handler, "r4");
  CHECK(handler.pending_records() == 1);
  f.inbox->ReleaseAll();
  REQUIRE(f.replies.size() == 6);
  CHECK(f.replies[5].status == 200);
  CHECK_FALSE(f.replies[5].duplicate);
}
