// Two faltrain-webhook-receiver processes on different ports share one PostgreSQL job store. Signed
// webhooks go to both, and every duplicate delivery goes to the *other* receiver than the first one;
// mid-run receiver 0 is killed with SIGKILL and restarted, and later PostgreSQL itself is restarted
// (pg_ctl restart) while deliveries continue (503s are retried, as fal does). Afterwards every
// distinct request must be in the inbox exactly once and processed once, every job final with its
// webhook's outcome, changed once (one "job ... is STATUS" log line across both receivers) and
// notified at most once.
//
//   postgres_multi_instance_test RECEIVER WORK_DIR PG_FIXTURE_DIR PG_FIXTURE_SCRIPT [N=400]

#include "unit/webhook_test_signer.hpp"

#include <faltrain/jobs.hpp>
#include <faltrain/postgres_job_store.hpp>

#include <httplib.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
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
  int target = 0;  // which receiver gets it
};

class Receiver {
 public:
  Receiver(std::string binary, fs::path dir, std::string url, fs::path shared)
      : binary_(std::move(binary)), dir_(std::move(dir)), url_(std::move(url)), shared_(std::move(shared)) {
    fs::create_directories(dir_);
  }

  void Start() {
    fs::remove(dir_ / "port");
    pid_ = fork();
    if (pid_ == 0) {
      std::string jwks = (shared_ / "jwks.json").string(), port = (dir_ / "port").string(),
                  log = (dir_ / "receiver.log").string();
      std::string notify = "echo $FALTRAIN_JOB_ID $FALTRAIN_JOB_STATUS >> " + (shared_ / "notified.txt").string();
      FILE* f = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      FILE* o = std::freopen("/dev/null", "w", stdout);
      (void)o;
      ::unsetenv("FALTRAIN_WEBHOOK_DB");
      ::unsetenv("FALTRAIN_DATABASE_URL");
      execl(binary_.c_str(), binary_.c_str(), "--port", "0", "--host", "127.0.0.1", "--db", url_.c_str(),
            "--jwks-file", jwks.c_str(), "--port-file", port.c_str(), "--notify-command", notify.c_str(),
            "--threads", "8", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000; ++i) {
      std::ifstream in(dir_ / "port");
      int p = 0;
      if (in >> p && p > 0) {
        port_ = p;
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) throw std::runtime_error("receiver exited at start");
      std::this_thread::sleep_for(5ms);
    }
    throw std::runtime_error("receiver did not start");
  }

  void Kill() {
    port_ = 0;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int port() const { return port_; }
  fs::path log() const { return dir_ / "receiver.log"; }

 private:
  std::string binary_;
  fs::path dir_;
  std::string url_;
  fs::path shared_;
  pid_t pid_ = -1;
  std::atomic<int> port_{0};
};

long long Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Exec(const std::string& url, const char* sql) {
  PGconn* c = PQconnectdb(url.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) std::cerr << PQresultErrorMessage(r);
    PQclear(r);
  } else {
    std::cerr << PQerrorMessage(c);
  }
  PQfinish(c);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: postgres_multi_instance_test RECEIVER WORK_DIR PG_FIXTURE_DIR PG_FIXTURE_SCRIPT [N]\n";
    return 2;
  }
  const std::string binary = argv[1];
  const fs::path dir = argv[2];
  const fs::path pg_dir = argv[3];
  const std::string fixture = argv[4];
  const int n = argc > 5 ? std::atoi(argv[5]) : 400;
  std::string url;
  std::ifstream(pg_dir / "url") >> url;
  if (url.empty()) {
    std::cerr << "SKIP: no PostgreSQL test server (" << (pg_dir / "url") << " missing)\n";
    return 77;
  }
  fs::remove_all(dir);
  fs::create_directories(dir);

  webhook_test::Signer signer;
  { std::ofstream(dir / "jwks.json") << webhook_test::Jwks({signer.PublicKey()}, true); }

  std::vector<Delivery> deliveries;
  {
    auto opened = faltrain::OpenPostgresJobStore(url);
    if (!opened) {
      std::cerr << opened.error().message << "\n";
      return 1;
    }
    if (!Exec(url, "TRUNCATE jobs, webhook_inbox RESTART IDENTITY")) return 1;
    auto store = opened.value();
    for (int i = 0; i < n; ++i) {
      faltrain::RequestHandle h;
      h.request_id = "multi-" + std::to_string(i);
      auto job = store->CreateJob({"user-" + std::to_string(i % 7), "avatar-" + std::to_string(i), "portrait",
                                   "fast", "fal-ai/flux-lora-portrait-trainer"});
      if (!job || !store->MarkTraining(job.value().id, h)) {
        std::cerr << "cannot seed jobs\n";
        return 1;
      }
      Delivery d;
      d.request_id = h.request_id;
      d.ok = i % 5 != 0;
      d.target = i % 2;
      d.body = d.ok ? R"({"error": null, "gateway_request_id": ")" + h.request_id +
                          R"(", "payload": {"diffusers_lora_file": {"file_size": 89745224, "url": "https://v3.fal.media/files/)" +
                          h.request_id + R"(.safetensors"}, "seed": 17454220438242315174}, "request_id": ")" +
                          h.request_id + R"(", "status": "OK"})"
                    : R"({"request_id":")" + h.request_id + R"(","gateway_request_id":")" + h.request_id +
                          R"(","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[]}})";
      deliveries.push_back(d);
    }
  }
  // Every third request is delivered twice, the second time to the other receiver.
  std::deque<Delivery> queue;
  std::mt19937 rng(4242);
  for (const auto& d : deliveries) {
    queue.push_back(d);
    if (std::stoi(d.request_id.substr(6)) % 3 == 0) {
      Delivery again = d;
      again.target = 1 - d.target;
      queue.push_back(again);
    }
  }
  std::shuffle(queue.begin(), queue.end(), rng);
  const std::size_t total_deliveries = queue.size();

  Receiver r0(binary, dir / "r0", url, dir), r1(binary, dir / "r1", url, dir);
  Receiver* receivers[2] = {&r0, &r1};
  try {
    r0.Start();
    r1.Start();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }

  std::mutex qmu;
  std::atomic<int> acked{0}, duplicates_acked{0}, failed_attempts{0}, unavailable{0}, rejected{0};
  auto sender = [&] {
    for (;;) {
      Delivery d;
      {
        std::lock_guard<std::mutex> lock(qmu);
        if (queue.empty()) return;
        d = queue.front();
        queue.pop_front();
      }
      for (int attempt = 0;; ++attempt) {
        if (attempt > 3000) {  // bounded: ~60 s of retries for one delivery
          ++rejected;
          std::cerr << d.request_id << ": gave up\n";
          return;
        }
        int port = receivers[d.target]->port();
        if (port == 0) {
          std::this_thread::sleep_for(5ms);
          continue;
        }
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(1, 0);
        client.set_read_timeout(10, 0);
        auto h = signer.Headers(d.request_id, "multi-user", Now(), d.body);
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
        if (res && res->status == 503) {
          ++unavailable;  // the database is down: fal retries
        } else if (res) {
          ++rejected;
          std::cerr << "unexpected " << res->status << " " << res->body << "\n";
          return;
        } else {
          ++failed_attempts;  // receiver killed mid-request
        }
        std::this_thread::sleep_for(20ms);
      }
    }
  };
  std::vector<std::thread> senders;
  for (int i = 0; i < 6; ++i) senders.emplace_back(sender);

  auto wait_acked = [&](int target) {
    while (acked < target && rejected == 0) std::this_thread::sleep_for(1ms);
  };
  wait_acked(static_cast<int>(total_deliveries) / 3);
  r0.Kill();
  std::this_thread::sleep_for(200ms);  // deliveries for receiver 0 fail meanwhile
  r0.Start();
  wait_acked(static_cast<int>(total_deliveries) * 2 / 3);
  const int restart_rc = std::system(("sh '" + fixture + "' restart '" + pg_dir.string() + "'").c_str());
  for (auto& t : senders) t.join();

  // Both drain (a lease left by the killed receiver lapses after 30 s at most).
  auto store = faltrain::OpenPostgresJobStore(url).value();
  for (int i = 0; i < 1200; ++i) {
    auto left = store->CountWebhooks(true);
    if (left && left.value() == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  const int exit0 = r0.Terminate(), exit1 = r1.Terminate();

  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::cerr << "FAIL: " << what << "\n";
    }
  };
  check(restart_rc == 0, "pg_ctl restart");
  check(exit0 == 0 && exit1 == 0, "graceful exits " + std::to_string(exit0) + " " + std::to_string(exit1));
  check(rejected == 0, "no rejected deliveries");
  const auto total = store->CountWebhooks(false).value(), left = store->CountWebhooks(true).value();
  check(total == static_cast<std::size_t>(n), "inbox holds " + std::to_string(total) + " events, want " + std::to_string(n));
  check(left == 0, std::to_string(left) + " events left unprocessed");

  // "job ID (REQUEST) is STATUS" is logged once per job change, by whichever receiver made it.
  std::map<std::string, int> changes;
  const std::regex changed_line(R"(job \d+ \((multi-\d+)\) is (COMPLETED|FAILED))");
  for (auto* r : receivers) {
    std::ifstream in(r->log());
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, changed_line)) ++changes[m[1]];
    }
  }
  int completed = 0, failed = 0, changed_twice = 0, not_applied = 0;
  for (const auto& d : deliveries) {
    auto inbox = store->FindWebhook(d.request_id);
    check(inbox.has_value() && inbox.value().body == d.body, d.request_id + " recorded with its exact body");
    if (inbox && inbox.value().processing_note != "applied") ++not_applied;
    auto job = store->FindJobByRequestId(d.request_id);
    if (!job) {
      check(false, d.request_id + " job missing");
      continue;
    }
    const auto want = d.ok ? faltrain::JobStatus::kCompleted : faltrain::JobStatus::kFailed;
    check(job.value().status == want, d.request_id + " is " + std::string(faltrain::to_string(job.value().status)));
    check(job.value().notified_at.has_value(), d.request_id + " notification claimed");
    if (changes[d.request_id] > 1) ++changed_twice;
    (d.ok ? completed : failed)++;
  }
  check(not_applied == 0, std::to_string(not_applied) + " events not applied");
  check(changed_twice == 0, std::to_string(changed_twice) + " jobs changed twice");
  std::map<std::string, int> notified;
  {
    std::ifstream in(dir / "notified.txt");
    std::string id, status;
    while (in >> id >> status) ++notified[id];
  }
  int twice = 0;
  for (const auto& [id, count] : notified) twice += count > 1;
  const int lost = n - static_cast<int>(notified.size());
  check(twice == 0, std::to_string(twice) + " jobs notified more than once");
  // At-most-once: JobProcessor claims a notification, then reads the job, then notifies. A SIGKILL
  // between claim and command, or the database going away between claim and read (the restart), each
  // lose that one notification; the claim is never repeated, so nothing is notified twice.
  check(lost <= 2, std::to_string(lost) + " notifications lost in 1 kill + 1 database restart");

  std::cout << "multi-instance test: N=" << n << " distinct requests, " << total_deliveries << " deliveries ("
            << total_deliveries - n << " duplicates, each to the other receiver), 2 receivers, 1 SIGKILL restart, "
            << "1 PostgreSQL restart; " << failed_attempts << " failed attempts and " << unavailable
            << " 503s retried, " << acked << " acknowledged (" << duplicates_acked << " as duplicate)\n"
            << "  inbox " << total << " events, unprocessed " << left << "; jobs COMPLETED " << completed
            << ", FAILED " << failed << "; changed twice " << changed_twice << "; notified " << notified.size()
            << " jobs, " << twice << " twice, " << lost << " lost\n"
            << (failures == 0 ? "PASS" : "FAIL") << "\n";
  return failures == 0 ? 0 : 1;
}
