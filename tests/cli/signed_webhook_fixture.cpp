// Test fixture: runs a training on the simulator with webhook simulation on and writes the webhook it
// signed, exactly as sent, for `faltrain verify-webhook`:
//   signed_webhook_fixture DIR   -> DIR/headers.txt ("Name: value" lines), DIR/body.json, DIR/jwks.json

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>
#include <faltrain/testing/sim_transport.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace {

int Die(const std::string& what) {
  std::fprintf(stderr, "signed_webhook_fixture: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Die("usage: signed_webhook_fixture DIR");
  const std::string dir = argv[1];
  using namespace std::chrono_literals;

  // The webhook "receiver" is a scripted transport that records what the simulator sends.
  auto receiver = std::make_shared<faltrain::ScriptedTransport>();
  receiver->SetFallback([](const faltrain::HttpRequest&) -> faltrain::result<faltrain::HttpResponse> {
    faltrain::HttpResponse ok;
    ok.status = 200;
    return ok;
  });
  faltrain::SimOptions options;
  options.training_duration = 200ms;
  options.queue_duration = 0ms;
  options.webhook_simulation = true;
  options.delivery = faltrain::SimDelivery::kManual;
  options.webhook_transport = receiver;
  options.seed = 11;
  auto sim = std::make_shared<faltrain::SimTransport>(options);  // real clock: real timestamps

  faltrain::ClientOptions config;
  config.test_mode = true;
  auto client = faltrain::TrainingClient::Create(config, sim);
  if (!client) return Die(client.error().to_string());
  faltrain::TrainingSet photos;
  for (int i = 0; i < 10; ++i) {
    auto added = photos.AddImage("p" + std::to_string(i) + ".jpg",
                                 std::string("\xFF\xD8\xFF\xE0", 4) + std::to_string(i));
    if (!added) return Die(added.error().to_string());
  }
  auto url = client.value().UploadTrainingSet(photos);
  if (!url) return Die(url.error().to_string());
  faltrain::TrainingRequest request;
  request.images_url = url.value();
  request.preset = faltrain::QualityPreset::kFast;
  faltrain::SubmitOptions submit;
  submit.webhook_url = "http://127.0.0.1:9/webhook/fal/status";
  auto job = client.value().SubmitTraining(request, submit);
  if (!job) return Die(job.error().to_string());
  faltrain::WatchOptions watch;
  watch.min_interval = 50ms;
  watch.max_interval = 100ms;
  auto output = client.value().Wait(job.value(), watch);
  if (!output) return Die(output.error().to_string());

  for (int i = 0; i < 200 && sim->WebhookLog().empty(); ++i) {
    sim->RunDue();
    std::this_thread::sleep_for(10ms);
  }
  auto log = sim->WebhookLog();
  if (log.empty()) return Die("the simulator sent no webhook");
  const auto& sent = log.front().request;
  std::ofstream headers(dir + "/headers.txt", std::ios::binary);
  headers << "POST /webhook/fal/status HTTP/1.1\n";
  for (const auto& h : sent.headers) headers << h.name << ": " << h.value << "\n";
  std::ofstream(dir + "/body.json", std::ios::binary) << sent.body;
  std::ofstream(dir + "/jwks.json", std::ios::binary) << sim->JwksJson();
  std::printf("%s\n", log.front().request_id.c_str());
  return 0;
}
