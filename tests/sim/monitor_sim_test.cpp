// JobMonitor over CurlTransport's concurrent path against faltrain-sim (a process on 127.0.0.1)
// with a network latency: a hanging job does not delay the others, a failing status does not end a
// watch, Remove during a poll, and 1,000 jobs all reaching their final state. No timing assertions:
// the orderings prove it (e.g. every other job finished while the hanging one had no answer).

#include "sim_process.hpp"

#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/job_monitor.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

TrainingClient ClientFor(const SimProcess& sim) {
  ClientOptions options;
  options.api_key = "test:key";
  options.endpoints.queue_url = sim.url();
  options.endpoints.rest_url = sim.url();
  options.retry.initial_backoff = 10ms;
  options.retry.max_backoff = 50ms;
  options.request_timeout = 60s;
  CurlTransportOptions curl;
  curl.max_connections_per_host = 64;
  auto client = TrainingClient::Create(options, std::make_shared<CurlTransport>(curl));
  REQUIRE(client.has_value());
  return client.value();
}

// Submits `count` trainings from a few threads (submitting is setup here, not the subject).
std::vector<TrainingJob> SubmitMany(TrainingClient client, int count) {
  std::vector<TrainingJob> jobs(static_cast<std::size_t>(count));
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        TrainingRequest request;
        request.images_url = "https://v3.fal.media/files/test/faces.zip";
        auto job = client.SubmitTraining(request);
        if (job) {
          jobs[static_cast<std::size_t>(i)] = std::move(job).value();
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(failed == 0);
  return jobs;
}

void AddFault(const SimProcess& sim, const std::string& spec) {
  CurlTransport curl;
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.url = sim.url() + "/_sim/faults";
  r.body = spec;
  auto response = curl.Send(r);
  REQUIRE(response.has_value());
  REQUIRE(response.value().status == 200);
}

WatchOptions Quick() {
  WatchOptions watch;
  watch.min_interval = 200ms;
  watch.max_interval = 500ms;
  return watch;
}

}  // namespace

TEST_CASE("1,000 jobs against faltrain-sim with latency all reach their final state") {
  SimProcess sim({"--latency-ms", "50", "--duration", "1", "--queue-duration", "0.3"});
  auto client = ClientFor(sim);
  auto jobs = SubmitMany(client, 1000);
  JobMonitor monitor(client, Quick());
  std::map<std::string, int> done;
  int succeeded = 0;
  JobMonitor::Callbacks callbacks;
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput> output) {
    ++done[h.request_id];
    if (output && output.value().lora_file) ++succeeded;
  };
  for (auto& job : jobs) monitor.Add(job, callbacks);
  REQUIRE(monitor.Run().has_value());
  CHECK(done.size() == 1000);
  CHECK(std::all_of(done.begin(), done.end(), [](const auto& d) { return d.second == 1; }));
  CHECK(succeeded == 1000);
  CHECK(monitor.size() == 0);
}

TEST_CASE("a hanging job does not delay the others") {
  SimProcess sim({"--latency-ms", "20", "--duration", "1", "--queue-duration", "0.2"});
  auto client = ClientFor(sim);
  auto jobs = SubmitMany(client, 20);
  const std::string hanging = jobs[0].handle.request_id;
  // Its status answers take ten minutes: far longer than this test runs.
  AddFault(sim, "slow_response:op=status,id=" + hanging + ",delay_ms=600000,count=-1");
  JobMonitor monitor(client, Quick());
  std::set<std::string> finished;
  int hanging_callbacks = 0;
  JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [&](const RequestHandle& h, const Progress&) { hanging_callbacks += h.request_id == hanging; };
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput> output) {
    CHECK(output.has_value());
    finished.insert(h.request_id);
    if (finished.size() == jobs.size() - 1) CHECK(monitor.Remove(hanging));  // all others are done
  };
  for (auto& job : jobs) monitor.Add(job, callbacks);
  REQUIRE(monitor.Run().has_value());
  CHECK(finished.size() == jobs.size() - 1);
  CHECK(finished.count(hanging) == 0);
  CHECK(hanging_callbacks == 0);  // its first poll never came back while all the others finished
}

TEST_CASE("a failing status does not end a watch") {
  SimProcess sim({"--latency-ms", "10", "--duration", "1", "--queue-duration", "0.2"});
  auto client = ClientFor(sim);
  auto jobs = SubmitMany(client, 3);
  const std::string failing = jobs[1].handle.request_id;
  // More failures in a row than the client's 4 attempts per poll: the monitor itself must go on.
  AddFault(sim, "service_unavailable:op=status,id=" + failing + ",count=10");
  AddFault(sim, "drop_connection:op=status,id=" + jobs[2].handle.request_id + ",count=3");
  JobMonitor monitor(client, Quick());
  std::map<std::string, bool> ok;
  JobMonitor::Callbacks callbacks;
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput> output) {
    ok[h.request_id] = output.has_value() && output.value().lora_file.has_value();
  };
  for (auto& job : jobs) monitor.Add(job, callbacks);
  REQUIRE(monitor.Run().has_value());
  CHECK(ok.size() == 3);
  CHECK(ok[failing]);
  CHECK(ok[jobs[2].handle.request_id]);
}

TEST_CASE("Remove during a poll: no callback for that job once Remove returned") {
  SimProcess sim({"--latency-ms", "10", "--duration", "1", "--queue-duration", "0.2"});
  auto client = ClientFor(sim);
  auto jobs = SubmitMany(client, 2);
  const std::string slow = jobs[0].handle.request_id;
  AddFault(sim, "slow_response:op=status,id=" + slow + ",delay_ms=1500,count=-1");
  JobMonitor monitor(client, Quick());
  std::atomic<bool> removed{false};
  int after_remove = 0;
  int other_done = 0;
  JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [&](const RequestHandle& h, const Progress&) {
    if (h.request_id == slow) {
      after_remove += removed ? 1 : 0;
      return;
    }
    // The slow job's first poll is in flight now (its answer takes 1.5 s): remove it.
    if (!removed) {
      CHECK(monitor.Remove(slow));
      removed = true;
    }
  };
  callbacks.on_done = [&](const RequestHandle& h, result<TrainingOutput>) {
    if (h.request_id == slow) {
      after_remove += removed ? 1 : 0;
    } else {
      ++other_done;
    }
  };
  for (auto& job : jobs) monitor.Add(job, callbacks);
  REQUIRE(monitor.Run().has_value());
  CHECK(removed);
  CHECK(other_done == 1);
  CHECK_FALSE(monitor.Remove(slow));
  // Let the removed job's answer arrive: it must not reach a callback.
  (void)monitor.PollDue();  // drives the transport until nothing is in flight
  CHECK(after_remove == 0);
}
