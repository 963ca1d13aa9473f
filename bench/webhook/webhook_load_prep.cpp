// Prepares a wrk load run against faltrain-webhook-receiver: a fresh Ed25519 key, its JWKS, and
// COUNT pre-signed webhooks with distinct request ids (one per line: id, timestamp, signature,
// body, tab-separated) for bench/webhook/webhook.lua.
//
//   webhook_load_prep OUT_DIR COUNT

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace {

std::string Hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

std::string Base64Url(const unsigned char* p, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: webhook_load_prep OUT_DIR COUNT\n";
    return 2;
  }
  const std::string dir = argv[1];
  const long count = std::atol(argv[2]);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  if (EVP_PKEY_keygen_init(kctx) != 1 || EVP_PKEY_keygen(kctx, &key) != 1) return 1;
  EVP_PKEY_CTX_free(kctx);
  unsigned char pub[32];
  std::size_t pub_len = sizeof pub;
  EVP_PKEY_get_raw_public_key(key, pub, &pub_len);
  std::ofstream(dir + "/jwks.json") << R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")" << Base64Url(pub, pub_len)
                                    << "\"}]}\n";

  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::ofstream out(dir + "/requests.tsv");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (long i = 0; i < count; ++i) {
    const std::string id = "load-" + std::to_string(i);
    const std::string body =
        R"({"request_id":")" + id + R"(","gateway_request_id":")" + id +
        R"(","status":"OK","payload":{"diffusers_lora_file":{"url":"https://v3.fal.media/files/koala/w.safetensors","file_name":"pytorch_lora_weights.safetensors","file_size":89745224},"config_file":{"url":"https://v3.fal.media/files/koala/c.json"}},"error":null})";
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
    const std::string message = id + "\nload-user\n" + ts + "\n" + Hex(digest, sizeof digest);
    unsigned char sig[64];
    std::size_t sig_len = sizeof sig;
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    out << id << '\t' << ts << '\t' << Hex(sig, sig_len) << '\t' << body << '\n';
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return out ? 0 : 1;
}
