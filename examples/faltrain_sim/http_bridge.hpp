#pragma once
// Serves a SimTransport over the examples' event-driven HTTP server: every request becomes an
// HttpRequest whose URL carries the Host it came to (so returned URLs point back here), plus a few
// /_sim/ control endpoints. Latency and slow_response faults are waited out on timers, so
// thousands of requests can wait at once without a thread each. Status streams are served as
// chunked server-sent events (`async_http::Responder::Stream`).

#include "async_http/server.hpp"

#include <faltrain/testing/sim_transport.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

/// The threads that serve open status streams. `SimStatusStream::Next` waits on the simulator's
/// clock, so each open stream has a thread of its own; streams are few (a client follows one
/// training per stream; the scale path, polling, holds no thread). Finished threads are reaped as
/// new streams open.
class StatusStreams {
 public:
  StatusStreams() = default;
  StatusStreams(const StatusStreams&) = delete;
  StatusStreams& operator=(const StatusStreams&) = delete;
  ~StatusStreams() { Stop(); }
  /// Copies `stream`'s events to `responder` after `latency`, from a thread of its own.
  void Serve(std::unique_ptr<faltrain::SimStatusStream> stream, async_http::Responder responder,
             std::chrono::milliseconds latency);
  /// Cuts every open stream and joins the threads (before the server stops). Idempotent.
  void Stop();

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  faltrain::CancelToken stopping_;
  std::mutex mu_;
  std::vector<Worker> workers_;
};

/// The handler serving `sim` (which must outlive the server); every answer leaves `latency` after
/// its request arrived. Status streams (`.../status/stream`) go to `streams`.
async_http::Handler SimulatorHandler(faltrain::SimTransport& sim, std::chrono::milliseconds latency,
                                     StatusStreams& streams);
