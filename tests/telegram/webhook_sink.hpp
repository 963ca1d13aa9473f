#pragma once
// The webhook receiver's part in the conversations, built from the library's own pieces: fal's
// signed webhooks (sent by the bot's in-process simulator) are verified, recorded in the shared
// JobStore's inbox and applied with a JobProcessor, exactly what examples/webhook_receiver does.
// Listens on 127.0.0.1 only.

#include <faltrain/jobs/processor.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/webhooks/handler.hpp>

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace faltrain_bot_test {

class WebhookSink {
 public:
  /// `jwks_json`: the simulator's keys; `jobs_db`: the bot's FALTRAIN_JOBS_DB.
  WebhookSink(const std::string& jwks_json, const std::filesystem::path& jobs_db);
  ~WebhookSink();

  std::string url() const;  ///< http://127.0.0.1:<port>/webhook/fal/status
  std::size_t accepted() const;
  std::size_t duplicates() const;
  std::size_t rejected() const;

 private:
  std::shared_ptr<faltrain::JobStore> store_;
  std::unique_ptr<faltrain::WebhookHandler> handler_;
  std::unique_ptr<faltrain::JobProcessor> processor_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::size_t accepted_ = 0, duplicates_ = 0, rejected_ = 0;
};

}  // namespace faltrain_bot_test
