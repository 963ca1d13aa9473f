// CurlTransport's concurrent path (SendAsync + Drive): many requests in flight from one thread, a
// bounded connection pool, and the same errors and rules as Send. The server is the examples'
// event-driven one, which can hold every request until all of them have arrived.

#include "async_http/server.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using faltrain::CurlTransport;
using faltrain::CurlTransportOptions;
using faltrain::HttpRequest;
using faltrain::HttpResponse;
using faltrain::result;

namespace {

std::string Url(const async_http::Server& server, const std::string& target) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + target;
}

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  r.timeout = 20s;
  return r;
}

// Drives until every request started so far has called back.
void DriveAll(CurlTransport& curl) {
  for (int i = 0; i < 100000 && curl.in_flight() > 0; ++i) curl.Drive(50ms);
}

}  // namespace

TEST_CASE("many requests are in flight at once from one thread") {
  constexpr int kRequests = 60;
  std::mutex mu;
  std::vector<async_http::Responder> held;
  auto server = async_http::Server::Start({}, [&](async_http::Request req, async_http::Responder r) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(r);
    // Nobody is answered before everyone has asked: only concurrent requests can finish.
    if (static_cast<int>(held.size()) == kRequests) {
      for (auto& h : held) h.Send(async_http::Response::Text(200, "ok"));
    }
    (void)req;
  });
  REQUIRE(server.has_value());
  CurlTransport curl;
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    curl.SendAsync(Get(Url(*server.value(), "/r/" + std::to_string(i))), [&](result<HttpResponse> r) {
      if (r && r.value().status == 200 && r.value().body == "ok") ++ok;
    });
  }
  CHECK(curl.in_flight() == kRequests);
  DriveAll(curl);
  CHECK(ok == kRequests);
  CHECK(curl.in_flight() == 0);
  CHECK(curl.stats().requests == kRequests);
}

TEST_CASE("the connection pool is bounded and reused, extra requests wait their turn") {
  auto server = async_http::Server::Start({}, [](async_http::Request, async_http::Responder r) {
    r.After(5ms, [r] { r.Send(async_http::Response::Text(200, "ok")); });
  });
  REQUIRE(server.has_value());
  CurlTransportOptions options;
  options.max_connections_per_host = 3;
  options.max_in_flight = 5;
  CurlTransport curl(options);
  int ok = 0;
  for (int i = 0; i < 40; ++i) {
    curl.SendAsync(Get(Url(*server.value(), "/x")), [&](result<HttpResponse> r) { ok += r && r.value().status == 200; });
  }
  DriveAll(curl);
  CHECK(ok == 40);
  CHECK(curl.stats().connections_opened <= 3);
  CHECK(curl.stats().handles_created <= 5);
}

TEST_CASE("the concurrent path fails like Send: bad URL, refused connection, size limit, timeout") {
  auto server = async_http::Server::Start({}, [](async_http::Request req, async_http::Responder r) {
    if (req.Path() == "/big") return r.Send(async_http::Response::Text(200, std::string(5000, 'x')));
    if (req.Path() == "/hang") return r.After(5s, [r] { r.Send(async_http::Response::Text(200, "late")); });
    if (req.Path() == "/moved") {
      auto response = async_http::Response::Text(302, "");
      response.headers.emplace_back("Location", "/here");
      return r.Send(std::move(response));
    }
    r.Send(async_http::Response::Text(200, std::string(req.Path())));
  });
  REQUIRE(server.has_value());
  CurlTransportOptions options;
  options.max_response_bytes = 1000;
  CurlTransport curl(options);
  std::vector<std::pair<std::string, result<HttpResponse>>> outcomes;
  auto record = [&](std::string name) {
    return [&outcomes, name](result<HttpResponse> r) { outcomes.emplace_back(name, std::move(r)); };
  };
  curl.SendAsync(Get("http://example.com/x"), record("plain http elsewhere"));
  curl.SendAsync(Get(Url(*server.value(), "/big")), record("big"));
  auto hang = Get(Url(*server.value(), "/hang"));
  hang.timeout = 200ms;
  curl.SendAsync(hang, record("hang"));
  curl.SendAsync(Get(Url(*server.value(), "/moved")), record("moved"));
  curl.SendAsync(Get("http://127.0.0.1:1/refused"), record("refused"));
  DriveAll(curl);
  REQUIRE(outcomes.size() == 5);
  for (auto& [name, r] : outcomes) {
    CAPTURE(name);
    if (name == "moved") {
      REQUIRE(r.has_value());
      CHECK(r.value().body == "/here");
      continue;
    }
    REQUIRE_FALSE(r.has_value());
    if (name == "plain http elsewhere") CHECK(r.error().code == faltrain::errc::invalid_argument);
    if (name == "big") CHECK(r.error().code == faltrain::errc::payload_too_large);
    if (name == "hang") CHECK(r.error().code == faltrain::errc::timeout);
    if (name == "refused") CHECK(r.error().code == faltrain::errc::connect_failed);
  }
}

TEST_CASE("a callback may start the next request") {
  auto server = async_http::Server::Start({}, [](async_http::Request req, async_http::Responder r) {
    r.Send(async_http::Response::Text(200, std::string(req.Path())));
  });
  REQUIRE(server.has_value());
  CurlTransport curl;
  std::vector<std::string> bodies;
  std::function<void(result<HttpResponse>)> chain = [&](result<HttpResponse> r) {
    REQUIRE(r.has_value());
    bodies.push_back(r.value().body);
    if (bodies.size() < 3) curl.SendAsync(Get(Url(*server.value(), "/" + std::to_string(bodies.size()))), chain);
  };
  curl.SendAsync(Get(Url(*server.value(), "/0")), chain);
  DriveAll(curl);
  CHECK(bodies == std::vector<std::string>{"/0", "/1", "/2"});
}

// A lost wake-up would leave these Drives waiting their whole hour (ctest's timeout ends them).
TEST_CASE("a Wakeup before the first Drive is kept for it") {
  CurlTransport curl;
  curl.Wakeup();  // before the multi handle exists: it must not be dropped
  CHECK(curl.Drive(1h) == 0);
  CHECK(curl.in_flight() == 0);
}

TEST_CASE("a request started from another thread wakes a Drive that is waiting or about to wait") {
  auto server = async_http::Server::Start({}, [](async_http::Request, async_http::Responder r) {
    r.Send(async_http::Response::Text(200, "ok"));
  });
  REQUIRE(server.has_value());
  CurlTransport curl;
  int ok = 0;
  // Each round races the start against Drive entering its wait, landing on either side of it.
  for (int round = 0; round < 50; ++round) {
    bool done = false;
    std::thread starter([&] {
      curl.SendAsync(Get(Url(*server.value(), "/r")), [&](result<HttpResponse> r) {
        ok += r && r.value().status == 200;
        done = true;  // set by the callback, on the driving thread
      });
    });
    while (!done) curl.Drive(1h);
    starter.join();
  }
  CHECK(ok == 50);
  CHECK(curl.in_flight() == 0);
}
