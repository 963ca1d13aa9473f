// Status round trips per second against the in-process fake fal server on 127.0.0.1:
//   (a) plain libcurl, one reused easy handle, options set once: the floor to compare against;
//   (b) CurlTransport::Send with the same GET;
//   (c) TrainingClient::GetStatus over CurlTransport (adds retry bookkeeping and JSON parsing).
// (a) sends byte for byte the request (b) and (c) send: the same header lines in the same order
// (User-Agent goes in the header list, not CURLOPT_USERAGENT, which curl would put first).
// Each variant has a connection of its own, so each is served by its own server thread, and each
// run makes all three afresh (a handle, a transport, a client), so none keeps a connection open
// into later runs (an idle keep-alive connection from the gzip:0 run skewed the gzip:1 run).
// BM_Status_Paired runs (a), (b), (c) interleaved request by request and reports, as counters,
// their mean rates, median and p99 latencies, client-thread CPU per request, and the ratios b/a,
// c/a (of mean rates, and of median latencies). On a shared, loaded machine the mean is ruled by
// scheduler stalls of a few ms; the median ratio is the figure to trust. The separate
// BM_Status_* runs give a third view. A summary prints after the runs (goal: ratios >= 0.8).
// Also times the JSON work:
// building a training submission, parsing a status body, parsing a trainer result.
//
// Thread placement decides a loopback round trip more than any client code does: a server thread
// on the client's CPU answers in about half the time of one on the other CPU (no cross-CPU wake-up),
// and the scheduler places each connection's server thread on its own. Left to the OS, (a)'s and
// (b)/(c)'s server threads regularly land differently and the ratios swing from 0.65 to over 1.0
// between runs of the same binary. So threads are pinned (Linux), alike for all variants:
//   --placement=same   (default) client and server threads share one CPU;
//   --placement=split  client thread on one CPU, every server thread on another;
//   --placement=os     no pinning (the old, placement-dependent figures).
//
// Each pair runs with identity bodies (gzip:0) and with Accept-Encoding: gzip (gzip:1, the
// transport's default); (a) sends exactly the same headers as (b) in both.
// The machine is shared and noisy: interleave repetitions so load hits all variants alike:
//   faltrain_bench_client --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true

#include "client/detail/queue_protocol.hpp"
#include "fake_fal_server.hpp"

#include <faltrain/client/training_client.hpp>
#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/outputs.hpp>

#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <fmt/format.h>

#if defined(__linux__)
#include <sched.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using faltrain::ClientOptions;
using faltrain::CurlTransport;
using faltrain::HttpMethod;
using faltrain::HttpRequest;
using faltrain::RequestHandle;
using faltrain::TrainingClient;
using faltrain_testing::FakeFalServer;

constexpr const char* kKey = "test:key";

/// Where the client and the server threads run (see the file comment).
struct Placement {
  enum class Mode { kSameCpu, kSplit, kOs };
  Mode mode = Mode::kSameCpu;
  int client_cpu = -1;
  int server_cpu = -1;

  const char* name() const {
    return mode == Mode::kSameCpu ? "same" : mode == Mode::kSplit ? "split" : "os";
  }
};

Placement& ThePlacement() {
  static Placement placement;
  return placement;
}

/// Pins the calling thread (threads it starts inherit this); false if not possible.
bool PinThisThread(int cpu) {
#if defined(__linux__)
  if (cpu < 0) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
#else
  (void)cpu;
  return false;
#endif
}

/// Picks CPUs from those this process may use and pins the main thread to the client's.
void SetUpPlacement(Placement::Mode mode) {
  Placement& p = ThePlacement();
  p.mode = mode;
  if (mode == Placement::Mode::kOs) return;
  std::vector<int> cpus;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
#endif
  if (cpus.empty() || (mode == Placement::Mode::kSplit && cpus.size() < 2)) {
    std::fprintf(stderr, "placement %s not possible here; leaving threads to the OS\n", p.name());
    p.mode = Placement::Mode::kOs;
    return;
  }
  p.client_cpu = cpus[0];
  p.server_cpu = mode == Placement::Mode::kSplit ? cpus[1] : cpus[0];
  if (!PinThisThread(p.client_cpu)) {
    std::fprintf(stderr, "could not pin to CPU %d; leaving threads to the OS\n", p.client_cpu);
    p.mode = Placement::Mode::kOs;
  }
}

/// The status GET's header lines, in order: (b) and (c) send these, (a) sends the same.
std::vector<std::pair<std::string, std::string>> StatusHeaders(const std::string& user_agent) {
  return {{"Accept", "application/json"},
          {"User-Agent", user_agent},
          {"Authorization", std::string("Key ") + kKey}};
}

/// One server and one submitted, completed request shared by the round-trip benchmarks.
struct Environment {
  Environment() {
    faltrain_testing::FakeFalServerOptions options;
    options.expected_key = kKey;
    options.polls_in_queue = 0;  // every status answers 200 COMPLETED
    options.polls_in_progress = 0;
    options.record_requests = false;
    // The server's threads inherit the placement of the thread that starts them.
    const Placement& placement = ThePlacement();
    if (placement.mode == Placement::Mode::kSplit) PinThisThread(placement.server_cpu);
    server = std::make_unique<FakeFalServer>(options);
    if (placement.mode == Placement::Mode::kSplit) PinThisThread(placement.client_cpu);
    config.api_key = kKey;
    config.endpoints.queue_url = server->base_url();
    config.endpoints.rest_url = server->base_url();
    auto setup = TrainingClient::Create(config, std::make_shared<CurlTransport>()).value();
    auto submitted = setup.Submit("fal-ai/flux-lora-portrait-trainer",
                                  R"({"images_data_url":"https://v3.fal.media/files/x/faces.zip"})");
    if (!submitted) {
      std::fprintf(stderr, "setup submit failed: %s\n", submitted.error().to_string().c_str());
      std::abort();
    }
    handle = submitted.value();
    // The exact GET TrainingClient::GetStatus sends, for (a) and (b).
    status_url = handle.status_url + "?logs=1";
    user_agent = config.UserAgent();
  }

  std::unique_ptr<FakeFalServer> server;
  ClientOptions config;
  RequestHandle handle;
  std::string status_url;
  std::string user_agent;
};

Environment& Env() {
  static Environment env;
  return env;
}

extern "C" size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

/// (a): one easy handle with every option set once, sending the same bytes as (b) and (c).
class PlainCurl {
 public:
  PlainCurl(const Environment& env, bool gzip) : h_(curl_easy_init()) {
    for (const auto& [name, value] : StatusHeaders(env.user_agent)) {
      headers_ = curl_slist_append(headers_, (name + ": " + value).c_str());
    }
    curl_easy_setopt(h_, CURLOPT_URL, env.status_url.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &body_);
    if (gzip) curl_easy_setopt(h_, CURLOPT_ACCEPT_ENCODING, "gzip");
  }
  ~PlainCurl() {
    curl_easy_cleanup(h_);
    curl_slist_free_all(headers_);
  }
  PlainCurl(const PlainCurl&) = delete;
  PlainCurl& operator=(const PlainCurl&) = delete;

  bool Get() {
    body_.clear();
    long status = 0;
    const bool ok = curl_easy_perform(h_) == CURLE_OK &&
                    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                    status == 200;
    benchmark::DoNotOptimize(body_.data());
    return ok;
  }

 private:
  CURL* h_;
  curl_slist* headers_ = nullptr;
  std::string body_;
};

HttpRequest StatusRequest(const Environment& env) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = env.status_url;
  for (const auto& [name, value] : StatusHeaders(env.user_agent)) request.headers.Add(name, value);
  return request;
}

/// (b)'s transport and (c)'s client, made afresh for each run like (a)'s handle, so that every
/// variant starts on a new connection of its own and none keeps one open into later runs.
struct Variants {
  Variants(const Environment& env, bool gzip) {
    faltrain::CurlTransportOptions options;
    options.accept_gzip = gzip;  // the default is true
    transport = std::make_shared<CurlTransport>(options);
    client = std::make_unique<TrainingClient>(
        TrainingClient::Create(env.config, std::make_shared<CurlTransport>(options)).value());
  }
  std::shared_ptr<CurlTransport> transport;  // (b)
  std::unique_ptr<TrainingClient> client;    // (c), over a transport of its own
};

void BM_Status_a_PlainCurl(benchmark::State& state) {
  PlainCurl plain(Env(), state.range(0) != 0);
  for (auto _ : state) {
    if (!plain.Get()) {
      state.SkipWithError("plain curl status GET failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Status_b_CurlTransport(benchmark::State& state) {
  Environment& env = Env();
  const HttpRequest request = StatusRequest(env);
  Variants variants(env, state.range(0) != 0);
  for (auto _ : state) {
    auto response = variants.transport->Send(request);
    if (!response || response.value().status != 200) {
      state.SkipWithError("CurlTransport status GET failed");
      break;
    }
    benchmark::DoNotOptimize(response.value().body.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Status_c_TrainingClient(benchmark::State& state) {
  Environment& env = Env();
  Variants variants(env, state.range(0) != 0);
  for (auto _ : state) {
    auto status = variants.client->GetStatus(env.handle);
    if (!status || status.value().phase != faltrain::RequestPhase::kCompleted) {
      state.SkipWithError("TrainingClient::GetStatus failed");
      break;
    }
    benchmark::DoNotOptimize(status.value().logs.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// Arg gzip:0 = identity bodies, gzip:1 = Accept-Encoding: gzip (CurlTransport's default).
BENCHMARK(BM_Status_a_PlainCurl)->ArgName("gzip")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_Status_b_CurlTransport)->ArgName("gzip")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_Status_c_TrainingClient)->ArgName("gzip")->Arg(0)->Arg(1)->UseRealTime();

/// (a), (b) and (c) interleaved request by request, each timed on its own, so the load of a shared
/// machine hits all three alike. Reports each rate and the ratios as counters.
void BM_Status_Paired(benchmark::State& state) {
  Environment& env = Env();
  const int gzip = static_cast<int>(state.range(0));
  PlainCurl plain(env, gzip != 0);
  Variants variants(env, gzip != 0);
  const HttpRequest request = StatusRequest(env);

  using Clock = std::chrono::steady_clock;
  std::chrono::duration<double> spent[3] = {};
  double cpu_spent[3] = {};  // this thread's CPU seconds: the client side's own cost
  std::vector<double> latency[3];  // seconds per request, for medians that shrug off load spikes
  auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  auto run = [&](int which) {
    const double cpu_start = thread_cpu();
    const auto start = Clock::now();
    bool ok = false;
    if (which == 0) {
      ok = plain.Get();
    } else if (which == 1) {
      auto response = variants.transport->Send(request);
      ok = response && response.value().status == 200;
    } else {
      auto status = variants.client->GetStatus(env.handle);
      ok = status && status.value().phase == faltrain::RequestPhase::kCompleted;
    }
    const std::chrono::duration<double> took = Clock::now() - start;
    spent[which] += took;
    latency[which].push_back(took.count());
    cpu_spent[which] += thread_cpu() - cpu_start;
    return ok;
  };
  std::int64_t n = 0;
  for (auto _ : state) {
    // Rotate the order so no variant always runs first (warm caches) or last.
    const int first = static_cast<int>(n % 3);
    bool ok = true;
    for (int k = 0; k < 3; ++k) ok = run((first + k) % 3) && ok;
    if (!ok) {
      state.SkipWithError("a paired status GET failed");
      break;
    }
    ++n;
  }
  if (n > 0) {
    const double rate_a = n / spent[0].count(), rate_b = n / spent[1].count(),
                 rate_c = n / spent[2].count();
    state.counters["a_per_s"] = rate_a;
    state.counters["b_per_s"] = rate_b;
    state.counters["c_per_s"] = rate_c;
    state.counters["b/a"] = rate_b / rate_a;
    state.counters["c/a"] = rate_c / rate_a;
    auto percentile = [&](int which, double p) {
      auto& v = latency[which];
      const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      return v[k] * 1e6;
    };
    const char* names[3] = {"a", "b", "c"};
    double p50[3];
    for (int i = 0; i < 3; ++i) {
      p50[i] = percentile(i, 0.5);
      state.counters[std::string(names[i]) + "_p50_us"] = p50[i];
      state.counters[std::string(names[i]) + "_p99_us"] = percentile(i, 0.99);
    }
    state.counters["b/a_p50"] = p50[0] / p50[1];
    state.counters["c/a_p50"] = p50[0] / p50[2];
    state.counters["a_cpu_us"] = cpu_spent[0] / n * 1e6;
    state.counters["b_cpu_us"] = cpu_spent[1] / n * 1e6;
    state.counters["c_cpu_us"] = cpu_spent[2] / n * 1e6;
  }
}
BENCHMARK(BM_Status_Paired)->ArgName("gzip")->Arg(0)->Arg(1)->UseRealTime();

// ---- JSON work around the round trips --------------------------------------------------------

void BM_BuildTrainingInput(benchmark::State& state) {
  ClientOptions config;
  config.api_key = kKey;
  auto client = TrainingClient::Create(config, std::make_shared<CurlTransport>()).value();
  faltrain::TrainingRequest request;
  request.images_url = "https://v3.fal.media/files/rabbit/YYbm6L_faces.zip";
  request.preset = faltrain::QualityPreset::kQuality;
  request.trigger = "ohwx person";
  request.extra.SetBool("create_masks", true).SetString("note", "caf\xc3\xa9 \"quoted\"\n");
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto input = client.BuildTrainingInput(request);
    if (!input) {
      state.SkipWithError("BuildTrainingInput failed");
      break;
    }
    bytes += input.value().size();
    benchmark::DoNotOptimize(input.value().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildTrainingInput);

std::string StatusJson(int log_lines) {
  std::string logs;
  for (int i = 0; i < log_lines; ++i) {
    logs += fmt::format(
        R"({}{{"message":"Training step {}/2500, loss 0.0{}","level":"INFO","source":"USER","timestamp":"2024-12-20T15:37:17.120314"}})",
        i == 0 ? "" : ",", (i + 1) * 100, 40 + i % 50);
  }
  const std::string url =
      "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/80e732af-660e-45cd-bd63-580e4f2a94cc";
  return fmt::format(
      R"({{"status":"IN_PROGRESS","request_id":"80e732af-660e-45cd-bd63-580e4f2a94cc","response_url":"{0}","status_url":"{0}/status","cancel_url":"{0}/cancel","logs":[{1}],"metrics":{{}}}})",
      url, logs);
}

void BM_ParseStatus(benchmark::State& state) {
  faltrain::HttpResponse response;
  response.status = 202;
  response.body = StatusJson(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto status = faltrain::detail::ParseStatusResponse(response);
    if (!status || status.value().logs.size() != static_cast<std::size_t>(state.range(0))) {
      state.SkipWithError("ParseStatusResponse failed");
      break;
    }
    benchmark::DoNotOptimize(status.value().logs.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * response.body.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseStatus)->Arg(0)->Arg(25);

void BM_ParseTrainingOutput(benchmark::State& state) {
  const std::string json = faltrain_testing::DefaultTrainingResultJson("https://v3.fal.media");
  for (auto _ : state) {
    auto output = faltrain::TrainingOutput::Parse(json);
    if (!output || !output.value().lora_file) {
      state.SkipWithError("TrainingOutput::Parse failed");
      break;
    }
    benchmark::DoNotOptimize(output.value().lora_file->url.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTrainingOutput);

/// The console output plus a closing summary of the round-trip ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.real_accumulated_time <= 0) {
        continue;
      }
      const std::string name = run.run_name.function_name + "/" + run.run_name.args;
      auto& r = rates_[name];
      r.first += static_cast<double>(run.iterations) / run.real_accumulated_time;
      r.second += 1;
      for (const char* counter :
           {"a_per_s", "b_per_s", "c_per_s", "b/a", "c/a", "a_cpu_us", "b_cpu_us", "c_cpu_us",
            "a_p50_us", "b_p50_us", "c_p50_us", "a_p99_us", "b_p99_us", "c_p99_us", "b/a_p50",
            "c/a_p50"}) {
        auto it = run.counters.find(counter);
        if (it != run.counters.end()) paired_[name][counter].push_back(it->second.value);
      }
    }
  }

  /// Ratios are of the means over repetitions (a mean of per-run ratios overweights a stalled run).
  void PrintSummary() const {
    const Placement& p = ThePlacement();
    std::printf("\nplacement: %s (client CPU %d, server CPU %d)\n", p.name(), p.client_cpu,
                p.server_cpu);
    auto rate = [&](const std::string& name) {
      auto it = rates_.find(name);
      return it == rates_.end() ? 0.0 : it->second.first / it->second.second;
    };
    for (const char* args : {"gzip:0", "gzip:1"}) {
      const double a = rate(std::string("BM_Status_a_PlainCurl/") + args);
      const double b = rate(std::string("BM_Status_b_CurlTransport/") + args);
      const double c = rate(std::string("BM_Status_c_TrainingClient/") + args);
      if (a <= 0) continue;
      std::printf("\n[%s] status round trips/s (mean of runs): (a) plain curl %.0f, "
                  "(b) CurlTransport %.0f, (c) TrainingClient %.0f\n",
                  args, a, b, c);
      if (b > 0) std::printf("[%s] ratio b/a = %.3f (goal >= 0.8)\n", args, b / a);
      if (c > 0) std::printf("[%s] ratio c/a = %.3f (goal >= 0.8)\n", args, c / a);
    }
    for (const char* args : {"gzip:0", "gzip:1"}) {
      auto it = paired_.find(std::string("BM_Status_Paired/") + args);
      if (it == paired_.end()) continue;
      auto mean = [&](const char* counter) {
        auto found = it->second.find(counter);
        if (found == it->second.end() || found->second.empty()) return 0.0;
        double sum = 0;
        for (double x : found->second) sum += x;
        return sum / static_cast<double>(found->second.size());
      };
      std::printf("\n[%s] paired, mean rates (tail-sensitive): (a) %.0f/s, (b) %.0f/s, "
                  "(c) %.0f/s; ratio b/a = %.3f, c/a = %.3f (goal >= 0.8)\n",
                  args, mean("a_per_s"), mean("b_per_s"), mean("c_per_s"),
                  mean("b_per_s") / mean("a_per_s"), mean("c_per_s") / mean("a_per_s"));
      std::printf("[%s] paired, median latency (robust on a loaded machine): (a) %.0f us, "
                  "(b) %.0f us, (c) %.0f us -> ratio b/a = %.3f, c/a = %.3f (goal >= 0.8); "
                  "p99: (a) %.0f us, (b) %.0f us, (c) %.0f us\n",
                  args, mean("a_p50_us"), mean("b_p50_us"), mean("c_p50_us"),
                  mean("a_p50_us") / mean("b_p50_us"), mean("a_p50_us") / mean("c_p50_us"),
                  mean("a_p99_us"), mean("b_p99_us"), mean("c_p99_us"));
      std::printf("[%s] client-thread CPU per request: (a) %.1f us, (b) %.1f us, (c) %.1f us\n",
                  args, mean("a_cpu_us"), mean("b_cpu_us"), mean("c_cpu_us"));
    }
  }

 private:
  std::map<std::string, std::pair<double, int>> rates_;  // function -> (sum of rates, runs)
  std::map<std::string, std::map<std::string, std::vector<double>>> paired_;  // name -> counters
};

}  // namespace

int main(int argc, char** argv) {
  // Our own flag, taken out before Google Benchmark sees the arguments.
  Placement::Mode mode = Placement::Mode::kSameCpu;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    constexpr const char kFlag[] = "--placement=";
    if (std::strncmp(arg, kFlag, sizeof kFlag - 1) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const std::string value = arg + sizeof kFlag - 1;
    if (value == "same") {
      mode = Placement::Mode::kSameCpu;
    } else if (value == "split") {
      mode = Placement::Mode::kSplit;
    } else if (value == "os") {
      mode = Placement::Mode::kOs;
    } else {
      std::fprintf(stderr, "--placement must be same, split or os\n");
      return 1;
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  SetUpPlacement(mode);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
