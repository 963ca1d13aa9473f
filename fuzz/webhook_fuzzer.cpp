// libFuzzer target for the webhook parser and handler.
//
// The first byte picks a mode:
//   0 — WebhookEvent::Parse on the rest;
//   1 — WebhookHandler with the rest as the body, correctly signed (reaches parsing and storage);
//   2 — WebhookHandler with fuzzed method, content type, signature headers and body.
// Checks: never crashes, and the handler's answers keep their contract.

#include <faltrain/jobs/processor.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>
#include <faltrain/webhooks/event.hpp>
#include <faltrain/webhooks/handler.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace faltrain;

std::string Hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

struct World {
  EVP_PKEY* key = nullptr;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::shared_ptr<JobStore> store;
  std::unique_ptr<WebhookHandler> handler;
  int uses = 0;

  World() {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_keygen(ctx, &key);
    EVP_PKEY_CTX_free(ctx);
    Reset();
  }

  void Reset() {
    std::string raw(32, '\0');
    std::size_t len = raw.size();
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len);
    store = OpenSqliteJobStore(":memory:", {}, clock).value();
    auto verifier = std::make_shared<WebhookVerifier>(JwksCache::Static({raw}), WebhookVerifierOptions{}, clock);
    WebhookHandlerOptions options;
    options.max_body_bytes = 4096;
    handler = std::make_unique<WebhookHandler>(verifier, store, options, clock);
  }

  std::string Sign(const std::string& message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char sig[64];
    std::size_t len = sizeof sig;
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    EVP_MD_CTX_free(ctx);
    return Hex(sig, len);
  }
};

World& TheWorld() {
  static World* w = new World();
  return *w;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "contract violated: %s\n", what);
    std::abort();
  }
}

void CheckReply(const WebhookReply& r) {
  Check(r.status == 200 || r.status == 400 || r.status == 401 || r.status == 405 || r.status == 413 ||
            r.status == 415 || r.status == 503,
        "status");
  Check(!r.body.empty() && r.body.front() == '{' && r.body.back() == '}', "JSON body");
  Check((r.status == 200) == r.event.has_value(), "event only with 200");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  World& w = TheWorld();
  if (++w.uses % 20000 == 0) w.Reset();  // keep the in-memory inbox small

  if (mode == 0) {
    auto event = WebhookEvent::Parse(rest);
    if (event) {
      Check(!event.value().request_id.empty(), "request id");
      (void)event.value().FailureSummary();
      (void)OutcomeOf(event.value());
    }
    return 0;
  }

  if (mode == 1) {
    // Sign for the body's own request id when it has one, so the handler goes all the way.
    std::string request_id = "fuzz";
    if (auto event = WebhookEvent::Parse(rest)) request_id = event.value().request_id;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(rest.data()), rest.size(), digest);
    const std::string ts = "1767225600";
    HttpHeaders h;
    h.Add("Content-Type", "application/json");
    h.Add("X-Fal-Webhook-Request-Id", request_id);
    h.Add("X-Fal-Webhook-User-Id", "u");
    h.Add("X-Fal-Webhook-Timestamp", ts);
    h.Add("X-Fal-Webhook-Signature",
          w.Sign(request_id + "\nu\n" + ts + "\n" + Hex(digest, sizeof digest)));
    auto reply = w.handler->Handle("POST", h, rest);
    CheckReply(reply);
    Check(reply.status != 401, "own signature rejected");
    return 0;
  }

  // mode 2: fields separated by '\n': method, content type, request id, user id, timestamp,
  // signature, then the body.
  std::string fields[6];
  std::size_t pos = 0;
  for (auto& f : fields) {
    std::size_t nl = rest.find('\n', pos);
    if (nl == std::string::npos) nl = rest.size();
    f = rest.substr(pos, nl - pos);
    pos = nl < rest.size() ? nl + 1 : rest.size();
  }
  HttpHeaders h;
  h.Add("Content-Type", fields[1]);
  h.Add("X-Fal-Webhook-Request-Id", fields[2]);
  h.Add("X-Fal-Webhook-User-Id", fields[3]);
  h.Add("X-Fal-Webhook-Timestamp", fields[4]);
  h.Add("X-Fal-Webhook-Signature", fields[5]);
  auto reply = w.handler->Handle(fields[0], h, rest.substr(pos));
  CheckReply(reply);
  Check(reply.status != 200, "forged webhook accepted");
  return 0;
}
