// JobMonitor: many trainings watched from one thread, each finishing exactly once.

#include <faltrain/client/job_monitor.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

TrainingJob JobFor(const std::string& id) {
  TrainingJob job;
  job.handle.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  job.handle.request_id = id;
  job.handle.response_url = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/" + id;
  job.handle.status_url = job.handle.response_url + "/status";
  job.handle.cancel_url = job.handle.response_url + "/cancel";
  job.steps = 100;
  job.estimate = {1min, 3min};
  return job;
}

}  // namespace

TEST_CASE("JobMonitor drives several jobs to completion on one thread") {
  auto transport = std::make_shared<ScriptedTransport>();
  auto clock = std::make_shared<VirtualClock>();
  std::map<std::string, int> polls;
  // Job "a" needs 3 polls, job "b" 6, job "c" fails.
  transport->SetFallback([&](const HttpRequest& r) -> result<HttpResponse> {
    std::string id = r.url.substr(r.url.find("/requests/") + 10);
    bool is_status = id.find("/status") != std::string::npos;
    id = id.substr(0, id.find('/'));
    if (!is_status) {
      if (id == "c") return HttpResponse{422, {}, R"({"detail":[{"loc":["body"],"msg":"bad zip","type":"value_error"}]})"};
      return HttpResponse{200, {}, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/)" + id + R"(.safetensors"}})"};
    }
    int n = ++polls[id];
    int needed = id == "a" ? 3 : id == "b" ? 6 : 2;
    if (n >= needed) return HttpResponse{200, {}, R"({"status":"COMPLETED"})"};
    return HttpResponse{202, {}, R"({"status":"IN_PROGRESS","logs":[{"message":"step )" +
                                     std::to_string(n * 10) + R"(/100"}]})"};
  });
  ClientOptions config;
  config.api_key = "k:s";
  auto client = TrainingClient::Create(config, transport, clock);
  REQUIRE(client.has_value());

  WatchOptions defaults;
  defaults.min_interval = 1s;
  defaults.max_interval = 5s;
  JobMonitor monitor(client.value(), defaults);
  std::map<std::string, int> done;
  std::map<std::string, std::string> outcome;
  std::map<std::string, double> last_percent;
  JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [&](const RequestHandle& h, const Progress& p) {
    CHECK(p.percent >= last_percent[h.request_id]);
    last_percent[h.request_id] = p.percent;
  };
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput> r) {
    ++done[h.request_id];
    outcome[h.request_id] = r ? r.value().lora_file->url : r.error().to_string();
  };
  for (const char* id : {"a", "b", "c"}) monitor.Add(JobFor(id), callbacks);
  CHECK(monitor.size() == 3);

  REQUIRE(monitor.Run().has_value());
  CHECK(monitor.size() == 0);
  CHECK(done == std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}});
  CHECK(outcome["a"] == "https://v3.fal.media/files/a.safetensors");
  CHECK(outcome["b"] == "https://v3.fal.media/files/b.safetensors");
  CHECK(outcome["c"].find("bad zip") != std::string::npos);
  CHECK(polls["b"] == 6);
  CHECK(last_percent["a"] == doctest::Approx(100));
}

TEST_CASE("JobMonitor::PollDue reports the next wake-up and Remove stops watching") {
  auto transport = std::make_shared<ScriptedTransport>();
  auto clock = std::make_shared<VirtualClock>();
  transport->SetFallback([](const HttpRequest&) -> result<HttpResponse> {
    return HttpResponse{202, {}, R"({"status":"IN_QUEUE","queue_position":5})"};
  });
  ClientOptions config;
  config.api_key = "k:s";
  JobMonitor monitor(TrainingClient::Create(config, transport, clock).value(), WatchOptions{});
  monitor.Add(JobFor("x"), {});
  auto next = monitor.PollDue();
  REQUIRE(next.has_value());
  CHECK(*next - clock->Now() == std::chrono::milliseconds(2000));  // the default min interval
  CHECK(transport->requests().size() == 1);
  CHECK(monitor.PollDue().has_value());  // not due yet: nothing sent
  CHECK(transport->requests().size() == 1);
  CHECK(monitor.Remove("x"));
  CHECK_FALSE(monitor.Remove("x"));
  CHECK_FALSE(monitor.PollDue().has_value());

  CancelToken token;
  token.Cancel();
  monitor.Add(JobFor("y"), {});
  CHECK(monitor.Run(token).error().code == errc::cancelled);
  CHECK(monitor.size() == 1);
}

TEST_CASE("JobMonitor keeps watching a job whose status polls fail transiently") {
  auto transport = std::make_shared<ScriptedTransport>();
  auto clock = std::make_shared<VirtualClock>();
  int polls = 0;
  transport->SetFallback([&](const HttpRequest& r) -> result<HttpResponse> {
    if (r.url.find("/status") == std::string::npos) {
      return HttpResponse{200, {}, R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/f.safetensors"}})"};
    }
    // Ten failures in a row: more than one poll's retries (4 attempts), so the monitor must go on.
    if (++polls <= 10) return HttpResponse{503, {}, "<html>nginx</html>"};
    return HttpResponse{200, {}, R"({"status":"COMPLETED"})"};
  });
  ClientOptions config;
  config.api_key = "k:s";
  JobMonitor monitor(TrainingClient::Create(config, transport, clock).value(), WatchOptions{});
  std::optional<result<TrainingOutput>> outcome;
  JobMonitor::Callbacks callbacks;
  callbacks.on_done = [&](const RequestHandle&, result<TrainingOutput> r) { outcome = std::move(r); };
  monitor.Add(JobFor("f"), callbacks);
  REQUIRE(monitor.Run().has_value());
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->has_value());
  CHECK(outcome->value().lora_file->url == "https://v3.fal.media/files/f.safetensors");
  CHECK(polls == 11);
}

TEST_CASE("JobMonitor ends a watch on a permanent status error and on Remove from a callback") {
  auto transport = std::make_shared<ScriptedTransport>();
  auto clock = std::make_shared<VirtualClock>();
  transport->SetFallback([](const HttpRequest& r) -> result<HttpResponse> {
    if (r.url.find("/requests/gone/") != std::string::npos) return HttpResponse{404, {}, R"({"detail":"Request not found"})"};
    return HttpResponse{202, {}, R"({"status":"IN_PROGRESS"})"};
  });
  ClientOptions config;
  config.api_key = "k:s";
  JobMonitor monitor(TrainingClient::Create(config, transport, clock).value(), WatchOptions{});
  std::map<std::string, std::string> done;
  int progress_after_remove = 0;
  bool removed = false;
  JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [&](const RequestHandle& h, const Progress&) {
    if (removed) ++progress_after_remove;
    if (h.request_id == "left" && !removed) removed = monitor.Remove("left");
  };
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput> r) {
    done[h.request_id] = r ? "ok" : (r.error().code == errc::not_found ? "not_found" : r.error().to_string());
  };
  monitor.Add(JobFor("gone"), callbacks);
  monitor.Add(JobFor("left"), callbacks);
  REQUIRE(monitor.Run().has_value());
  CHECK(removed);
  CHECK(progress_after_remove == 0);
  CHECK(done.size() == 1);
  CHECK(done["gone"] == "not_found");
}
