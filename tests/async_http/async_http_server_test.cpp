// The examples' event-driven HTTP server: whole, delayed, streamed and dropped responses, keep-alive,
// the body limit, many requests pending on one I/O thread, and Stop with work in flight.

#include "async_http/server.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

std::unique_ptr<async_http::Server> StartServer(async_http::Handler handler, async_http::ServerOptions options = {}) {
  auto server = async_http::Server::Start(std::move(options), std::move(handler));
  REQUIRE(server.has_value());
  return std::move(server.value());
}

faltrain::HttpRequest Get(const async_http::Server& server, const std::string& target) {
  faltrain::HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(server.port()) + target;
  r.timeout = 20s;
  return r;
}

}  // namespace

TEST_CASE("answers at once, keeps the connection alive and parses the request") {
  auto server = StartServer([](async_http::Request req, async_http::Responder r) {
    auto response = async_http::Response::Text(201, std::string(req.method) + " " + std::string(req.Path()) +
                                                        " q=" + req.QueryParam("q") + " h=" +
                                                        std::string(req.Header("x-test")) + " b=" + req.body);
    response.headers.emplace_back("X-Served-By", "async_http");
    r.Send(std::move(response));
  });
  faltrain::CurlTransport curl;
  auto request = Get(*server, "/a/b?x=1&q=hello");
  request.method = faltrain::HttpMethod::kPut;
  request.headers.Add("X-Test", "yes");
  request.body = "payload";
  for (int i = 0; i < 3; ++i) {
    auto response = curl.Send(request);
    REQUIRE(response.has_value());
    CHECK(response.value().status == 201);
    CHECK(response.value().body == "PUT /a/b q=hello h=yes b=payload");
    CHECK(response.value().headers.Get("x-served-by") == "async_http");
  }
  CHECK(curl.stats().connections_opened == 1);
}

TEST_CASE("a response completed later, from a timer or another thread, holds no I/O thread") {
  // One I/O thread; every request waits until all of them have arrived: only an event-driven
  // server can ever answer them.
  constexpr int kRequests = 40;
  std::mutex mu;
  std::vector<async_http::Responder> waiting;
  async_http::Server* raw = nullptr;
  async_http::ServerOptions options;
  options.io_threads = 1;
  auto server = StartServer(
      [&](async_http::Request req, async_http::Responder r) {
        std::lock_guard<std::mutex> lock(mu);
        waiting.push_back(r);
        if (static_cast<int>(waiting.size()) < kRequests) return;
        for (std::size_t i = 0; i < waiting.size(); ++i) {
          auto responder = waiting[i];
          if (i % 2 == 0) {
            auto send = [responder] { responder.Send(async_http::Response::Text(200, "timer")); };
            if (i % 4 == 0) {
              raw->After(10ms, send);
            } else {
              responder.After(10ms, send);
            }
          } else {
            std::thread([responder] { responder.Send(async_http::Response::Text(200, "thread")); }).detach();
          }
        }
        (void)req;
      },
      options);
  raw = server.get();
  faltrain::CurlTransport curl;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&] {
      auto response = curl.Send(Get(*server, "/wait"));
      if (response && response.value().status == 200 &&
          (response.value().body == "timer" || response.value().body == "thread")) {
        ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(ok == kRequests);
}

TEST_CASE("a streamed response arrives in chunks and the connection serves the next request") {
  auto server = StartServer([](async_http::Request req, async_http::Responder r) {
    if (req.Path() != "/events") return r.Send(async_http::Response::Text(200, "plain"));
    auto stream = r.Stream(200, {{"Content-Type", "text/event-stream"}});
    std::thread([stream] {
      for (int i = 0; i < 3; ++i) stream->Write("data: " + std::to_string(i) + "\n\n");
      stream->End();
    }).detach();
  });
  faltrain::CurlTransport curl;
  auto response = curl.Send(Get(*server, "/events"));
  REQUIRE(response.has_value());
  CHECK(response.value().headers.Get("transfer-encoding") == "chunked");
  CHECK(response.value().headers.Get("content-type") == "text/event-stream");
  CHECK(response.value().body == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  auto next = curl.Send(Get(*server, "/plain"));
  REQUIRE(next.has_value());
  CHECK(next.value().body == "plain");
  CHECK(curl.stats().connections_opened == 1);
}

TEST_CASE("the body limit answers 413, a dropped responder 500, Abort closes the connection") {
  async_http::ServerOptions options;
  options.max_body_bytes = 1000;
  auto server = StartServer(
      [](async_http::Request req, async_http::Responder r) {
        if (req.Path() == "/drop") return;  // every copy of the responder goes away unanswered
        if (req.Path() == "/abort") return r.Abort();
        r.Send(async_http::Response::Text(200, std::to_string(req.body.size())));
      },
      options);
  faltrain::CurlTransport curl;
  auto post = Get(*server, "/upload");
  post.method = faltrain::HttpMethod::kPost;
  post.body.assign(1000, 'x');
  auto fits = curl.Send(post);
  REQUIRE(fits.has_value());
  CHECK(fits.value().body == "1000");
  post.body.assign(1001, 'x');
  auto too_big = curl.Send(post);
  REQUIRE(too_big.has_value());
  CHECK(too_big.value().status == 413);

  auto dropped = curl.Send(Get(*server, "/drop"));
  REQUIRE(dropped.has_value());
  CHECK(dropped.value().status == 500);

  auto aborted = curl.Send(Get(*server, "/abort"));
  REQUIRE_FALSE(aborted.has_value());
  CHECK(aborted.error().code == faltrain::errc::network_error);
}

TEST_CASE("Stop closes pending connections and later completions are ignored") {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<async_http::Responder> pending;
  auto server = StartServer([&](async_http::Request, async_http::Responder r) {
    std::lock_guard<std::mutex> lock(mu);
    pending = r;
    cv.notify_all();
  });
  faltrain::CurlTransport curl;
  std::optional<faltrain::result<faltrain::HttpResponse>> outcome;
  std::thread client([&] { outcome = curl.Send(Get(*server, "/never")); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending.has_value(); });
  }
  CHECK(server->connections() == 1);
  server->Stop();
  client.join();
  REQUIRE(outcome.has_value());
  CHECK_FALSE(outcome->has_value());  // the connection closed without an answer
  pending->Send(async_http::Response::Text(200, "too late"));  // a no-op, not a crash
  server->Stop();                                               // idempotent
  CHECK(server->connections() == 0);
}

TEST_CASE("Start reports an address it cannot listen on") {
  async_http::ServerOptions options;
  options.address = "not-an-address";
  auto server = async_http::Server::Start(options, [](async_http::Request, async_http::Responder) {});
  REQUIRE_FALSE(server.has_value());
  CHECK(server.error().code == faltrain::errc::invalid_argument);
}
