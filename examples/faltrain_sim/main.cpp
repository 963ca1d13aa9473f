// faltrain-sim: serves the offline fal simulator on 127.0.0.1 until SIGINT or SIGTERM.

#include "async_http/server.hpp"
#include "http_bridge.hpp"
#include "sim_args.hpp"

#include <faltrain/testing/sim_transport.hpp>

#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <mutex>
#include <pthread.h>

namespace {

// One descriptor per connection: ten thousand clients waiting at once need more than the usual
// soft limit of 1024. Raised to the hard limit, which needs no privilege.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto args = ParseSimServerArgs(argc, argv);
  if (!args) {
    std::cerr << "faltrain-sim: " << args.error().message << "\n";
    return 2;
  }
  if (args.value().help) {
    std::cout << SimServerUsage();
    return 0;
  }
  // Signals are taken by this thread with sigwait (blocked before any other thread starts, so
  // every thread inherits the mask), which lets it stop the server in plain code.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  RaiseOpenFileLimit();
  faltrain::SimOptions options = args.value().options;
  std::mutex log_mu;
  if (!args.value().quiet) {
    options.on_event = [&log_mu](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu);
      std::cerr << "faltrain-sim: " << line << std::endl;
    };
  }
  faltrain::SimTransport sim(options);

  async_http::ServerOptions server_options;
  server_options.port = static_cast<unsigned short>(args.value().port);
  server_options.io_threads = args.value().io_threads;
  server_options.backlog = args.value().backlog;
  server_options.max_body_bytes = 1ull << 32;  // multipart parts and whole zips
  auto server = async_http::Server::Start(server_options, SimulatorHandler(sim, args.value().latency));
  if (!server) {
    std::cerr << "faltrain-sim: " << server.error().message << "\n";
    return 1;
  }

  std::cout << "faltrain-sim listening on http://127.0.0.1:" << server.value()->port() << std::endl;
  if (!args.value().quiet) {
    std::cerr << "faltrain-sim: training " << options.training_duration.count() / 1000.0
              << " s, latency " << args.value().latency.count() << " ms, webhooks "
              << (options.webhook_simulation ? "on" : "off") << ", JWKS key " << sim.PublicKeyBase64Url()
              << std::endl;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  server.value()->Stop();
  if (!args.value().quiet) std::cerr << "faltrain-sim: stopped" << std::endl;
  return 0;
}
