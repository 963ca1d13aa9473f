// Crash test for faltrain-webhook-receiver: N signed webhooks (some delivered twice), sent by
// several threads that retry like fal does, while the receiver is killed with SIGKILL and restarted
// several times. Afterwards every distinct request must be in the inbox exactly once and processed,
// every job final with the outcome its webhook carried, and no job notified twice.
//
//   webhook_crash_test RECEIVER_BINARY WORK_DIR [N=400] [KILLS=6]

#include "unit/webhook_test_signer.hpp"

#include <faltrain/jobs.hpp>

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Delivery {
  std::string request_id;
  std::string body;
  bool ok = true;
};

class Receiver {
 public:
  Receiver(std::string binary, fs::path dir) : binary_(std::move(binary)), dir_(std::move(dir)) {}

  void Start() {
    fs::remove(dir_ / "port");
    pid_ = fork();
    if (pid_ == 0) {
      std::string db = (dir_ / "jobs.db").string(), jwks = (dir_ / "jwks.json").string(),
                  port = (dir_ / "port").string(), log = (dir_ / "receiver.log").string();
      std::string notify = "echo $FALTRAIN_JOB_ID $FALTRAIN_JOB_STATUS >> " + (dir_ / "notified.txt").string();
      FILE* f = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      FILE* o = std::freopen("/dev/null", "w", stdout);
      (void)o;
      execl(binary_.c_str(), binary_.c_str(), "--port", "0", "--host", "127.0.0.1", "--db", db.c_str(),
            "--jwks-file", jwks.c_str(), "--port-file", port.c_str(), "--notify-command", notify.c_str(),
            "--threads", "8", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000; ++i) {
      std::ifstream in(dir_ / "port");
      int p = 0;
      if (in >> p && p > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        port_ = p;
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
    throw std::runtime_error("receiver did not start");
  }

  void Kill() {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::lock_guard<std::mutex> lock(mu_);
    port_ = 0;
  }

  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int port() const {
    std::lock_guard<std::mutex> lock(mu_);
    return port_;
  }

 private:
  std::string binary_;
  fs::path dir_;
  pid_t pid_ = -1;
  mutable std::mutex mu_;
  int port_ = 0;
};

long long Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: webhook_crash_test RECEIVER_BINARY WORK_DIR [N] [KILLS]\n";
    return 2;
  }
  const std::string binary = argv[1];
  const fs::path dir = argv[2];
  const int n = argc > 3 ? std::atoi(argv[3]) : 400;
  const int kills = argc > 4 ? std::atoi(argv[4]) : 6;
  fs::remove_all(dir);
  fs::create_directories(dir);

  webhook_test::Signer signer;
  { std::ofstream(dir / "jwks.json") << webhook_test::Jwks({signer.PublicKey()}, true); }

  // Jobs waiting for their webhooks, as a bot would have left them after submitting.
  std::vector<Delivery> deliveries;
  {
    auto store = faltrain::OpenSqliteJobStore(dir / "jobs.db").value();
    for (int i = 0; i < n; ++i) {
      faltrain::RequestHandle h;
      h.request_id = "crash-" + std::to_string(i);
      auto job = store->CreateJob({"user-" + std::to_string(i % 7), "avatar-" + std::to_string(i), "portrait",
                                   "fast", "fal-ai/flux-lora-portrait-trainer"});
      if (!job || !store->MarkTraining(job.value().id, h)) {
        std::cerr << "cannot seed jobs\n";
        return 1;
      }
      Delivery d;
      d.request_id = h.request_id;
      d.ok = i % 5 != 0;
      d.body = d.ok ? R"({"error": null, "gateway_request_id": ")" + h.request_id +
                          R"(", "payload": {"config_file": {"url": "https://v3.fal.media/files/c.json"}, "diffusers_lora_file": {"file_size": 89745224, "url": "https://v3.fal.media/files/)" +
                          h.request_id + R"(.safetensors"}, "seed": 17454220438242315174}, "request_id": ")" +
                          h.request_id + R"(", "status": "OK"})"
                    : R"({"request_id":")" + h.request_id + R"(","gateway_request_id":")" + h.request_id +
                          R"(","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]}})";
      deliveries.push_back(d);
    }
  }
  // Every third request is delivered twice (fal retries after a lost 200, or duplicates).
  std::deque<Delivery> queue;
  std::mt19937 rng(12345);
  for (const auto& d : deliveries) {
    queue.push_back(d);
    if (std::stoi(d.request_id.substr(6)) % 3 == 0) queue.push_back(d);
  }
  std::shuffle(queue.begin(), queue.end(), rng);
  const std::size_t total_deliveries = queue.size();

  Receiver receiver(binary, dir);
  receiver.Start();

  std::mutex qmu;
  std::atomic<int> acked{0}, duplicates_acked{0}, failed_attempts{0}, rejected{0};
  std::atomic<bool> finished{false};
  auto sender = [&] {
    for (;;) {
      Delivery d;
      {
        std::lock_guard<std::mutex> lock(qmu);
        if (queue.empty()) return;
        d = queue.front();
        queue.pop_front();
      }
      for (;;) {
        int port = receiver.port();
        if (port == 0) {
          std::this_thread::sleep_for(5ms);
          continue;
        }
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(1, 0);
        client.set_read_timeout(5, 0);
        auto h = signer.Headers(d.request_id, "crash-user", Now(), d.body);
        httplib::Headers headers;
        for (const auto& item : h) {
          if (item.name != "Content-Type") headers.emplace(item.name, item.value);
        }
        auto res = client.Post("/webhook/fal/status", headers, d.body, "application/json");
        if (res && res->status == 200) {
          ++acked;
          if (res->body.find("duplicate") != std::string::npos) ++duplicates_acked;
          break;
        }
        if (res) {
          ++rejected;
          std::cerr << "unexpected " << res->status << " " << res->body << "\n";
          return;
        }
        ++failed_attempts;  // killed mid-request: retry like fal
        std::this_thread::sleep_for(10ms);
      }
    }
  };
  std::vector<std::thread> senders;
  for (int i = 0; i < 4; ++i) senders.emplace_back(sender);

  // Kill at evenly spread points of progress, each time at a random moment.
  int killed = 0;
  std::uniform_int_distribution<int> jitter(0, 15);
  for (int k = 1; k <= kills; ++k) {
    const int target = static_cast<int>(total_deliveries) * k / (kills + 1);
    while (acked < target) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    receiver.Kill();
    ++killed;
    receiver.Start();
  }
  for (auto& t : senders) t.join();
  finished = true;

  // Let the last incarnation drain, then stop it gracefully.
  const int exit_code = receiver.Terminate();

  // Verify.
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::cerr << "FAIL: " << what << "\n";
    }
  };
  check(exit_code == 0, "graceful exit code " + std::to_string(exit_code));
  check(rejected == 0, "no rejected deliveries");
  auto store = faltrain::OpenSqliteJobStore(dir / "jobs.db").value();
  check(store->CountWebhooks(false).value() == static_cast<std::size_t>(n),
        "inbox holds " + std::to_string(store->CountWebhooks(false).value()) + " events, want " + std::to_string(n));
  check(store->CountWebhooks(true).value() == 0,
        std::to_string(store->CountWebhooks(true).value()) + " events left unprocessed");
  int completed = 0, failed = 0;
  for (const auto& d : deliveries) {
    auto inbox = store->FindWebhook(d.request_id);
    check(inbox.has_value() && inbox.value().body == d.body, d.request_id + " recorded with its exact body");
    auto job = store->FindJobByRequestId(d.request_id);
    if (!job) {
      check(false, d.request_id + " job missing");
      continue;
    }
    const auto want = d.ok ? faltrain::JobStatus::kCompleted : faltrain::JobStatus::kFailed;
    check(job.value().status == want, d.request_id + " is " + std::string(faltrain::to_string(job.value().status)));
    check(job.value().notified_at.has_value(), d.request_id + " notification claimed");
    if (d.ok) {
      ++completed;
      check(job.value().output_json.find("17454220438242315174") != std::string::npos, d.request_id + " output intact");
    } else {
      ++failed;
    }
  }
  std::map<std::string, int> notified;
  {
    std::ifstream in(dir / "notified.txt");
    std::string id, status;
    while (in >> id >> status) ++notified[id];
  }
  int twice = 0;
  for (const auto& [id, count] : notified) {
    if (count > 1) ++twice;
  }
  const int lost_notifications = n - static_cast<int>(notified.size());
  check(twice == 0, std::to_string(twice) + " jobs notified more than once");
  // At-most-once: a kill between claiming a notification and running the command can lose it.
  check(lost_notifications <= killed, std::to_string(lost_notifications) + " notifications lost in " +
                                          std::to_string(killed) + " kills");

  std::cout << "crash test: N=" << n << " distinct requests, " << total_deliveries << " deliveries ("
            << total_deliveries - n << " duplicates), " << killed << " SIGKILL restarts, "
            << failed_attempts << " failed attempts retried, " << acked << " acknowledged ("
            << duplicates_acked << " as duplicate)\n"
            << "  inbox " << store->CountWebhooks(false).value() << " events, unprocessed "
            << store->CountWebhooks(true).value() << "; jobs COMPLETED " << completed << ", FAILED " << failed
            << "; notified " << notified.size() << " jobs, " << twice << " twice, " << lost_notifications
            << " lost\n"
            << (failures == 0 ? "PASS" : "FAIL") << "\n";
  return failures == 0 ? 0 : 1;
}
