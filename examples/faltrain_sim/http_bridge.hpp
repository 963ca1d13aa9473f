#pragma once
// Serves a SimTransport over cpp-httplib: every request becomes an HttpRequest whose URL carries
// the Host it came to (so returned URLs point back here), plus a few /_sim/ control endpoints.
// Status streams are served as chunked server-sent events; `stopping` ends them (server shutdown).

#include <faltrain/testing/sim_transport.hpp>

#include <httplib.h>

void MountSimulator(httplib::Server& server, faltrain::SimTransport& sim, faltrain::CancelToken stopping);
