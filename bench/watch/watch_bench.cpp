// faltrain_watch_bench: the measuring side of bench/watch/watch_scale.sh.
//
//   faltrain_watch_bench submit  URL JOBS FILE          submits JOBS trainings (64 threads), handles to FILE
//   faltrain_watch_bench monitor URL FILE INTERVAL_S SECONDS   one JobMonitor watches them all
//   faltrain_watch_bench serial  URL FILE INTERVAL_S SECONDS   the serial loop of the old JobMonitor
//   faltrain_watch_bench multi   URL FILE INTERVAL_S SECONDS   plain libcurl multi, the same polls
//   faltrain_watch_bench burst   URL FILE SIM_PID              every job's status at once (below)
//
// A watch mode prints one line: mode, polls, peak threads and RSS (/proc/self/status), p99 of the
// per-job ratio actual/intended time between consecutive polls, and CPU time per poll.
//
// burst shows that the simulator serves them all concurrently: plain curl multi sends one status
// GET per job, all at once, each on a connection of its own, and prints how many were answered,
// how many waited in the simulator at the same moment (request sent, no answer byte yet), the
// simulator's peak thread count (/proc/SIM_PID/status) and the time until the last answer.

#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/job_monitor.hpp>

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <queue>
#include <iostream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using namespace std::chrono;
using faltrain::RequestHandle;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long StatusField(const char* name, const std::string& proc = "/proc/self/status") {  // kB or a count
  std::ifstream in(proc);
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

/// Per-job poll times -> ratios; threads sampled as it goes.
struct Meter {
  milliseconds intended;
  std::unordered_map<std::string, steady_clock::time_point> last;
  std::vector<double> ratios;
  long polls = 0;
  long peak_threads = 0;

  void Poll(const std::string& id) {
    auto now = steady_clock::now();
    ++polls;
    auto [it, first] = last.try_emplace(id, now);
    if (!first) {
      ratios.push_back(duration<double>(now - it->second).count() / duration<double>(intended).count());
      it->second = now;
    }
    if (polls % 500 == 1) peak_threads = std::max(peak_threads, StatusField("Threads"));
  }

  // A job not polled again by the end is at least this late: counted, so that a watcher that
  // never comes back to most jobs (the serial loop) cannot look punctual.
  void CountOverdue(const std::vector<RequestHandle>& handles, steady_clock::time_point start) {
    const auto now = steady_clock::now();
    for (const auto& h : handles) {
      auto it = last.find(h.request_id);
      const auto since = it == last.end() ? start : it->second;
      if (now - since > intended) {
        ratios.push_back(duration<double>(now - since).count() / duration<double>(intended).count());
      }
    }
  }

  void Report(const char* mode, std::size_t jobs, double cpu) {
    peak_threads = std::max(peak_threads, StatusField("Threads"));
    std::sort(ratios.begin(), ratios.end());
    double p99 = ratios.empty() ? 0 : ratios[std::min(ratios.size() - 1, ratios.size() * 99 / 100)];
    std::printf("mode=%s jobs=%zu threads=%ld rss_mib=%.1f late_p99=%.3f polls=%ld cpu_per_poll_us=%.1f\n", mode,
                jobs, peak_threads, static_cast<double>(StatusField("VmHWM")) / 1024.0, p99, polls,
                polls > 0 ? cpu * 1e6 / static_cast<double>(polls) : 0.0);
  }
};

faltrain::TrainingClient MakeClient(const std::string& url, std::shared_ptr<faltrain::Transport> transport) {
  faltrain::ClientOptions options;
  options.api_key = "bench:key";
  options.endpoints.queue_url = url;
  options.endpoints.rest_url = url;
  auto client = faltrain::TrainingClient::Create(options, std::move(transport));
  if (!client) {
    std::cerr << client.error().to_string() << "\n";
    std::exit(1);
  }
  return client.value();
}

std::vector<RequestHandle> ReadHandles(const std::string& file) {
  std::ifstream in(file);
  std::vector<RequestHandle> handles;
  std::string line;
  while (std::getline(in, line)) {
    auto h = RequestHandle::Parse(line);
    if (h) handles.push_back(std::move(h).value());
  }
  return handles;
}

int Submit(const std::string& url, int jobs, const std::string& file) {
  auto client = MakeClient(url, nullptr);
  std::atomic<int> next{0};
  std::mutex mu;
  std::ofstream out(file);
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < jobs; i = next++) {
        faltrain::TrainingRequest request;
        request.images_url = "https://v3.fal.media/files/bench/faces.zip";
        auto job = client.SubmitTraining(request);
        if (!job) {
          ++failed;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        out << job.value().handle.ToJson() << "\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  std::fprintf(stderr, "submitted %d trainings (%d failed)\n", jobs - failed.load(), failed.load());
  return failed == 0 ? 0 : 1;
}

int WatchMonitor(const std::string& url, const std::vector<RequestHandle>& handles, milliseconds interval,
                 seconds run_for) {
  faltrain::CurlTransportOptions options;
  options.max_connections_per_host = 256;
  options.max_in_flight = 512;
  auto client = MakeClient(url, std::make_shared<faltrain::CurlTransport>(options));
  faltrain::WatchOptions watch;
  watch.min_interval = interval;
  watch.max_interval = interval;
  faltrain::JobMonitor monitor(client, watch);
  Meter meter{interval};
  faltrain::CancelToken stop;
  const auto end = steady_clock::now() + run_for;
  long finished = 0;
  faltrain::JobMonitor::Callbacks callbacks;
  callbacks.on_progress = [&](const RequestHandle& h, const faltrain::Progress&) {
    meter.Poll(h.request_id);
    if (steady_clock::now() >= end) stop.Cancel();
  };
  callbacks.on_done = [&](const RequestHandle&, faltrain::result<faltrain::TrainingOutput>) { ++finished; };
  const double cpu0 = CpuSeconds();
  const auto start = steady_clock::now();
  for (const auto& h : handles) {
    faltrain::TrainingJob job;
    job.handle = h;
    monitor.Add(std::move(job), callbacks);
  }
  (void)monitor.Run(stop);
  const double cpu = CpuSeconds() - cpu0;
  if (finished > 0) std::fprintf(stderr, "monitor: %ld jobs ended early\n", finished);
  meter.CountOverdue(handles, start);
  meter.Report("monitor", handles.size(), cpu);
  return 0;
}

// What main's JobMonitor::PollDue did: one blocking GetStatus per due job, in turn.
int WatchSerial(const std::string& url, const std::vector<RequestHandle>& handles, milliseconds interval,
                seconds run_for) {
  auto client = MakeClient(url, nullptr);
  Meter meter{interval};
  std::vector<steady_clock::time_point> due(handles.size(), steady_clock::now());
  const auto start = steady_clock::now();
  const auto end = start + run_for;
  const double cpu0 = CpuSeconds();
  while (steady_clock::now() < end) {
    for (std::size_t i = 0; i < handles.size() && steady_clock::now() < end; ++i) {
      if (due[i] > steady_clock::now()) continue;
      (void)client.GetStatus(handles[i], true);
      meter.Poll(handles[i].request_id);
      due[i] = steady_clock::now() + interval;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  const double cpu = CpuSeconds() - cpu0;
  meter.CountOverdue(handles, start);
  meter.Report("serial", handles.size(), cpu);
  return 0;
}

// Plain libcurl multi: the same status GETs on the same schedule, no parsing, no client.
struct MultiJob {
  std::string url;
  std::string id;
  std::string body;
  curl_slist* headers = nullptr;
};

size_t Sink(char* data, size_t size, size_t count, void* user) {
  static_cast<MultiJob*>(user)->body.assign(data, size * count);
  return size * count;
}

int WatchMulti(const std::string& url, const std::vector<RequestHandle>& handles, milliseconds interval,
               seconds run_for) {
  (void)url;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 256L);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 256L);
  std::vector<MultiJob> jobs(handles.size());
  using Due = std::pair<steady_clock::time_point, std::size_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> timers;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    jobs[i].url = handles[i].status_url + "?logs=1";
    jobs[i].id = handles[i].request_id;
    jobs[i].headers = curl_slist_append(nullptr, "Authorization: Key bench:key");
    timers.push({steady_clock::now(), i});
  }
  std::vector<CURL*> idle;
  std::size_t running = 0;
  Meter meter{interval};
  const auto start = steady_clock::now();
  const auto end = start + run_for;
  const double cpu0 = CpuSeconds();
  while (steady_clock::now() < end) {
    auto now = steady_clock::now();
    while (!timers.empty() && timers.top().first <= now && running < 512) {
      std::size_t i = timers.top().second;
      timers.pop();
      CURL* h = idle.empty() ? curl_easy_init() : idle.back();
      if (!idle.empty()) idle.pop_back();
      curl_easy_setopt(h, CURLOPT_URL, jobs[i].url.c_str());
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, jobs[i].headers);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Sink);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &jobs[i]);
      curl_easy_setopt(h, CURLOPT_PRIVATE, reinterpret_cast<void*>(i));
      curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
      curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
      curl_multi_add_handle(multi, h);
      ++running;
    }
    int still = 0;
    curl_multi_perform(multi, &still);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      void* p = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
      auto i = reinterpret_cast<std::size_t>(p);
      curl_multi_remove_handle(multi, m->easy_handle);
      idle.push_back(m->easy_handle);
      --running;
      meter.Poll(jobs[i].id);
      timers.push({steady_clock::now() + interval, i});
    }
    // With every slot taken, a due job waits for a slot (poll returns when a transfer ends), not
    // for its time, which has passed: waiting 0 ms here would spin.
    auto wait = timers.empty() || running >= 512
                    ? milliseconds(250)
                    : duration_cast<milliseconds>(timers.top().first - steady_clock::now());
    wait = std::clamp(wait, milliseconds(0), milliseconds(250));
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
  const double cpu = CpuSeconds() - cpu0;
  meter.CountOverdue(handles, start);
  meter.Report("curl-multi", handles.size(), cpu);
  return 0;
}

// One descriptor per connection: the burst needs as many as it has jobs.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

/// The most intervals [begin, end) open at one time.
std::size_t PeakOverlap(std::vector<std::pair<double, double>> intervals) {
  std::vector<std::pair<double, int>> events;
  for (auto [begin, end] : intervals) {
    events.emplace_back(begin, +1);
    events.emplace_back(end, -1);
  }
  std::sort(events.begin(), events.end());  // at equal times an end (-1) comes first
  long open = 0;
  long peak = 0;
  for (auto [when, step] : events) peak = std::max(peak, open += step);
  return static_cast<std::size_t>(peak);
}

// curl's event interface on epoll: with 10,000 transfers, curl_multi_perform (which looks at every
// transfer each time) would keep this side busier than the simulator.
struct EventLoop {
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  long timeout_ms = -1;  // curl's next timer, -1 = none

  static int OnSocket(CURL*, curl_socket_t fd, int what, void* user, void*) {
    auto* loop = static_cast<EventLoop*>(user);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop->epoll, EPOLL_CTL_DEL, fd, nullptr);
      return 0;
    }
    epoll_event ev{};
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    if (epoll_ctl(loop->epoll, EPOLL_CTL_MOD, fd, &ev) != 0) epoll_ctl(loop->epoll, EPOLL_CTL_ADD, fd, &ev);
    return 0;
  }
  static int OnTimer(CURLM*, long timeout_ms, void* user) {
    static_cast<EventLoop*>(user)->timeout_ms = timeout_ms;
    return 0;
  }
};

int Burst(const std::vector<RequestHandle>& handles, const std::string& sim_pid) {
  RaiseOpenFileLimit();
  const std::string sim_status = "/proc/" + sim_pid + "/status";
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  EventLoop loop;
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &EventLoop::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &EventLoop::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, &loop);
  // No pool limit: one connection per request, so every request really waits in the simulator.
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
  std::vector<MultiJob> jobs(handles.size());
  curl_slist* headers = curl_slist_append(nullptr, "Authorization: Key bench:key");
  const auto start = steady_clock::now();
  for (std::size_t i = 0; i < handles.size(); ++i) {
    jobs[i].url = handles[i].status_url + "?logs=1";
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, jobs[i].url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &jobs[i]);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    // A connection of its own, never looked up in the pool: curl would compare each new
    // transfer with every connection already open to the host (10,000 squared).
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_multi_add_handle(multi, h);
  }
  long sim_threads = StatusField("Threads", sim_status);
  std::size_t answered = 0;
  std::size_t failed = 0;
  std::vector<std::pair<double, double>> waiting;  // request sent -> first answer byte, from start
  auto harvest = [&] {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* h = m->easy_handle;
      long status = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
      const bool ok = m->data.result == CURLE_OK && (status == 200 || status == 202);
      ++(ok ? answered : failed);
      // curl's times count from when this transfer started; placed on the common clock by its
      // end, which is now.
      curl_off_t sent = 0, first_byte = 0, total = 0;  // microseconds
      curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &sent);
      curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
      curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
      const double end = duration<double>(steady_clock::now() - start).count();
      if (ok) waiting.emplace_back(end - static_cast<double>(total - sent) / 1e6,
                                   end - static_cast<double>(total - first_byte) / 1e6);
      curl_multi_remove_handle(multi, h);
      curl_easy_cleanup(h);
    }
  };
  int running = 0;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  std::vector<epoll_event> events(1024);
  while (running > 0) {
    const int wait = loop.timeout_ms < 0 ? 10 : static_cast<int>(std::min(loop.timeout_ms, 10L));
    const int n = epoll_wait(loop.epoll, events.data(), static_cast<int>(events.size()), wait);
    for (int i = 0; i < n; ++i) {
      const int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
    }
    if (n <= 0) curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    harvest();
    sim_threads = std::max(sim_threads, StatusField("Threads", sim_status));
  }
  harvest();
  const double seconds = duration<double>(steady_clock::now() - start).count();
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  close(loop.epoll);
  double last_sent = 0, first_answer = seconds;
  std::vector<double> waits_ms;  // per request: sent -> first answer byte
  for (auto [sent, answer] : waiting) {
    last_sent = std::max(last_sent, sent);
    first_answer = std::min(first_answer, answer);
    waits_ms.push_back((answer - sent) * 1000);
  }
  std::sort(waits_ms.begin(), waits_ms.end());
  auto wait_at = [&](double q) {
    return waits_ms.empty() ? 0.0 : waits_ms[std::min(waits_ms.size() - 1, static_cast<std::size_t>(q * waits_ms.size()))];
  };
  std::printf("burst: requests=%zu answered=%zu failed=%zu peak_waiting=%zu sim_threads=%ld seconds=%.3f "
              "last_sent_s=%.3f first_answer_s=%.3f wait_ms_p50=%.0f wait_ms_max=%.0f\n",
              handles.size(), answered, failed, PeakOverlap(std::move(waiting)), sim_threads, seconds, last_sent,
              first_answer, wait_at(0.5), wait_at(1.0));
  return answered == handles.size() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 4 && args[0] == "submit") return Submit(args[1], std::stoi(args[2]), args[3]);
  if (args.size() == 4 && args[0] == "burst") return Burst(ReadHandles(args[2]), args[3]);
  if (args.size() != 5) {
    std::cerr << "usage: faltrain_watch_bench submit URL JOBS FILE | (monitor|serial|multi) URL FILE INTERVAL_S SECONDS"
                 " | burst URL FILE SIM_PID\n";
    return 2;
  }
  auto handles = ReadHandles(args[2]);
  milliseconds interval(std::stol(args[3]) * 1000);
  seconds run_for(std::stol(args[4]));
  if (args[0] == "monitor") return WatchMonitor(args[1], handles, interval, run_for);
  if (args[0] == "serial") return WatchSerial(args[1], handles, interval, run_for);
  if (args[0] == "multi") return WatchMulti(args[1], handles, interval, run_for);
  return 2;
}
