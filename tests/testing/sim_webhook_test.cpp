// Simulated webhooks: fal's payload shapes and byte format, Ed25519 signatures checked here with
// OpenSSL alone (not with faltrain's verifier), retries with backoff, the webhook faults, key
// rotation and the background delivery thread.

#include "sim_test_helpers.hpp"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace faltrain;
using namespace sim_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHook = "http://127.0.0.1:9/hooks/fal";
constexpr const char* kHookQuery = "?fal_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fhooks%2Ffal";

struct Fixture {
  explicit Fixture(SimOptions options = Defaults())
      : clock(std::make_shared<VirtualClock>()),
        receiver(std::make_shared<CapturingTransport>()),
        sim(WithReceiver(std::move(options), receiver), clock) {}
  static SimOptions Defaults() {
    SimOptions o;
    o.seed = 9;
    o.training_duration = 20min;
    o.webhook_simulation = true;
    o.delivery = SimDelivery::kManual;
    return o;
  }
  static SimOptions WithReceiver(SimOptions o, std::shared_ptr<CapturingTransport> r) {
    o.webhook_transport = std::move(r);
    return o;
  }
  std::string Submit(const std::string& endpoint, const std::string& body) {
    auto r = Call(sim, HttpMethod::kPost, std::string(kQueue) + "/" + endpoint + kHookQuery, body);
    REQUIRE(r.status == 200);
    return At(r.body, "/request_id");
  }
  std::string SubmitTraining(const std::string& extra = "") {
    return Submit("fal-ai/flux-lora-portrait-trainer",
                  R"({"images_data_url":"https://x/y.zip","steps":100)" + extra + "}");
  }
  std::shared_ptr<VirtualClock> clock;
  std::shared_ptr<CapturingTransport> receiver;
  SimTransport sim;
};

// base64url (padded or not) → bytes, with OpenSSL's decoder.
std::string DecodeBase64Url(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  REQUIRE(n >= 0);
  std::size_t padding = text.size() - text.find_last_not_of('=') - 1;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string Sha256HexOpenSsl(const std::string& data) {
  unsigned char digest[32];
  unsigned int length = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

std::string HexToBytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

bool Ed25519Verify(const std::string& public_key, const std::string& message, const std::string& signature) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(public_key.data()),
                                              public_key.size());
  REQUIRE(key != nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

// Verifies a delivered webhook the way fal's docs describe, against every JWKS key.
bool SignatureVerifies(const HttpRequest& hook, const std::string& jwks) {
  std::string message = std::string(hook.headers.Get("X-Fal-Webhook-Request-Id")) + "\n" +
                        std::string(hook.headers.Get("X-Fal-Webhook-User-Id")) + "\n" +
                        std::string(hook.headers.Get("X-Fal-Webhook-Timestamp")) + "\n" +
                        Sha256HexOpenSsl(hook.body);
  std::string signature = HexToBytes(std::string(hook.headers.Get("X-Fal-Webhook-Signature")));
  if (signature.size() != 64) return false;
  for (std::size_t i = 0; i < ArraySize(jwks, "/keys"); ++i) {
    std::string x = At(jwks, "/keys/" + std::to_string(i) + "/x");
    if (Ed25519Verify(DecodeBase64Url(x), message, signature)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a finished training POSTs fal's success payload, signed, Python-formatted") {
  Fixture f;
  std::string id = f.SubmitTraining();
  f.clock->Advance(19min);
  CHECK(f.sim.RunDue() == 0);  // not finished yet: nothing is due
  f.clock->Advance(2min);
  CHECK(f.sim.RunDue() == 1);
  auto hooks = f.receiver->requests();
  REQUIRE(hooks.size() == 1);
  const HttpRequest& hook = hooks[0];
  CHECK(hook.method == HttpMethod::kPost);
  CHECK(hook.url == kHook);
  CHECK(hook.headers.Get("Content-Type") == "application/json");
  CHECK(hook.headers.Get("X-Fal-Webhook-Request-Id") == id);
  CHECK(hook.headers.Get("X-Fal-Webhook-User-Id") == "faltrain-sim-user");
  auto wall = std::chrono::duration_cast<std::chrono::seconds>(f.clock->WallNow().time_since_epoch()).count();
  CHECK(hook.headers.Get("X-Fal-Webhook-Timestamp") == std::to_string(wall));
  CHECK(hook.headers.Get("X-Fal-Webhook-Signature").size() == 128);
  // Python's json.dumps(sort_keys=True): sorted keys, ", " and ": " separators, error null.
  CHECK(hook.body.rfind("{\"error\": null, \"gateway_request_id\": \"" + id + "\", \"payload\": {\"config_file\": {", 0) == 0);
  CHECK(hook.body.find("\"request_id\": \"" + id + "\", \"status\": \"OK\"}") != std::string::npos);
  CHECK(At(hook.body, "/payload/diffusers_lora_file/file_name") == "pytorch_lora_weights.safetensors");

  std::string jwks = Call(f.sim, HttpMethod::kGet, "https://rest.fal.ai/.well-known/jwks.json").body;
  CHECK(At(jwks, "/keys/0/kty") == "OKP");
  CHECK(At(jwks, "/keys/0/crv") == "Ed25519");
  CHECK(At(jwks, "/keys/0/x") == f.sim.PublicKeyBase64Url());
  CHECK(SignatureVerifies(hook, jwks));
  // Any change to the body, or a different request id, breaks the signature.
  HttpRequest tampered = hook;
  tampered.body.back() = ' ';
  CHECK_FALSE(SignatureVerifies(tampered, jwks));
  tampered = hook;
  tampered.headers.Set("X-Fal-Webhook-Request-Id", "other");
  CHECK_FALSE(SignatureVerifies(tampered, jwks));
  CHECK(f.sim.RunDue() == 0);
  CHECK_FALSE(f.sim.NextDue().has_value());
}

TEST_CASE("error payloads: validation 422 and training failure") {
  Fixture f;
  std::string invalid = f.Submit("fal-ai/flux-lora-portrait-trainer", R"({"steps":10})");
  f.clock->Advance(10s);
  CHECK(f.sim.RunDue() == 1);
  auto hook = f.receiver->requests().at(0);
  CHECK(At(hook.body, "/status") == "ERROR");
  CHECK(At(hook.body, "/error") == "Invalid status code: 422");
  CHECK(At(hook.body, "/payload/detail/0/loc/1") == "images_data_url");
  CHECK(At(hook.body, "/payload/detail/0/type") == "value_error.missing");
  CHECK(hook.body.find("\"loc\": [\"body\", \"images_data_url\"]") != std::string::npos);

  f.sim.AddFault({SimFaultKind::kTrainingFailure});
  std::string failed = f.SubmitTraining();
  f.clock->Advance(1h);
  CHECK(f.sim.RunDue() == 1);
  auto failure = f.receiver->requests().at(1);
  CHECK(At(failure.body, "/request_id") == failed);
  CHECK(At(failure.body, "/status") == "ERROR");
  CHECK(At(failure.body, "/error") == "Invalid status code: 500");
  CHECK(At(failure.body, "/payload/detail").rfind("Training failed: loss became NaN at step ", 0) == 0);
}

TEST_CASE("payload_error shape") {
  Fixture f;
  f.sim.AddFault({SimFaultKind::kWebhookPayloadError});
  f.SubmitTraining();
  f.clock->Advance(1h);
  f.sim.RunDue();
  auto hook = f.receiver->requests().at(0);
  CHECK(At(hook.body, "/status") == "OK");
  CHECK(At(hook.body, "/payload") == "null");
  CHECK(At(hook.body, "/payload_error").rfind("Response payload is not JSON serializable.", 0) == 0);
  CHECK(At(hook.body, "/error") == "<missing>");
}

TEST_CASE("failed deliveries are retried with doubling backoff, then abandoned") {
  SimOptions o = Fixture::Defaults();
  o.webhook_max_attempts = 4;
  o.webhook_retry_base = 10s;
  Fixture f(o);
  f.receiver->Script({500, -1, 503, 502, 200});
  f.SubmitTraining();
  f.clock->Advance(1h);
  std::vector<Clock::steady_time> attempt_times;
  for (int i = 0; i < 10; ++i) {
    if (f.sim.RunDue() > 0) attempt_times.push_back(f.clock->Now());
    auto next = f.sim.NextDue();
    if (!next) break;
    f.clock->Advance(*next - f.clock->Now());
  }
  REQUIRE(attempt_times.size() == 4);
  CHECK(attempt_times[1] - attempt_times[0] == 10s);
  CHECK(attempt_times[2] - attempt_times[1] == 20s);
  CHECK(attempt_times[3] - attempt_times[2] == 40s);
  auto log = f.sim.WebhookLog();
  REQUIRE(log.size() == 4);
  CHECK(log[0].http_status == 500);
  CHECK(log[1].http_status == 0);
  CHECK_FALSE(log[1].transport_error.empty());
  CHECK(log[3].attempt == 4);
  CHECK_FALSE(f.sim.NextDue().has_value());
  // Every attempt is signed afresh over the same body.
  auto hooks = f.receiver->requests();
  CHECK(hooks[0].body == hooks[3].body);
  CHECK(hooks[0].headers.Get("X-Fal-Webhook-Timestamp") != hooks[3].headers.Get("X-Fal-Webhook-Timestamp"));
  std::string jwks = f.sim.JwksJson();
  for (const auto& hook : hooks) CHECK(SignatureVerifies(hook, jwks));
}

TEST_CASE("a delivery that succeeds after failures stops retrying") {
  Fixture f;
  f.receiver->Script({500, 204});
  f.SubmitTraining();
  f.clock->Advance(1h);
  CHECK(f.sim.RunDue() == 1);
  f.clock->Advance(15s);
  CHECK(f.sim.RunDue() == 1);
  CHECK_FALSE(f.sim.NextDue().has_value());
  CHECK(f.sim.WebhookLog().back().http_status == 204);
}

TEST_CASE("webhook faults: dropped, duplicated, delayed, out of order") {
  SUBCASE("dropped: never attempted") {
    Fixture f;
    f.sim.AddFault({SimFaultKind::kWebhookDrop});
    f.SubmitTraining();
    f.clock->Advance(3h);
    CHECK(f.sim.RunDue() == 0);
    CHECK(f.receiver->requests().empty());
  }
  SUBCASE("duplicated: the same body twice") {
    Fixture f;
    f.sim.AddFault({SimFaultKind::kWebhookDuplicate});
    f.SubmitTraining();
    f.clock->Advance(1h);
    f.sim.RunDue();
    f.sim.RunDue();
    auto hooks = f.receiver->requests();
    REQUIRE(hooks.size() == 2);
    CHECK(hooks[0].body == hooks[1].body);
  }
  SUBCASE("delayed: only after the delay") {
    Fixture f;
    SimFault delay{SimFaultKind::kWebhookDelay};
    delay.delay = 10min;
    f.sim.AddFault(delay);
    f.SubmitTraining();
    f.clock->Advance(3s + 20min + 1s);
    CHECK(f.sim.RunDue() == 0);
    f.clock->Advance(10min);
    CHECK(f.sim.RunDue() == 1);
  }
  SUBCASE("out of order: the first request's webhook arrives after the second's") {
    Fixture f;
    SimFault hold{SimFaultKind::kWebhookOutOfOrder};
    hold.delay = 1h;  // the longest it is held if nothing overtakes it
    f.sim.AddFault(hold);
    std::string first = f.SubmitTraining();
    f.clock->Advance(5min);
    std::string second = f.SubmitTraining();
    f.clock->Advance(20min);  // first finished
    CHECK(f.sim.RunDue() == 0);
    f.clock->Advance(5min);   // second finished: it goes, then the held one
    f.sim.RunDue();
    f.sim.RunDue();
    auto hooks = f.receiver->requests();
    REQUIRE(hooks.size() == 2);
    CHECK(At(hooks[0].body, "/request_id") == second);
    CHECK(At(hooks[1].body, "/request_id") == first);
  }
}

TEST_CASE("cancel: the webhook reports the cancellation when the run stops") {
  Fixture f;
  std::string id = f.SubmitTraining();
  f.clock->Advance(10s);
  Call(f.sim, HttpMethod::kPut, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer/requests/" + id + "/cancel");
  f.clock->Advance(2s);
  CHECK(f.sim.RunDue() == 1);
  auto hook = f.receiver->requests().at(0);
  CHECK(At(hook.body, "/status") == "ERROR");
  CHECK(At(hook.body, "/error") == "Request was cancelled");
}

TEST_CASE("rotated signing key: JWKS serves the new key first, with or without the old one") {
  Fixture f;
  std::string old_key = f.sim.PublicKeyBase64Url();
  f.sim.RotateSigningKey(true);
  std::string new_key = f.sim.PublicKeyBase64Url();
  CHECK(new_key != old_key);
  std::string both = f.sim.JwksJson();
  CHECK(ArraySize(both, "/keys") == 2);
  CHECK(At(both, "/keys/0/x") == new_key);
  CHECK(At(both, "/keys/1/x") == old_key);

  f.SubmitTraining();
  f.clock->Advance(1h);
  f.sim.RunDue();
  auto hook = f.receiver->requests().at(0);
  CHECK(SignatureVerifies(hook, both));
  // Signed with the new key: a JWKS holding only the old key rejects it.
  CHECK_FALSE(SignatureVerifies(hook, R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")" + old_key + "\"}]}"));

  f.sim.RotateSigningKey(false);
  CHECK(ArraySize(f.sim.JwksJson(), "/keys") == 1);
  CHECK_FALSE(SignatureVerifies(hook, f.sim.JwksJson()));
}

TEST_CASE("webhook timestamps can come from the real clock while the simulation runs virtually") {
  SimOptions o = Fixture::Defaults();
  o.webhook_clock = MakeSystemClock();
  Fixture f(o);
  f.SubmitTraining();
  f.clock->Advance(1h);
  f.sim.RunDue();
  auto real_now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
  long long stamped = std::stoll(std::string(f.receiver->requests().at(0).headers.Get("X-Fal-Webhook-Timestamp")));
  CHECK(stamped <= real_now);
  CHECK(stamped > real_now - 3600);  // the real clock, not the virtual one (2026-01-01 + 1 h)
  CHECK(SignatureVerifies(f.receiver->requests().at(0), f.sim.JwksJson()));
}

TEST_CASE("a fixed signing seed gives a fixed key") {
  SimOptions o = Fixture::Defaults();
  o.signing_key_seed_hex = std::string(64, 'a');
  Fixture a(o), b(o);
  CHECK(a.sim.PublicKeyBase64Url() == b.sim.PublicKeyBase64Url());
  CHECK(a.sim.PublicKeyBase64Url().size() == 44);
  CHECK(a.sim.PublicKeyBase64Url().back() == '=');
}

TEST_CASE("no webhook without simulation enabled or without fal_webhook") {
  SimOptions o = Fixture::Defaults();
  o.webhook_simulation = false;
  Fixture f(o);
  f.SubmitTraining();
  Fixture g;
  Call(g.sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer",
       R"({"images_data_url":"https://x/y.zip"})");
  f.clock->Advance(1h);
  g.clock->Advance(1h);
  CHECK(f.sim.RunDue() == 0);
  CHECK(g.sim.RunDue() == 0);
}

TEST_CASE("the background thread delivers without polling, and shuts down cleanly") {
  SimOptions o = Fixture::Defaults();
  o.delivery = SimDelivery::kAuto;
  Fixture f(o);
  f.SubmitTraining();
  f.clock->Advance(1h);
  // The thread follows the virtual clock by polling it; wait (really) for it to notice.
  for (int i = 0; i < 400 && f.receiver->requests().empty(); ++i) std::this_thread::sleep_for(5ms);
  CHECK(f.receiver->requests().size() == 1);
}

TEST_CASE("with the system clock the scheduler sleeps until due and the destructor wakes it") {
  SimOptions o = Fixture::Defaults();
  o.delivery = SimDelivery::kAuto;
  o.training_duration = 0ms;
  o.queue_duration = 0ms;
  auto receiver = std::make_shared<CapturingTransport>();
  o.webhook_transport = receiver;
  {
    SimTransport sim(o, MakeSystemClock());
    Call(sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer" + kHookQuery,
         R"({"images_data_url":"https://x/y.zip"})");
    for (int i = 0; i < 400 && receiver->requests().empty(); ++i) std::this_thread::sleep_for(5ms);
    CHECK(receiver->requests().size() == 1);
  }
  // A webhook due in an hour must not keep the destructor waiting.
  SimOptions later = o;
  later.training_duration = 1h;
  SimTransport sim(later, MakeSystemClock());
  Call(sim, HttpMethod::kPost, std::string(kQueue) + "/fal-ai/flux-lora-portrait-trainer" + kHookQuery,
       R"({"images_data_url":"https://x/y.zip"})");
}
