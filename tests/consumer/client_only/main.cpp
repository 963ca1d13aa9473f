// The client component alone (<faltrain/client.hpp>, faltrain::client): presets, trainers and a
// status call through a transport of the program's own, the seam a user plugs their HTTP stack into.
// Exit code 0 only when every check holds.

#include <faltrain/client.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

int failures = 0;

void Check(bool ok, const char* what, int line) {
  if (!ok) {
    std::fprintf(stderr, "consumer_client_only:%d: check failed: %s\n", line, what);
    ++failures;
  }
}
#define CHECK(...) Check(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__, __LINE__)

// Answers every request with one canned response and remembers the URLs it was asked for.
class CannedTransport final : public faltrain::Transport {
 public:
  explicit CannedTransport(std::string body) : body_(std::move(body)) {}
  faltrain::result<faltrain::HttpResponse> Send(const faltrain::HttpRequest& request) override {
    urls.push_back(request.url);
    faltrain::HttpResponse response;
    response.status = 200;
    response.headers.Add("Content-Type", "application/json");
    response.body = body_;
    return response;
  }
  std::vector<std::string> urls;

 private:
  std::string body_;
};

void CheckStatusThroughOwnTransport() {
  auto transport = std::make_shared<CannedTransport>(
      R"({"status":"IN_PROGRESS","request_id":"req-7","logs":[{"message":"step 10/500"}]})");
  faltrain::ClientOptions config;
  config.api_key = "key-id:key-secret";
  auto client = faltrain::TrainingClient::Create(config, transport);
  CHECK(client.has_value());
  if (!client) return;
  faltrain::RequestHandle handle;
  handle.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  handle.request_id = "req-7";
  handle.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/req-7";
  handle.status_url = handle.response_url + "/status";
  handle.cancel_url = handle.response_url + "/cancel";
  auto status = client.value().GetStatus(handle);
  if (!status) std::fprintf(stderr, "GetStatus: %s\n", status.error().to_string().c_str());
  CHECK(status.has_value() && status.value().phase == faltrain::RequestPhase::kInProgress);
  CHECK(transport->urls.size() == 1);
}

void CheckTestModeNeedsTheTestingComponent() {
  faltrain::ClientOptions config;
  config.test_mode = true;
  auto client = faltrain::TrainingClient::Create(config);
  CHECK(!client.has_value() && client.error().message.find("faltrain::testing") != std::string::npos);
}

}  // namespace

int main() {
  auto preset = faltrain::GetPreset(faltrain::AvatarStyle::kPortrait, faltrain::QualityPreset::kFast);
  CHECK(preset.steps == 500);
  auto registry = faltrain::TrainerRegistry::WithBuiltins();
  CHECK(registry.ForStyle(faltrain::AvatarStyle::kArtistic).has_value());
  CheckStatusThroughOwnTransport();
  CheckTestModeNeedsTheTestingComponent();
  if (failures == 0) std::puts("consumer_client_only: all checks passed");
  return failures == 0 ? 0 : 1;
}
