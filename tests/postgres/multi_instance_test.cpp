// Two faltrain-webhook-receiver processes on different ports share one PostgreSQL job store. Signed
// webhooks go to both, and every duplicate delivery goes to the *other* receiver than the first one;
// mid-run receiver 0 is killed with SIGKILL and restarted, and later PostgreSQL itself is restarted
// (pg_ctl restart) while deliveries continue (503s are retried, as fal does). Afterwards every
// distinct request must be in the inbox exactly once and processed once, every job final with its
// webhook's outcome, changed once (one "job ... is STATUS" log line across both receivers) and
// notified at most once.
//
//   postgres_multi_instance_test RECEIVER WORK_DIR PG_FIXTURE_DIR PG_FIXTURE_SCRIPT [N=400]

#include "support/pg_exec.hpp"
#include "support/webhook_load.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/postgres/postgres_job_store.hpp>


#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace test_support;

int main(int argc, char** argv) try {
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
    if (!PgExec(url, "TRUNCATE jobs, webhook_inbox RESTART IDENTITY")) return 1;
    auto seeded = SeedTrainingJobs(*opened.value(), "multi", n, 2);
    if (!seeded) {
      std::cerr << "cannot seed jobs: " << seeded.error().to_string() << "\n";
      return 1;
    }
    deliveries = std::move(seeded).value();
  }
  // Every duplicate goes to the other receiver than the first delivery.
  std::deque<Delivery> queue = DeliveryOrder(deliveries, 2, 4242);
  const std::size_t total_deliveries = queue.size();

  ReceiverProcess r0(binary, dir / "r0", url, dir), r1(binary, dir / "r1", url, dir);
  r0.Start();
  r1.Start();

  SenderOptions options;
  options.threads = 6;
  options.user_id = "multi-user";
  options.read_timeout = 10s;
  options.retry_pause = 20ms;
  options.retry_unavailable = true;
  WebhookSenders senders(signer, {&r0, &r1}, std::move(queue), options);

  senders.WaitAcked(static_cast<int>(total_deliveries) / 3);
  r0.Kill();
  std::this_thread::sleep_for(200ms);  // deliveries for receiver 0 fail meanwhile
  r0.Start();
  senders.WaitAcked(static_cast<int>(total_deliveries) * 2 / 3);
  const int restart_rc = std::system(("sh '" + fixture + "' restart '" + pg_dir.string() + "'").c_str());
  senders.Join();

  // Both drain (a lease left by the killed receiver lapses after 30 s at most).
  auto store = faltrain::OpenPostgresJobStore(url).value();
  // Then every notification is confirmed (one leased by the killed receiver goes out again once its
  // lease is released or lapses).
  for (int i = 0; i < 1200; ++i) {
    auto left = store->CountWebhooks(true);
    if (left && left.value() == 0 && AllNotified(*store)) break;
    std::this_thread::sleep_for(100ms);
  }
  const int exit0 = r0.Terminate(), exit1 = r1.Terminate();

  Verdict verdict;
  verdict.Check(restart_rc == 0, "pg_ctl restart");
  verdict.Check(exit0 == 0 && exit1 == 0, "graceful exits " + std::to_string(exit0) + " " + std::to_string(exit1));
  verdict.Check(senders.rejected() == 0, "no rejected deliveries");
  const StoreTally jobs = CheckStore(*store, deliveries, verdict);

  // "job ID (REQUEST) is STATUS" is logged once per job change, by whichever receiver made it.
  std::map<std::string, int> changes;
  const std::regex changed_line(R"(job \d+ \((multi-\d+)\) is (COMPLETED|FAILED))");
  for (const auto* r : {&r0, &r1}) {
    std::ifstream in(r->log());
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, changed_line)) ++changes[m[1]];
    }
  }
  int changed_twice = 0;
  for (const auto& d : deliveries) changed_twice += changes[d.request_id] > 1;
  verdict.Check(changed_twice == 0, std::to_string(changed_twice) + " jobs changed twice");
  const NotificationTally notified = CountNotifications(dir / "notified.txt", n);
  // At least once: nothing lost. A SIGKILL between the notify command and its confirmation, or the
  // database going away right then (the restart), each may repeat that one notification.
  verdict.Check(notified.lost == 0, std::to_string(notified.lost) + " notifications lost");
  // Each repeat needs a window: the kill, or a notification sent whose confirmation failed (logged).
  int windows = 1;
  for (const auto* r : {&r0, &r1}) {
    std::ifstream in(r->log());
    std::string line;
    while (std::getline(in, line)) {
      windows += line.find("recording its notification failed") != std::string::npos ||
                 line.find("notification not confirmed") != std::string::npos;
    }
  }
  verdict.Check(notified.twice <= windows, std::to_string(notified.twice) + " jobs notified twice with " +
                                               std::to_string(windows) + " crash or outage windows");

  std::cout << "multi-instance test: N=" << n << " distinct requests, " << total_deliveries << " deliveries ("
            << total_deliveries - n << " duplicates, each to the other receiver), 2 receivers, 1 SIGKILL restart, "
            << "1 PostgreSQL restart; " << senders.failed_attempts() << " failed attempts and "
            << senders.unavailable() << " 503s retried, " << senders.acked() << " acknowledged ("
            << senders.duplicates_acked() << " as duplicate)\n"
            << "  inbox " << jobs.inbox << " events, unprocessed " << jobs.unprocessed << "; jobs COMPLETED "
            << jobs.completed << ", FAILED " << jobs.failed << "; changed twice " << changed_twice << "; notified "
            << notified.jobs << " jobs, " << notified.twice << " twice, " << notified.lost << " lost\n"
            << (verdict.failures() == 0 ? "PASS" : "FAIL") << "\n";
  return verdict.failures() == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "FAIL: " << e.what() << "\n";
  return 1;
}
