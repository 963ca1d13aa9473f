// Crash test for faltrain-webhook-receiver: N signed webhooks (some delivered twice), sent by
// several threads that retry like fal does, while the receiver is killed with SIGKILL and restarted
// several times. Afterwards every distinct request must be in the inbox exactly once and processed,
// every job final with the outcome its webhook carried, and every job notified (twice only when a
// kill fell between sending and confirming).
//
//   webhook_crash_test RECEIVER_BINARY WORK_DIR [N=400] [KILLS=6]

#include "support/webhook_load.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace test_support;

int main(int argc, char** argv) try {
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
  auto seeded = SeedTrainingJobs(*faltrain::OpenSqliteJobStore(dir / "jobs.db").value(), "crash", n);
  if (!seeded) {
    std::cerr << "cannot seed jobs: " << seeded.error().to_string() << "\n";
    return 1;
  }
  const std::vector<Delivery>& deliveries = seeded.value();
  std::deque<Delivery> queue = DeliveryOrder(deliveries, 1, 12345);
  const std::size_t total_deliveries = queue.size();

  ReceiverProcess receiver(binary, dir, (dir / "jobs.db").string(), dir);
  receiver.Start();

  SenderOptions options;
  options.threads = 4;
  options.user_id = "crash-user";
  options.read_timeout = std::chrono::seconds(5);
  options.retry_pause = std::chrono::milliseconds(10);
  WebhookSenders senders(signer, {&receiver}, std::move(queue), options);

  // Kill at evenly spread points of progress, each time at a random moment.
  int killed = 0;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> jitter(0, 15);
  for (int k = 1; k <= kills; ++k) {
    senders.WaitAcked(static_cast<int>(total_deliveries) * k / (kills + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    receiver.Kill();
    ++killed;
    receiver.Start();
  }
  senders.Join();

  // Let the last incarnation drain and confirm every notification, then stop it gracefully.
  {
    auto watch = faltrain::OpenSqliteJobStore(dir / "jobs.db").value();
    for (int i = 0; i < 1200; ++i) {
      auto left = watch->CountWebhooks(true);
      if (left && left.value() == 0 && AllNotified(*watch)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  const int exit_code = receiver.Terminate();

  Verdict verdict;
  verdict.Check(exit_code == 0, "graceful exit code " + std::to_string(exit_code));
  verdict.Check(senders.rejected() == 0, "no rejected deliveries");
  auto store = faltrain::OpenSqliteJobStore(dir / "jobs.db").value();
  const StoreTally jobs = CheckStore(*store, deliveries, verdict);
  const NotificationTally notified = CountNotifications(dir / "notified.txt", n);
  // At least once: none lost; a kill between running the command and confirming it repeats one.
  verdict.Check(notified.lost == 0, std::to_string(notified.lost) + " notifications lost");
  verdict.Check(notified.twice <= killed, std::to_string(notified.twice) + " jobs notified twice in " +
                                              std::to_string(killed) + " kills");

  std::cout << "crash test: N=" << n << " distinct requests, " << total_deliveries << " deliveries ("
            << total_deliveries - n << " duplicates), " << killed << " SIGKILL restarts, "
            << senders.failed_attempts() << " failed attempts retried, " << senders.acked() << " acknowledged ("
            << senders.duplicates_acked() << " as duplicate)\n"
            << "  inbox " << jobs.inbox << " events, unprocessed " << jobs.unprocessed << "; jobs COMPLETED "
            << jobs.completed << ", FAILED " << jobs.failed << "; notified " << notified.jobs << " jobs, "
            << notified.twice << " twice, " << notified.lost << " lost\n"
            << (verdict.failures() == 0 ? "PASS" : "FAIL") << "\n";
  return verdict.failures() == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "FAIL: " << e.what() << "\n";
  return 1;
}
