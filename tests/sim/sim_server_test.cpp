// faltrain-sim as a real process on 127.0.0.1, driven by faltrain's own TrainingClient over
// CurlTransport: a whole training with progress, the signed webhook received by a local
// cpp-httplib server and verified with OpenSSL against the served JWKS, a connection cut by the
// drop_connection fault (seen by curl as a network error, and not re-submitted), and a clean
// shutdown on SIGINT.

#include "sim_process.hpp"
#include "support/error_text.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace faltrain;
using test_support::ErrorText;
using namespace std::chrono_literals;

namespace {

std::string At(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).at_pointer(pointer).get(e) != simdjson::SUCCESS) return "<missing>";
  return e.is_string() ? std::string(e.get_string().value()) : simdjson::minify(e);
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::string UnBase64Url(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n) - (text.size() - text.find_last_not_of('=') - 1));
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

bool Verify(const std::string& key, const std::string& message, const std::string& signature) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(key.data()), key.size());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = pkey && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

struct Webhook {
  std::string body;
  std::string request_id, user_id, timestamp, signature;
};

// A webhook receiver on 127.0.0.1.
class Receiver {
 public:
  Receiver() {
    server_.Post("/hooks/fal", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        hooks_.push_back({req.body, req.get_header_value("X-Fal-Webhook-Request-Id"),
                          req.get_header_value("X-Fal-Webhook-User-Id"),
                          req.get_header_value("X-Fal-Webhook-Timestamp"),
                          req.get_header_value("X-Fal-Webhook-Signature")});
      }
      cv_.notify_all();
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/fal"; }
  std::optional<Webhook> WaitForOne(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return !hooks_.empty(); })) return std::nullopt;
    return hooks_.front();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Webhook> hooks_;
};

TrainingClient ClientFor(const std::string& sim_url) {
  ClientOptions config;
  config.api_key = "sim-id:sim-secret";
  config.endpoints.queue_url = sim_url;
  config.endpoints.rest_url = sim_url;
  config.endpoints.jwks_url = sim_url + "/.well-known/jwks.json";
  config.retry.initial_backoff = 50ms;
  auto client = TrainingClient::Create(config);
  REQUIRE_MESSAGE(client.has_value(), ErrorText(client));
  return std::move(client).value();
}

}  // namespace

TEST_CASE("TrainingClient over curl trains against faltrain-sim and gets a verifiable signed webhook") {
  Receiver receiver;
  SimProcess sim({"--duration", "1.5", "--queue-duration", "0.5", "--webhooks", "--seed", "99"});
  TrainingClient client = ClientFor(sim.url());

  auto zip_url = client.Upload(std::string("PK\x03\x04 faces", 10), "application/zip", "faces.zip");
  REQUIRE_MESSAGE(zip_url.has_value(), ErrorText(zip_url));
  CHECK(zip_url.value().rfind(sim.url() + "/files/", 0) == 0);

  TrainingRequest request;
  request.images_url = zip_url.value();
  request.preset = QualityPreset::kFast;
  SubmitOptions options;
  options.webhook_url = receiver.url();
  auto job = client.SubmitTraining(request, options);
  REQUIRE_MESSAGE(job.has_value(), ErrorText(job));

  std::vector<Progress> seen;
  WatchOptions watch;
  watch.min_interval = 100ms;
  watch.max_interval = 200ms;
  watch.on_progress = [&](const Progress& p) { seen.push_back(p); };
  auto output = client.Wait(job.value(), watch);
  REQUIRE_MESSAGE(output.has_value(), ErrorText(output));
  REQUIRE(output.value().lora_file.has_value());
  CHECK(output.value().lora_file->url.rfind(sim.url() + "/files/", 0) == 0);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().percent == doctest::Approx(100.0));

  auto hook = receiver.WaitForOne(20s);
  REQUIRE(hook.has_value());
  CHECK(hook->request_id == job.value().handle.request_id);
  CHECK(At(hook->body, "/status") == "OK");
  CHECK(At(hook->body, "/payload/diffusers_lora_file/url") == output.value().lora_file->url);

  CurlTransport curl;
  HttpRequest get_jwks;
  get_jwks.url = sim.url() + "/.well-known/jwks.json";
  auto jwks = curl.Send(get_jwks);
  REQUIRE(jwks.has_value());
  std::string key = UnBase64Url(At(jwks.value().body, "/keys/0/x"));
  std::string message = hook->request_id + "\n" + hook->user_id + "\n" + hook->timestamp + "\n" + Sha256Hex(hook->body);
  CHECK(Verify(key, message, Unhex(hook->signature)));
  CHECK_FALSE(Verify(key, message + "x", Unhex(hook->signature)));

  int status = sim.Stop(SIGINT);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a connection cut after the submit reached faltrain-sim is a network error, never re-sent") {
  SimProcess sim({"--fault", "drop_connection:op=submit"});
  TrainingClient client = ClientFor(sim.url());
  TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/rabbit/abc_faces.zip";
  auto job = client.SubmitTraining(request);
  REQUIRE_FALSE(job.has_value());
  CHECK(job.error().code == errc::network_error);

  CurlTransport curl;
  HttpRequest received;
  received.url = sim.url() + "/_sim/received";
  auto ids = curl.Send(received);
  REQUIRE(ids.has_value());
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  REQUIRE(parser.parse(ids.value().body).get_array().get(array) == simdjson::SUCCESS);
  CHECK(array.size() == 1);

  int status = sim.Stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
