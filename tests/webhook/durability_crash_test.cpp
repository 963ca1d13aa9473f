// Nothing stranded, nothing lost (issue 11), end to end through the demo programs:
// faltrain-webhook-submit (the submitting program) → a fake fal queue → signed webhooks carrying the
// job token → faltrain-webhook-receiver (inbox, processor, reconciler, notify command).
//
// SIGKILLs at every step, each followed by a restart:
//   submitter: after creating the job (PENDING); after SUBMITTING, before fal took the POST (fal kills
//              it); after fal accepted the POST, before the answer (fal kills it); after TRAINING.
//   receiver:  after recording a webhook, before the 200; after a job's final status, before its
//              notification; after the notify command, before the confirmation; and at random.
// Some webhooks are never delivered (the reconciler polls fal); a third are delivered twice.
// Afterwards it prints
//   crash: kills=K stranded=0 lost_events=0 double_applied=0 lost_notifications=0 duplicate_notifications=D
// and fails unless every count but K and D is 0 and every job has the outcome fal gave it.
//
//   durability_crash_test RECEIVER SUBMIT WORK_DIR sqlite [JOBS=48]
//   durability_crash_test RECEIVER SUBMIT WORK_DIR postgres PG_FIXTURE_DIR [JOBS=48]

#include "support/pg_exec.hpp"
#include "support/webhook_load.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/postgres/postgres_job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace test_support;

extern char** environ;

namespace {

constexpr const char* kSecret = "crash-test-job-token-secret-0123456789";
constexpr const char* kTrainer = "/fal-ai/flux-lora-portrait-trainer";

// What fal does with the i-th submission (by the job id its token names).
enum class SubmitStep { kAfterCreate, kBeforeAccept, kAfterAccept, kAfterTraining, kNormal, kNormalNoWebhook };
SubmitStep StepFor(std::int64_t job) {
  switch (job % 6) {
    case 0: return SubmitStep::kAfterCreate;
    case 1: return SubmitStep::kBeforeAccept;
    case 2: return SubmitStep::kAfterAccept;
    case 3: return SubmitStep::kAfterTraining;
    case 4: return SubmitStep::kNormalNoWebhook;
    default: return SubmitStep::kNormal;
  }
}
bool FalSaysOk(std::int64_t job) { return job % 7 != 3; }

std::string Output(const std::string& id) {
  return R"({"config_file": {"url": "https://v3.fal.media/files/c.json"}, "diffusers_lora_file": {"url": "https://v3.fal.media/files/)" +
         id + R"(.safetensors"}, "seed": 17454220438242315174})";
}
std::string WebhookBody(const std::string& id, bool ok) {
  if (ok) return R"({"error": null, "gateway_request_id": ")" + id + R"(", "payload": )" + Output(id) +
                 R"(, "request_id": ")" + id + R"(", "status": "OK"})";
  return R"({"request_id":")" + id + R"(","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]}})";
}

// The queue API as fal serves it, for one trainer: submits are recorded by the job id the webhook
// URL's token names; status and result answer for what was accepted. It kills the submitter at the
// steps that happen on fal's side of the POST.
class FakeFal {
 public:
  struct Accepted {
    std::int64_t job = 0;
    std::string request_id, webhook_path;  // webhook_path: "/webhook/fal/status?job=<token>"
  };

  FakeFal() {
    server_.Post(kTrainer, [this](const httplib::Request& req, httplib::Response& res) { Submit(req, res); });
    server_.Get(R"(/fal-ai/flux-lora-portrait-trainer/requests/([^/]+)/status)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  const std::string id = req.matches[1];
                  std::lock_guard<std::mutex> lock(mu_);
                  if (!by_request_.count(id)) return void(res.status = 404);
                  res.set_content(R"({"status":"COMPLETED","request_id":")" + id + "\"}", "application/json");
                });
    server_.Get(R"(/fal-ai/flux-lora-portrait-trainer/requests/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  const std::string id = req.matches[1];
                  std::lock_guard<std::mutex> lock(mu_);
                  auto it = by_request_.find(id);
                  if (it == by_request_.end()) return void(res.status = 404);
                  if (!FalSaysOk(it->second)) {
                    res.status = 422;
                    res.set_content(R"({"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]})",
                                    "application/json");
                    return;
                  }
                  res.set_content(Output(id), "application/json");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeFal() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  void SetSubmitter(pid_t pid) { submitter_ = pid; }
  std::vector<Accepted> accepted() {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  std::map<std::int64_t, int> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }

 private:
  void Submit(const httplib::Request& req, httplib::Response& res) {
    const std::string hook = req.get_param_value("fal_webhook");
    const auto at = hook.find("/webhook/");
    const auto token = hook.find("job=");
    if (at == std::string::npos || token == std::string::npos) return void(res.status = 400);
    const std::int64_t job = std::atoll(hook.c_str() + token + 4);
    const SubmitStep step = StepFor(job);
    std::string id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const int n = ++posts_[job];
      if (step != SubmitStep::kBeforeAccept) {
        id = "fal-" + std::to_string(job) + "-" + std::to_string(n);
        by_request_[id] = job;
        accepted_.push_back({job, id, hook.substr(at)});
      }
    }
    if (step == SubmitStep::kBeforeAccept || step == SubmitStep::kAfterAccept) {
      kill(submitter_.load(), SIGKILL);  // the submitter dies before it hears fal's answer
      std::this_thread::sleep_for(50ms);
    }
    res.status = step == SubmitStep::kBeforeAccept ? 503 : 200;
    res.set_content(R"({"status":"IN_QUEUE","request_id":")" + id + "\"}", "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<pid_t> submitter_{0};
  std::mutex mu_;
  std::vector<Accepted> accepted_;
  std::map<std::string, std::int64_t> by_request_;
  std::map<std::int64_t, int> posts_;
};

// Runs faltrain-webhook-submit once; true when it was SIGKILLed.
bool RunSubmitter(const std::string& binary, const std::string& db, const std::string& hook,
                  const std::vector<std::string>& env_extra, FakeFal& fal) {
  std::vector<std::string> args{binary, "--db", db, "--webhook", hook, "--style", "portrait"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = env_extra;
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  fal.SetSubmitter(pid);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

std::vector<faltrain::Job> AllJobs(faltrain::JobStore& store) {
  std::vector<faltrain::Job> all;
  for (auto s : {faltrain::JobStatus::kPending, faltrain::JobStatus::kSubmitting, faltrain::JobStatus::kTraining,
                 faltrain::JobStatus::kCompleted, faltrain::JobStatus::kFailed, faltrain::JobStatus::kCancelled}) {
    auto jobs = store.ListJobs(s, 100000);
    if (jobs) all.insert(all.end(), jobs.value().begin(), jobs.value().end());
  }
  return all;
}

// The receiver, restarted whenever it dies, with the next fault point armed each time.
class ReceiverKeeper {
 public:
  ReceiverKeeper(ReceiverProcess& r, std::vector<std::string> faults) : r_(r), faults_(std::move(faults)) {
    Arm();
    r_.Start();
    thread_ = std::thread([this] { Run(); });
  }
  ~ReceiverKeeper() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void KillNow() { kill_now_ = true; }
  int kills() const { return kills_; }
  /// Self-inflicted kills per fault point ("after_record", ...); read after Stop().
  const std::map<std::string, int>& fault_kills() const { return fault_kills_; }

 private:
  void Arm() {
    r_.extra_env.erase(std::remove_if(r_.extra_env.begin(), r_.extra_env.end(),
                                      [](const std::string& e) { return e.rfind("FALTRAIN_CRASH_AT=", 0) == 0; }),
                       r_.extra_env.end());
    armed_.clear();
    if (next_ < faults_.size()) {
      armed_ = faults_[next_++];
      r_.extra_env.push_back("FALTRAIN_CRASH_AT=" + armed_);
    }
  }
  void Run() {
    while (!stop_) {
      // A kill of ours is not the armed fault point's: that one stays armed for the next start.
      const bool killed_by_us = kill_now_.exchange(false);
      if (killed_by_us) r_.Kill();
      const bool died = r_.Exited();
      const bool at_fault_point = died && !killed_by_us && !armed_.empty();
      if (at_fault_point) ++fault_kills_[armed_.substr(0, armed_.find(':'))];
      if (died || r_.port() == 0) {
        ++kills_;
        if (!killed_by_us) Arm();
        r_.Start();
      }
      std::this_thread::sleep_for(5ms);
    }
  }
  ReceiverProcess& r_;
  std::vector<std::string> faults_;
  std::size_t next_ = 0;
  std::string armed_;
  std::map<std::string, int> fault_kills_;
  std::atomic<bool> stop_{false}, kill_now_{false};
  std::atomic<int> kills_{0};
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 5) {
    std::cerr << "usage: durability_crash_test RECEIVER SUBMIT WORK_DIR sqlite|postgres [PG_DIR] [JOBS]\n";
    return 2;
  }
  const std::string receiver_bin = argv[1], submit_bin = argv[2], backend = argv[4];
  const fs::path dir = argv[3];
  const bool pg = backend == "postgres";
  const int arg_jobs = pg ? 6 : 5;
  const int n = argc > arg_jobs ? std::atoi(argv[arg_jobs]) : 48;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string db = (dir / "jobs.db").string();
  if (pg) {
    std::ifstream(fs::path(argv[5]) / "url") >> db;
    if (db.empty()) {
      std::cerr << "SKIP: no PostgreSQL test server\n";
      return 77;
    }
    if (!faltrain::OpenJobStore(db) || !PgExec(db, "TRUNCATE jobs, webhook_inbox RESTART IDENTITY")) {
      std::cerr << "cannot prepare the PostgreSQL database\n";
      return 1;
    }
  } else if (!faltrain::OpenSqliteJobStore(db)) {
    return 1;
  }

  webhook_test::Signer signer;
  { std::ofstream(dir / "jwks.json") << webhook_test::Jwks({signer.PublicKey()}, true); }
  FakeFal fal;
  const std::string queue = "FALTRAIN_QUEUE_URL=http://127.0.0.1:" + std::to_string(fal.port());
  const std::vector<std::string> env{queue, "FAL_KEY=crash:key", std::string("FALTRAIN_JOB_TOKEN_SECRET=") + kSecret,
                                     "FALTRAIN_DATABASE_URL=", "FALTRAIN_WEBHOOK_DB="};

  ReceiverProcess receiver(receiver_bin, dir / "r", db, dir);
  receiver.extra_env = env;
  // TRAINING jobs without news are polled after 3 s; SUBMITTING and PENDING ones are given up after
  // 60 s, well after their webhooks (if fal has them) were delivered.
  receiver.extra_args = {"--reconcile-after", "3", "--reconcile-every", "1", "--submit-timeout", "60"};
  std::vector<std::string> faults;
  for (int round = 0; round < 3; ++round) {
    for (const char* point : {"after_record:2", "before_notify:1", "after_notify:1"}) faults.push_back(point);
  }
  ReceiverKeeper keeper(receiver, faults);

  // 1. Submissions, one process each; the webhook URL is the receiver's (its port may change between
  //    restarts: fal keeps the URL it was given, so the senders below resolve the current port).
  int submit_kills = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> submit_env = env;
    // Job ids are 1, 2, ...: the i-th submission creates job i + 1.
    const std::int64_t job = i + 1;
    if (StepFor(job) == SubmitStep::kAfterCreate) submit_env.push_back("FALTRAIN_CRASH_AT=after_create:1");
    if (StepFor(job) == SubmitStep::kAfterTraining) submit_env.push_back("FALTRAIN_CRASH_AT=after_submit:1");
    submit_kills += RunSubmitter(submit_bin, db, "http://127.0.0.1:1/webhook/fal/status", submit_env, fal) ? 1 : 0;
  }

  // 2. fal delivers the webhooks of what it accepted (some never), with duplicates, while the
  //    receiver dies at its fault points and at random.
  std::vector<Delivery> deliveries;
  for (const auto& a : fal.accepted()) {
    if (StepFor(a.job) == SubmitStep::kNormalNoWebhook && FalSaysOk(a.job)) continue;  // lost for good
    Delivery d;
    d.request_id = a.request_id;
    d.ok = FalSaysOk(a.job);
    d.body = WebhookBody(a.request_id, d.ok);
    d.path = a.webhook_path;
    deliveries.push_back(std::move(d));
  }
  std::deque<Delivery> order = DeliveryOrder(deliveries, 1, 1111);
  const int total = static_cast<int>(order.size());
  SenderOptions options;
  options.threads = 3;
  options.user_id = "crash-user";
  options.retry_unavailable = true;
  options.give_up_after = std::chrono::seconds(120);
  {
    WebhookSenders senders(signer, {&receiver}, std::move(order), options);
    for (int k = 1; k <= 3; ++k) {  // random kills on top of the fault points
      senders.WaitAcked(total * k / 4);
      keeper.KillNow();
    }
    senders.Join();
    if (senders.rejected() != 0) std::cerr << senders.rejected() << " deliveries rejected\n";
  }

  // 3. Recovery: wait until every job is final and every notification confirmed.
  auto store = pg ? faltrain::OpenJobStore(db).value() : faltrain::OpenSqliteJobStore(db).value();
  for (int i = 0; i < 1800; ++i) {
    auto unprocessed = store->CountWebhooks(true);
    bool settled = AllNotified(*store) && unprocessed && unprocessed.value() == 0;
    for (const auto& job : AllJobs(*store)) settled = settled && faltrain::IsFinal(job.status);
    if (settled) break;
    std::this_thread::sleep_for(100ms);
  }
  keeper.Stop();
  const int exit_code = receiver.Terminate();

  // 4. The verdict.
  Verdict verdict;
  verdict.Check(exit_code == 0, "graceful exit code " + std::to_string(exit_code));
  const auto jobs = AllJobs(*store);
  verdict.Check(static_cast<int>(jobs.size()) == n, std::to_string(jobs.size()) + " jobs, want " + std::to_string(n));
  std::map<std::int64_t, std::string> fal_request;
  for (const auto& a : fal.accepted()) fal_request[a.job] = a.request_id;
  int stranded = 0, double_applied = 0, wrong = 0;
  for (const auto& [job, posts] : fal.posts()) double_applied += posts > 1 ? 1 : 0;  // a second paid submit
  for (const auto& job : jobs) {
    if (!faltrain::IsFinal(job.status)) {
      ++stranded;
      std::cerr << "stranded: job " << job.id << " " << faltrain::to_string(job.status) << "\n";
      continue;
    }
    auto it = fal_request.find(job.id);
    const auto want = it == fal_request.end() ? faltrain::JobStatus::kFailed
                      : FalSaysOk(job.id)      ? faltrain::JobStatus::kCompleted
                                               : faltrain::JobStatus::kFailed;
    const bool right_request = it == fal_request.end() || job.handle.request_id == it->second;
    if (job.status != want || !right_request) {
      ++wrong;
      std::cerr << "job " << job.id << " is " << faltrain::to_string(job.status) << " (" << job.error
                << "), request \"" << job.handle.request_id << "\"\n";
    }
  }
  int lost_events = 0;
  for (const auto& d : deliveries) {
    auto event = store->FindWebhook(d.request_id);
    if (!event || event.value().body != d.body || !event.value().processed) ++lost_events;
  }
  const NotificationTally notified = CountNotifications(dir / "notified.txt", n);
  int duplicates = 0;
  {
    std::map<std::string, int> lines;
    std::ifstream in(dir / "notified.txt");
    std::string id, status;
    while (in >> id >> status) ++lines[id];
    for (const auto& [id_, count] : lines) duplicates += count - 1;
  }
  const int kills = submit_kills + keeper.kills();
  verdict.Check(stranded == 0, std::to_string(stranded) + " jobs stranded");
  verdict.Check(lost_events == 0, std::to_string(lost_events) + " webhooks lost or unprocessed");
  verdict.Check(double_applied == 0, std::to_string(double_applied) + " jobs submitted to fal twice");
  verdict.Check(wrong == 0, std::to_string(wrong) + " jobs with another outcome than fal's");
  verdict.Check(notified.lost == 0, std::to_string(notified.lost) + " final jobs never notified");
  verdict.Check(kills >= 20, "only " + std::to_string(kills) + " kills");
  std::string per_point;
  for (const char* point : {"after_record", "before_notify", "after_notify"}) {
    const auto it = keeper.fault_kills().find(point);
    const int k = it == keeper.fault_kills().end() ? 0 : it->second;
    verdict.Check(k > 0, std::string("the receiver was never killed at ") + point);
    per_point += std::string(" ") + point + "=" + std::to_string(k);
  }
  std::cout << "crash (" << backend << "): " << n << " jobs, " << submit_kills << " submitter kills, "
            << keeper.kills() << " receiver kills (at fault points:" << per_point << "), " << deliveries.size() << " webhooks (" << total
            << " deliveries), " << fal.accepted().size() << " accepted by fal\n"
            << "crash: kills=" << kills << " stranded=" << stranded << " lost_events=" << lost_events
            << " double_applied=" << double_applied << " lost_notifications=" << notified.lost
            << " duplicate_notifications=" << duplicates << "\n"
            << (verdict.failures() == 0 ? "PASS" : "FAIL") << "\n";
  return verdict.failures() == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "FAIL: " << e.what() << "\n";
  return 1;
}
