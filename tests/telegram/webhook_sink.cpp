#include "webhook_sink.hpp"

#include <faltrain/sqlite/sqlite_job_store.hpp>
#include <faltrain/webhooks/verifier.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace faltrain_bot_test {

WebhookSink::WebhookSink(const std::string& jwks_json, const std::filesystem::path& jobs_db) {
  auto store = faltrain::OpenSqliteJobStore(jobs_db);
  if (!store) throw std::runtime_error("webhook sink: " + store.error().message);
  store_ = store.value();
  auto keys = faltrain::JwksCache::StaticFromJwks(jwks_json);
  if (!keys) throw std::runtime_error("webhook sink: " + keys.error().message);
  auto verifier = std::make_shared<faltrain::WebhookVerifier>(keys.value());
  handler_ = std::make_unique<faltrain::WebhookHandler>(verifier, store_);
  processor_ = std::make_unique<faltrain::JobProcessor>(store_, nullptr);

  server_.set_tcp_nodelay(true);
  server_.Post("/webhook/fal/status", [this](const httplib::Request& req, httplib::Response& res) {
    faltrain::HttpHeaders headers;
    for (const auto& [name, value] : req.headers) headers.Add(name, value);
    auto reply = handler_->Handle("POST", headers, req.body);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type);
    std::lock_guard<std::mutex> lock(mu_);
    if (reply.status != 200) {
      ++rejected_;
      return;
    }
    if (reply.duplicate) {
      ++duplicates_;
      return;
    }
    ++accepted_;
    if (reply.event) (void)processor_->ProcessRequest(reply.event->request_id);
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("webhook sink: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebhookSink::~WebhookSink() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string WebhookSink::url() const {
  return fmt::format("http://127.0.0.1:{}/webhook/fal/status", port_);
}

std::size_t WebhookSink::accepted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return accepted_;
}

std::size_t WebhookSink::duplicates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return duplicates_;
}

std::size_t WebhookSink::rejected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}

}  // namespace faltrain_bot_test
