// faltrain-sim: serves the offline fal simulator on 127.0.0.1 until SIGINT or SIGTERM.

#include "http_bridge.hpp"
#include "sim_args.hpp"

#include <faltrain/testing/sim_transport.hpp>

#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <thread>

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
  // Signals are taken by one thread with sigwait, so the handler can do real work (stop the server).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  faltrain::SimOptions options = args.value().options;
  std::mutex log_mu;
  if (!args.value().quiet) {
    options.on_event = [&log_mu](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu);
      std::cerr << "faltrain-sim: " << line << std::endl;
    };
  }
  faltrain::SimTransport sim(options);

  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  // Shutdown waits for idle keep-alive connections to time out: keep that short.
  server.set_keep_alive_timeout(2);
  server.set_payload_max_length(1ull << 32);
  faltrain::CancelToken stopping;  // ends open status streams, which would hold shutdown up
  MountSimulator(server, sim, stopping);

  int port = args.value().port == 0 ? server.bind_to_any_port("127.0.0.1")
                                    : (server.bind_to_port("127.0.0.1", args.value().port) ? args.value().port : -1);
  if (port <= 0) {
    std::cerr << "faltrain-sim: cannot listen on 127.0.0.1:" << args.value().port << "\n";
    return 1;
  }

  std::thread signal_thread([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    stopping.Cancel();
    server.stop();
  });

  std::cout << "faltrain-sim listening on http://127.0.0.1:" << port << std::endl;
  if (!args.value().quiet) {
    std::cerr << "faltrain-sim: training " << options.training_duration.count() / 1000.0
              << " s, webhooks " << (options.webhook_simulation ? "on" : "off") << ", JWKS key "
              << sim.PublicKeyBase64Url() << std::endl;
  }
  bool ok = server.listen_after_bind();

  // listen_after_bind returns after stop(); if it failed on its own, wake the signal thread.
  if (!ok || signal_thread.joinable()) {
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  if (!args.value().quiet) std::cerr << "faltrain-sim: stopped" << std::endl;
  return ok ? 0 : 1;
}
