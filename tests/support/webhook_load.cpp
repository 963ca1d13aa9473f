#include "support/webhook_load.hpp"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

namespace test_support {

namespace {

long long UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ResultBody(const std::string& id) {
  return R"({"error": null, "gateway_request_id": ")" + id +
         R"(", "payload": {"config_file": {"url": "https://v3.fal.media/files/c.json"}, "diffusers_lora_file": {"file_size": 89745224, "url": "https://v3.fal.media/files/)" +
         id + R"(.safetensors"}, "seed": 17454220438242315174}, "request_id": ")" + id + R"(", "status": "OK"})";
}

std::string ErrorBody(const std::string& id) {
  return R"({"request_id":")" + id + R"(","gateway_request_id":")" + id +
         R"(","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","steps"],"msg":"too many","type":"value_error"}]}})";
}

}  // namespace

faltrain::result<std::vector<Delivery>> SeedTrainingJobs(faltrain::JobStore& store, const std::string& prefix,
                                                         int n, int receivers) {
  std::vector<Delivery> deliveries;
  for (int i = 0; i < n; ++i) {
    faltrain::RequestHandle h;
    h.request_id = prefix + "-" + std::to_string(i);
    FALTRAIN_TRY(auto job, store.CreateJob({"user-" + std::to_string(i % 7), "avatar-" + std::to_string(i),
                                            "portrait", "fast", "fal-ai/flux-lora-portrait-trainer"}));
    FALTRAIN_TRYV(store.MarkTraining(job.id, h));
    Delivery d;
    d.request_id = h.request_id;
    d.ok = i % 5 != 0;
    d.target = i % receivers;
    d.body = d.ok ? ResultBody(h.request_id) : ErrorBody(h.request_id);
    deliveries.push_back(std::move(d));
  }
  return deliveries;
}

std::deque<Delivery> DeliveryOrder(const std::vector<Delivery>& deliveries, int receivers, unsigned seed) {
  std::deque<Delivery> order;
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    order.push_back(deliveries[i]);
    if (i % 3 == 0) {
      Delivery again = deliveries[i];
      again.target = (again.target + 1) % receivers;
      order.push_back(std::move(again));
    }
  }
  std::mt19937 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

WebhookSenders::WebhookSenders(const webhook_test::Signer& signer, std::vector<const ReceiverProcess*> receivers,
                               std::deque<Delivery> queue, SenderOptions options)
    : signer_(signer), receivers_(std::move(receivers)), options_(std::move(options)), queue_(std::move(queue)) {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Run(); });
}

WebhookSenders::~WebhookSenders() { Join(); }

void WebhookSenders::Join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WebhookSenders::WaitAcked(int n) const {
  while (acked_ < n && rejected_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void WebhookSenders::Run() {
  for (;;) {
    Delivery d;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
      d = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!Send(d)) return;
  }
}

bool WebhookSenders::Send(const Delivery& d) {
  const auto give_up = std::chrono::steady_clock::now() + options_.give_up_after;
  for (;;) {
    if (std::chrono::steady_clock::now() > give_up) {
      ++rejected_;
      std::cerr << d.request_id << ": gave up\n";
      return false;
    }
    const int port = receivers_[d.target]->port();
    if (port == 0) {  // restarting
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(static_cast<time_t>(options_.read_timeout.count()), 0);
    httplib::Headers headers;
    for (const auto& item : signer_.Headers(d.request_id, options_.user_id, UnixNow(), d.body)) {
      if (item.name != "Content-Type") headers.emplace(item.name, item.value);
    }
    auto res = client.Post(d.path.c_str(), headers, d.body, "application/json");
    if (res && res->status == 200) {
      ++acked_;
      if (res->body.find("duplicate") != std::string::npos) ++duplicates_acked_;
      return true;
    }
    if (res && res->status == 503 && options_.retry_unavailable) {
      ++unavailable_;  // the database is down: fal retries
    } else if (res) {
      ++rejected_;
      std::cerr << d.request_id << ": unexpected " << res->status << " " << res->body << "\n";
      return false;
    } else {
      ++failed_attempts_;  // the receiver was killed mid-request: fal retries
    }
    std::this_thread::sleep_for(options_.retry_pause);
  }
}

void Verdict::Check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures_;
  std::cerr << "FAIL: " << what << "\n";
}

StoreTally CheckStore(faltrain::JobStore& store, const std::vector<Delivery>& deliveries, Verdict& verdict) {
  StoreTally tally;
  auto inbox = store.CountWebhooks(false);
  auto unprocessed = store.CountWebhooks(true);
  verdict.Check(inbox.has_value() && unprocessed.has_value(), "the store answers counts");
  if (inbox) tally.inbox = inbox.value();
  if (unprocessed) tally.unprocessed = unprocessed.value();
  verdict.Check(tally.inbox == deliveries.size(), "inbox holds " + std::to_string(tally.inbox) + " events, want " +
                                                      std::to_string(deliveries.size()));
  verdict.Check(tally.unprocessed == 0, std::to_string(tally.unprocessed) + " events left unprocessed");
  int not_applied = 0;
  for (const auto& d : deliveries) {
    auto event = store.FindWebhook(d.request_id);
    verdict.Check(event.has_value() && event.value().body == d.body, d.request_id + " recorded with its exact body");
    if (event && event.value().processing_note != "applied") ++not_applied;
    auto job = store.FindJobByRequestId(d.request_id);
    if (!job) {
      verdict.Check(false, d.request_id + " job missing");
      continue;
    }
    const auto want = d.ok ? faltrain::JobStatus::kCompleted : faltrain::JobStatus::kFailed;
    verdict.Check(job.value().status == want,
                  d.request_id + " is " + std::string(faltrain::to_string(job.value().status)));
    verdict.Check(job.value().notified_at.has_value(), d.request_id + " notification claimed");
    if (d.ok) {
      ++tally.completed;
      verdict.Check(job.value().output_json.find("17454220438242315174") != std::string::npos,
                    d.request_id + " output intact");
    } else {
      ++tally.failed;
    }
  }
  verdict.Check(not_applied == 0, std::to_string(not_applied) + " events not applied");
  return tally;
}

bool AllNotified(faltrain::JobStore& store) {
  for (auto status : {faltrain::JobStatus::kCompleted, faltrain::JobStatus::kFailed, faltrain::JobStatus::kCancelled}) {
    auto jobs = store.ListJobs(status, 100000);
    if (!jobs) return false;
    for (const auto& job : jobs.value()) {
      if (!job.notified_at) return false;
    }
  }
  return true;
}

NotificationTally CountNotifications(const std::filesystem::path& notified_file, int n) {
  std::map<std::string, int> notified;
  std::ifstream in(notified_file);
  std::string id, status;
  while (in >> id >> status) ++notified[id];
  NotificationTally tally;
  tally.jobs = notified.size();
  for (const auto& [job, count] : notified) tally.twice += count > 1;
  tally.lost = n - static_cast<int>(notified.size());
  return tally;
}

}  // namespace test_support
