// Webhook hot path costs per payload: parse, parse + verify, next to bare simdjson on the same
// bytes, and raw Ed25519 verification throughput (what `openssl speed ed25519` reports as verify/s).

#include <faltrain/webhooks/event.hpp>
#include <faltrain/webhooks/verifier.hpp>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <cstdio>
#include <string>

namespace {

using namespace faltrain;

const std::string kOk =
    R"({"request_id":"123e4567-e89b-12d3-a456-426614174000","gateway_request_id":"123e4567-e89b-12d3-a456-426614174000","status":"OK",)"
    R"("payload":{"diffusers_lora_file":{"url":"https://v3.fal.media/files/koala/w.safetensors","file_name":"pytorch_lora_weights.safetensors","file_size":89745224},)"
    R"("config_file":{"url":"https://v3.fal.media/files/koala/c.json"}},"error":null})";
const std::string kError =
    R"({"request_id":"123e4567-e89b-12d3-a456-426614174000","gateway_request_id":"123e4567-e89b-12d3-a456-426614174000","status":"ERROR","error":"Invalid status code: 422",)"
    R"("payload":{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}})";
const std::string kCaptured =
    R"({"error": null, "gateway_request_id": "123e4567-e89b-12d3-a456-426614174000", "payload": {"has_nsfw_concepts": [false], "images": [{"content_type": "image/jpeg", "height": 768, "url": "https://v3.fal.media/files/lion/O853q.jpeg", "width": 1024}], "prompt": "photo of ohwx person", "seed": 17454220438242315174, "timings": {"inference": 2.1}}, "request_id": "123e4567-e89b-12d3-a456-426614174000", "status": "OK"})";

const std::string& Payload(int i) { return i == 0 ? kOk : i == 1 ? kError : kCaptured; }
const char* PayloadName(int i) { return i == 0 ? "ok" : i == 1 ? "error_422" : "captured"; }

std::string Hex(const unsigned char* p, std::size_t n) {
  std::string out;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    out += b;
  }
  return out;
}

struct Keys {
  EVP_PKEY* key = nullptr;
  std::string public_key;
  Keys() {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_keygen(ctx, &key);
    EVP_PKEY_CTX_free(ctx);
    public_key.resize(32);
    std::size_t len = 32;
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(public_key.data()), &len);
  }
  std::string Sign(const std::string& m) const {
    unsigned char sig[64];
    std::size_t len = 64;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(m.data()), m.size());
    EVP_MD_CTX_free(ctx);
    return std::string(reinterpret_cast<char*>(sig), len);
  }
};
const Keys& TheKeys() {
  static Keys k;
  return k;
}

// Bare simdjson on-demand: the same fields the parser reads, nothing else.
void BM_SimdjsonOnDemand(benchmark::State& state) {
  const std::string& body = Payload(static_cast<int>(state.range(0)));
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  for (auto _ : state) {
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) state.SkipWithError("parse");
    std::string_view id, status, payload;
    for (auto field : doc.get_object()) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      simdjson::error_code err = simdjson::SUCCESS;
      if (key == "request_id") {
        err = field.value().get_string().get(id);
      } else if (key == "status") {
        err = field.value().get_string().get(status);
      } else if (key == "payload") {
        simdjson::ondemand::object o;
        err = field.value().get_object().get(o);
        if (!err) err = o.raw_json().get(payload);
      }
      if (err) state.SkipWithError("walk");
    }
    benchmark::DoNotOptimize(id);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(payload);
  }
  state.SetLabel(PayloadName(static_cast<int>(state.range(0))));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// Bare simdjson DOM: full validation of the same bytes.
void BM_SimdjsonDom(benchmark::State& state) {
  const std::string& body = Payload(static_cast<int>(state.range(0)));
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  for (auto _ : state) {
    simdjson::dom::element e;
    auto err = parser.parse(padded).get(e);
    benchmark::DoNotOptimize(err);
  }
  state.SetLabel(PayloadName(static_cast<int>(state.range(0))));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_WebhookParse(benchmark::State& state) {
  const std::string& body = Payload(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto e = WebhookEvent::Parse(body);
    if (!e) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(e);
  }
  state.SetLabel(PayloadName(static_cast<int>(state.range(0))));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_WebhookVerifyAndParse(benchmark::State& state) {
  const std::string& body = Payload(static_cast<int>(state.range(0)));
  const auto& keys = TheKeys();
  auto clock = std::make_shared<VirtualClock>();
  WebhookVerifier verifier(JwksCache::Static({keys.public_key}), {}, clock);
  const std::string id = "123e4567-e89b-12d3-a456-426614174000", ts = "1767225600";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  const std::string sig = keys.Sign(id + "\nu\n" + ts + "\n" + Hex(digest, sizeof digest));
  HttpHeaders h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Fal-Webhook-Request-Id", id);
  h.Add("X-Fal-Webhook-User-Id", "u");
  h.Add("X-Fal-Webhook-Timestamp", ts);
  h.Add("X-Fal-Webhook-Signature", Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size()));
  for (auto _ : state) {
    auto e = verifier.VerifyAndParse(h, body);
    if (!e) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(e);
  }
  state.SetLabel(PayloadName(static_cast<int>(state.range(0))));
}

// Raw Ed25519 verification of a fal-sized message (3 header values + 64 hex digits).
void BM_Ed25519Verify(benchmark::State& state) {
  const auto& keys = TheKeys();
  const std::string message =
      "123e4567-e89b-12d3-a456-426614174000\nuser\n1767225600\n" + std::string(64, 'a');
  const std::string sig = keys.Sign(message);
  for (auto _ : state) {
    bool ok = VerifyEd25519(keys.public_key, message, sig);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
}

void BM_Sha256Body(benchmark::State& state) {
  const std::string& body = kOk;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  for (auto _ : state) {
    SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
    benchmark::DoNotOptimize(digest);
  }
}

BENCHMARK(BM_SimdjsonOnDemand)->DenseRange(0, 2);
BENCHMARK(BM_SimdjsonDom)->DenseRange(0, 2);
BENCHMARK(BM_WebhookParse)->DenseRange(0, 2);
BENCHMARK(BM_WebhookVerifyAndParse)->DenseRange(0, 2);
BENCHMARK(BM_Ed25519Verify);
BENCHMARK(BM_Sha256Body);

}  // namespace

BENCHMARK_MAIN();
