#include <faltrain/testing/scripted_transport.hpp>

#include <doctest/doctest.h>

#include <thread>

using namespace faltrain;

namespace {

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.method = HttpMethod::kGet;
  r.url = std::move(url);
  return r;
}

}  // namespace

TEST_CASE("ScriptedTransport answers scripted replies in FIFO order") {
  ScriptedTransport t;
  t.ExpectResponse(200, "first", HttpHeaders{{"X-Fal-Request-Id", "abc"}});
  t.ExpectResponse(202, "second");
  CHECK(t.pending() == 2);

  auto r1 = t.Send(Get("http://127.0.0.1/a"));
  REQUIRE(r1);
  CHECK(r1.value().status == 200);
  CHECK(r1.value().body == "first");
  CHECK(r1.value().headers.Get("x-fal-request-id") == "abc");
  CHECK(t.pending() == 1);

  auto r2 = t.Send(Get("http://127.0.0.1/b"));
  REQUIRE(r2);
  CHECK(r2.value().status == 202);
  CHECK(r2.value().body == "second");
  CHECK(r2.value().headers.items().empty());
  CHECK(t.pending() == 0);
}

TEST_CASE("ScriptedTransport scripted failures carry code and message") {
  ScriptedTransport t;
  t.ExpectFailure(errc::connect_failed, "refused");
  t.ExpectFailure(errc::timeout);
  auto r1 = t.Send(Get("http://127.0.0.1/"));
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code == errc::connect_failed);
  CHECK(r1.error().message == "refused");
  auto r2 = t.Send(Get("http://127.0.0.1/"));
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == errc::timeout);
  CHECK(r2.error().message == "scripted failure");
}

TEST_CASE("ScriptedTransport handlers see the request") {
  ScriptedTransport t;
  t.Expect([](const HttpRequest& req) -> result<HttpResponse> {
    HttpResponse resp;
    resp.status = 201;
    resp.body = std::string(to_string(req.method)) + " " + req.url + " " + req.body;
    return resp;
  });
  HttpRequest req;
  req.method = HttpMethod::kPost;
  req.url = "http://127.0.0.1/submit";
  req.body = "{}";
  auto r = t.Send(req);
  REQUIRE(r);
  CHECK(r.value().status == 201);
  CHECK(r.value().body == "POST http://127.0.0.1/submit {}");
}

TEST_CASE("ScriptedTransport unscripted request without fallback names method and URL") {
  ScriptedTransport t;
  HttpRequest req;
  req.method = HttpMethod::kPut;
  req.url = "http://127.0.0.1/requests/x/cancel";
  auto r = t.Send(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_argument);
  CHECK(r.error().message.find("PUT http://127.0.0.1/requests/x/cancel") != std::string::npos);
  // The failed request is still recorded.
  CHECK(t.requests().size() == 1);
}

TEST_CASE("ScriptedTransport fallback answers only after the script runs out") {
  ScriptedTransport t;
  int fallback_calls = 0;
  t.SetFallback([&](const HttpRequest&) -> result<HttpResponse> {
    ++fallback_calls;
    return HttpResponse{204, {}, "fallback"};
  });
  t.ExpectResponse(200, "scripted");
  auto r1 = t.Send(Get("http://127.0.0.1/1"));
  REQUIRE(r1);
  CHECK(r1.value().body == "scripted");
  CHECK(fallback_calls == 0);
  for (int i = 0; i < 3; ++i) {
    auto r = t.Send(Get("http://127.0.0.1/more"));
    REQUIRE(r);
    CHECK(r.value().status == 204);
  }
  CHECK(fallback_calls == 3);
  CHECK(t.pending() == 0);
}

TEST_CASE("ScriptedTransport fallback can be cleared with an empty handler") {
  ScriptedTransport t;
  t.SetFallback([](const HttpRequest&) -> result<HttpResponse> { return HttpResponse{200, {}, ""}; });
  t.SetFallback(nullptr);
  auto r = t.Send(Get("http://127.0.0.1/"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_argument);
}

TEST_CASE("ScriptedTransport records every request in order, with headers and body") {
  ScriptedTransport t;
  t.SetFallback([](const HttpRequest&) -> result<HttpResponse> { return HttpResponse{200, {}, ""}; });
  HttpRequest post;
  post.method = HttpMethod::kPost;
  post.url = "http://127.0.0.1/submit";
  post.headers.Add("Authorization", "Key k");
  post.body = R"({"steps":1})";
  post.timeout = std::chrono::milliseconds(1500);
  REQUIRE(t.Send(post));
  REQUIRE(t.Send(Get("http://127.0.0.1/status")));
  auto sent = t.requests();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].method == HttpMethod::kPost);
  CHECK(sent[0].url == "http://127.0.0.1/submit");
  CHECK(sent[0].headers.Get("authorization") == "Key k");
  CHECK(sent[0].body == R"({"steps":1})");
  CHECK(sent[0].timeout == std::chrono::milliseconds(1500));
  CHECK(sent[1].method == HttpMethod::kGet);
  CHECK(sent[1].url == "http://127.0.0.1/status");
}

TEST_CASE("ScriptedTransport handlers may script more replies without deadlocking") {
  ScriptedTransport t;
  t.Expect([&t](const HttpRequest&) -> result<HttpResponse> {
    t.ExpectResponse(200, "queued from handler");
    CHECK(t.requests().size() == 1);
    return HttpResponse{202, {}, "first"};
  });
  auto r1 = t.Send(Get("http://127.0.0.1/"));
  REQUIRE(r1);
  CHECK(r1.value().body == "first");
  auto r2 = t.Send(Get("http://127.0.0.1/"));
  REQUIRE(r2);
  CHECK(r2.value().body == "queued from handler");
}

TEST_CASE("ScriptedTransport is safe to use from several threads") {
  ScriptedTransport t;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  for (int i = 0; i < kThreads * kPerThread; ++i) t.ExpectResponse(200, "ok");
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&t] {
      for (int j = 0; j < kPerThread; ++j) (void)t.Send(Get("http://127.0.0.1/"));
    });
  }
  for (auto& th : threads) th.join();
  CHECK(t.pending() == 0);
  CHECK(t.requests().size() == kThreads * kPerThread);
  auto r = t.Send(Get("http://127.0.0.1/extra"));
  CHECK_FALSE(r);
}
