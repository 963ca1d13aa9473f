#pragma once
// Serves a SimTransport over the examples' event-driven HTTP server: every request becomes an
// HttpRequest whose URL carries the Host it came to (so returned URLs point back here), plus a few
// /_sim/ control endpoints. Latency and slow_response faults are waited out on timers, so
// thousands of requests can wait at once without a thread each. Status streams are chunked
// server-sent events (`async_http::Responder::Stream`) written from timers: the simulator layer
// (`SimStatusStream`) makes the events, this server looks for the next one every 250 ms.

#include "async_http/server.hpp"

#include <faltrain/testing/sim_transport.hpp>

#include <chrono>

/// The handler serving `sim` (which must outlive the server); every answer leaves `latency` after
/// its request arrived.
async_http::Handler SimulatorHandler(faltrain::SimTransport& sim, std::chrono::milliseconds latency);
