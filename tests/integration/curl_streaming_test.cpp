// CurlTransport::SendStreaming against a chunked server on 127.0.0.1: the body arrives piece by
// piece while the server is still sending, error statuses come back whole, and a stream ends on
// its consumer's word, on its cancel token or when it goes idle.

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

// Waits (bounded) until `flag` is set or the client went away.
void WaitFor(const std::atomic<bool>& flag, httplib::DataSink& sink, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!flag && sink.is_writable() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
}

struct StreamServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> first_piece_seen{false};
  std::atomic<bool> stopping{false};

  StreamServer() {
    server.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/event-stream", [this](std::size_t offset, httplib::DataSink& sink) {
        if (offset == 0) {
          sink.write("data: 1\n\n", 9);
          return true;
        }
        // The second event only once the client has handled the first: proof it was not buffered.
        WaitFor(first_piece_seen, sink, 10s);
        sink.write("data: 2\n\n", 9);
        sink.done();
        return true;
      });
    });
    server.Get("/silent", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/event-stream", [this](std::size_t, httplib::DataSink& sink) {
        WaitFor(stopping, sink, 30s);
        return false;
      });
    });
    server.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"detail":"Not Found"})", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~StreamServer() {
    stopping = true;
    server.stop();
    thread.join();
  }
  HttpRequest Get(const std::string& path) const {
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + path;
    r.headers.Add("Accept", "text/event-stream");
    return r;
  }
};

}  // namespace

TEST_CASE("a 2xx body reaches on_body while the server is still sending") {
  StreamServer s;
  CurlTransport transport;
  CHECK(transport.CanStream());
  std::string received;
  StreamControl control;
  control.on_body = [&](std::string_view bytes) {
    received.append(bytes);
    if (received.find("data: 1\n\n") != std::string::npos) s.first_piece_seen = true;
    return true;
  };
  auto r = transport.SendStreaming(s.Get("/events"), control);
  REQUIRE(r.has_value());
  CHECK(r.value().status == 200);
  CHECK(r.value().body.empty());
  CHECK(r.value().headers.Get("content-type") == "text/event-stream");
  CHECK(received == "data: 1\n\ndata: 2\n\n");
  CHECK(s.first_piece_seen);
}

TEST_CASE("an error status comes back whole, never through on_body") {
  StreamServer s;
  CurlTransport transport;
  bool called = false;
  StreamControl control;
  control.on_body = [&](std::string_view) { return called = true; };
  auto r = transport.SendStreaming(s.Get("/missing"), control);
  REQUIRE(r.has_value());
  CHECK(r.value().status == 404);
  CHECK(r.value().body == R"({"detail":"Not Found"})");
  CHECK_FALSE(called);
}

TEST_CASE("on_body returning false ends the stream normally") {
  StreamServer s;
  CurlTransport transport;
  StreamControl control;
  int pieces = 0;
  control.on_body = [&](std::string_view) {
    ++pieces;
    return false;
  };
  auto r = transport.SendStreaming(s.Get("/events"), control);
  REQUIRE(r.has_value());
  CHECK(r.value().status == 200);
  CHECK(pieces == 1);
}

TEST_CASE("a silent stream ends with errc::timeout after the idle limit, and a cancel ends it") {
  StreamServer s;
  CurlTransport transport;
  StreamControl idle;
  idle.on_body = [](std::string_view) { return true; };
  idle.idle_timeout = 1s;
  auto timed_out = transport.SendStreaming(s.Get("/silent"), idle);
  REQUIRE_FALSE(timed_out.has_value());
  CHECK(timed_out.error().code == errc::timeout);

  StreamControl cancelled;
  cancelled.on_body = [](std::string_view) { return true; };
  std::thread canceller([token = cancelled.cancel] {
    std::this_thread::sleep_for(200ms);
    token.Cancel();
  });
  auto r = transport.SendStreaming(s.Get("/silent"), cancelled);
  canceller.join();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::cancelled);
}
