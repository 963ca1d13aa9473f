// CurlTransport against the in-process fake fal server: real sockets, real libcurl, 127.0.0.1 only.

#include "fake_fal_server.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

using faltrain::CurlTransport;
using faltrain::CurlTransportOptions;
using faltrain::errc;
using faltrain::HttpMethod;
using faltrain::HttpRequest;
using faltrain_testing::FakeFalServer;
using faltrain_testing::Fault;
using faltrain_testing::Route;
using namespace std::chrono_literals;

constexpr const char* kKey = "test-key-id:SECRET-never-in-messages";
constexpr const char* kEndpoint = "fal-ai/flux-lora-portrait-trainer";

HttpRequest Submit(const FakeFalServer& server, std::string body = R"({"steps":1000})") {
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.url = server.base_url() + "/" + kEndpoint + "?fal_webhook=https%3A%2F%2Fapp.example%2Fhook";
  r.headers.Add("Authorization", std::string("Key ") + kKey);
  r.headers.Add("Content-Type", "application/json");
  r.headers.Add("X-Fal-Queue-Priority", "low");
  r.body = std::move(body);
  return r;
}

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.method = HttpMethod::kGet;
  r.url = std::move(url);
  r.headers.Add("Authorization", std::string("Key ") + kKey);
  return r;
}

/// Submits through `t` and returns the request's status URL (parsed by hand from the fixture's
/// known field order is not needed: the fixture URL layout is fal's).
std::string SubmitAndGetBase(CurlTransport& t, const FakeFalServer& server) {
  auto r = t.Send(Submit(server));
  REQUIRE(r);
  REQUIRE(r.value().status == 200);
  const std::string& body = r.value().body;
  const std::string marker = "\"response_url\":\"";
  const auto start = body.find(marker);
  REQUIRE(start != std::string::npos);
  const auto end = body.find('"', start + marker.size());
  return body.substr(start + marker.size(), end - start - marker.size());
}

void CheckNoSecret(const faltrain::error& e) {
  CHECK(e.message.find("SECRET") == std::string::npos);
  CHECK(e.to_string().find("SECRET") == std::string::npos);
}

}  // namespace

TEST_CASE("POST submit reaches the server with body, headers and query, without Expect") {
  FakeFalServer server;
  CurlTransportOptions options;
  options.user_agent = "faltrain-test/1";
  CurlTransport t(options);
  auto r = t.Send(Submit(server, R"({"images_data_url":"https://x/y.zip","steps":2500})"));
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().headers.Get("content-type") == "application/json");
  CHECK(r.value().body.find("\"status\":\"IN_QUEUE\"") != std::string::npos);

  auto seen = server.received(Route::kSubmit);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].path == std::string("/") + kEndpoint);
  CHECK(seen[0].Param("fal_webhook") == "https://app.example/hook");
  CHECK(seen[0].body == R"({"images_data_url":"https://x/y.zip","steps":2500})");
  CHECK(seen[0].Header("Authorization") == std::string("Key ") + kKey);
  CHECK(seen[0].Header("X-Fal-Queue-Priority") == "low");
  CHECK(seen[0].Header("Content-Type") == "application/json");
  CHECK(seen[0].Header("User-Agent") == "faltrain-test/1");
  CHECK_FALSE(seen[0].Header("Expect").has_value());
}

TEST_CASE("a request's own User-Agent wins over the transport's") {
  FakeFalServer server;
  CurlTransportOptions options;
  options.user_agent = "default-agent";
  CurlTransport t(options);
  HttpRequest r = Submit(server);
  r.headers.Add("User-Agent", "mine/2");
  REQUIRE(t.Send(r));
  auto seen = server.received(Route::kSubmit);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].Header("User-Agent") == "mine/2");
}

TEST_CASE("a body without Content-Type is not labelled as a form, PUT carries its bytes") {
  FakeFalServer server;
  CurlTransport t;
  HttpRequest init;
  init.method = HttpMethod::kPost;
  init.url = server.base_url() + "/storage/upload/initiate?storage_type=fal-cdn-v3";
  init.headers.Add("Authorization", std::string("Key ") + kKey);
  init.body = R"({"content_type":"application/zip","file_name":"faces.zip"})";
  auto initiated = t.Send(init);
  REQUIRE(initiated);
  REQUIRE(initiated.value().status == 200);
  auto seen = server.received(Route::kUploadInitiate);
  REQUIRE(seen.size() == 1);
  CHECK_FALSE(seen[0].Header("Content-Type").has_value());

  const std::string& body = initiated.value().body;
  auto field = [&](const std::string& name) {
    const std::string marker = "\"" + name + "\":\"";
    const auto start = body.find(marker) + marker.size();
    return body.substr(start, body.find('"', start) - start);
  };
  std::string bytes("PK\x03\x04 binary \0 zip", 18);
  HttpRequest put;
  put.method = HttpMethod::kPut;
  put.url = field("upload_url");
  put.headers.Add("Content-Type", "application/zip");
  put.body = bytes;
  auto stored = t.Send(put);
  REQUIRE(stored);
  CHECK(stored.value().status == 200);
  CHECK(server.uploaded(field("file_url")) == bytes);
  auto puts = server.received(Route::kUploadPut);
  REQUIRE(puts.size() == 1);
  CHECK(puts[0].method == "PUT");
  CHECK_FALSE(puts[0].Header("Expect").has_value());
  CHECK(puts[0].Header("Content-Length") == std::to_string(bytes.size()));

  auto fetched = t.Send(Get(field("file_url")));
  REQUIRE(fetched);
  CHECK(fetched.value().body == bytes);
}

TEST_CASE("status walks IN_QUEUE (202), IN_PROGRESS (202, logs), COMPLETED (200), result, cancel") {
  FakeFalServer server;
  CurlTransport t;
  const std::string base = SubmitAndGetBase(t, server);

  auto s1 = t.Send(Get(base + "/status?logs=1"));
  REQUIRE(s1);
  CHECK(s1.value().status == 202);
  CHECK(s1.value().body.find("\"IN_QUEUE\"") != std::string::npos);

  auto s2 = t.Send(Get(base + "/status?logs=1"));
  REQUIRE(s2);
  CHECK(s2.value().status == 202);
  CHECK(s2.value().body.find("\"IN_PROGRESS\"") != std::string::npos);
  CHECK(s2.value().body.find("Training step") != std::string::npos);

  HttpRequest cancel;
  cancel.method = HttpMethod::kPut;
  cancel.url = base + "/cancel";
  cancel.headers.Add("Authorization", std::string("Key ") + kKey);
  auto c1 = t.Send(cancel);
  REQUIRE(c1);
  CHECK(c1.value().status == 202);
  CHECK(c1.value().body.find("CANCELLATION_REQUESTED") != std::string::npos);
  auto cancels = server.received(Route::kCancel);
  REQUIRE(cancels.size() == 1);
  CHECK(cancels[0].method == "PUT");
  CHECK(cancels[0].body.empty());

  auto s3 = t.Send(Get(base + "/status?logs=0"));
  REQUIRE(s3);
  CHECK(s3.value().status == 200);
  CHECK(s3.value().body.find("\"COMPLETED\"") != std::string::npos);
  CHECK(s3.value().body.find("\"logs\"") == std::string::npos);

  auto result = t.Send(Get(base));
  REQUIRE(result);
  CHECK(result.value().status == 200);
  CHECK(result.value().body.find("diffusers_lora_file") != std::string::npos);
  CHECK_FALSE(result.value().headers.Get("x-fal-request-id").empty());

  auto c2 = t.Send(cancel);
  REQUIRE(c2);
  CHECK(c2.value().status == 400);
  CHECK(c2.value().body.find("ALREADY_COMPLETED") != std::string::npos);
}

TEST_CASE("HTTP error statuses are data, with their bodies and headers") {
  FakeFalServer server;
  CurlTransport t;
  server.AddFault(Route::kSubmit, Fault::Unauthorized(1));
  server.AddFault(Route::kSubmit, Fault::Validation(1));
  server.AddFault(Route::kSubmit, Fault::RateLimited(7, 1));
  server.AddFault(Route::kSubmit, Fault::Unavailable(1));

  auto r401 = t.Send(Submit(server));
  REQUIRE(r401);
  CHECK(r401.value().status == 401);
  CHECK(r401.value().body == R"({"detail":"No user found for Key ID and Secret"})");

  auto r422 = t.Send(Submit(server));
  REQUIRE(r422);
  CHECK(r422.value().status == 422);
  CHECK(r422.value().body.find("value_error.missing") != std::string::npos);

  auto r429 = t.Send(Submit(server));
  REQUIRE(r429);
  CHECK(r429.value().status == 429);
  CHECK(r429.value().headers.Get("Retry-After") == "7");

  auto r503 = t.Send(Submit(server));
  REQUIRE(r503);
  CHECK(r503.value().status == 503);
  CHECK(r503.value().headers.Get("x-fal-error-type") == "runner_scheduling_failure");

  auto ok = t.Send(Submit(server));
  REQUIRE(ok);
  CHECK(ok.value().status == 200);
  CHECK(server.count(Route::kSubmit) == 5);
}

TEST_CASE("a connection dropped after the server read the submit is a retryable network_error") {
  FakeFalServer server;
  CurlTransport t;
  server.AddFault(Route::kSubmit, Fault::DropConnection(1));
  auto r = t.Send(Submit(server));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::network_error);  // not connect_failed: it may have landed
  CHECK(r.error().retryable);
  CHECK(r.error().http_status == 0);
  CheckNoSecret(r.error());
  CHECK(server.count(Route::kSubmit) == 1);  // the server did receive it
  REQUIRE(server.received(Route::kSubmit).size() == 1);
  CHECK(server.received(Route::kSubmit)[0].body == R"({"steps":1000})");

  // The pooled handle recovers: the next request opens a fresh connection and succeeds.
  auto again = t.Send(Submit(server));
  REQUIRE(again);
  CHECK(again.value().status == 200);
}

TEST_CASE("nothing listening is a retryable connect_failed: the request surely never arrived") {
  CurlTransport t;
  const int port = faltrain_testing::UnusedLoopbackPort();
  HttpRequest r = Get("http://127.0.0.1:" + std::to_string(port) + "/fal-ai/x/requests/1/status");
  auto sent = t.Send(r);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().code == errc::connect_failed);
  CHECK(sent.error().retryable);
  CheckNoSecret(sent.error());
  // The cause is named once: "could not connect: GET <url>: <curl's reason>".
  const std::string text = sent.error().to_string();
  CHECK(text.rfind("could not connect: GET http://127.0.0.1:", 0) == 0);
  CHECK(text.find("could not connect", 1) == std::string::npos);
}

TEST_CASE("no_total_timeout ignores the timeouts, the low-speed guard ends a stalled transfer") {
  FakeFalServer server;
  server.AddFault(Route::kStatus, Fault::Slow(10s));
  CurlTransportOptions options;
  options.request_timeout = 200ms;  // would end it first, were it applied
  CurlTransport t(options);
  HttpRequest r = Get(server.base_url() + "/fal-ai/x/requests/none/status");
  r.timeout = 200ms;
  r.no_total_timeout = true;
  r.low_speed_limit = 1000;  // bytes per second
  r.low_speed_time = 1s;     // curl's smallest unit
  auto sent = t.Send(r);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().code == errc::timeout);
  CHECK(sent.error().message.find("too slow") != std::string::npos);  // curl's low-speed reason
  CheckNoSecret(sent.error());
}

TEST_CASE("a slow server hits the request timeout: errc::timeout, retryable") {
  FakeFalServer server;
  server.AddFault(Route::kStatus, Fault::Slow(10s));

  SUBCASE("per-request timeout overrides the default") {
    CurlTransport t;  // default 120 s
    HttpRequest r = Get(server.base_url() + "/fal-ai/x/requests/none/status");
    r.timeout = 300ms;
    auto sent = t.Send(r);
    REQUIRE_FALSE(sent);
    CHECK(sent.error().code == errc::timeout);
    CHECK(sent.error().retryable);
    CheckNoSecret(sent.error());
  }
  SUBCASE("the transport's default timeout applies when the request has none") {
    CurlTransportOptions options;
    options.request_timeout = 300ms;
    CurlTransport t(options);
    auto sent = t.Send(Get(server.base_url() + "/fal-ai/x/requests/none/status"));
    REQUIRE_FALSE(sent);
    CHECK(sent.error().code == errc::timeout);
  }
  CHECK(server.count(Route::kStatus) == 1);
}

TEST_CASE("max_response_bytes is enforced while receiving") {
  FakeFalServer server;
  CurlTransportOptions options;
  options.max_response_bytes = 1 << 20;
  CurlTransport t(options);
  const std::string url = server.base_url() + "/fal-ai/x/requests/none/status";

  SUBCASE("announced by Content-Length") {
    server.AddFault(Route::kStatus, Fault::HugeBody(3 << 20, /*chunked=*/false, 1));
    auto r = t.Send(Get(url));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::payload_too_large);
    CHECK_FALSE(r.error().retryable);
  }
  SUBCASE("chunked, no length known in advance") {
    server.AddFault(Route::kStatus, Fault::HugeBody(3 << 20, /*chunked=*/true, 1));
    auto r = t.Send(Get(url));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::payload_too_large);
  }
  SUBCASE("a body at the limit passes whole") {
    server.AddFault(Route::kStatus, Fault::HugeBody(1 << 20, /*chunked=*/true, 1));
    auto r = t.Send(Get(url));
    REQUIRE(r);
    CHECK(r.value().body.size() == (1u << 20));
  }
  // Either way the handle stays usable.
  auto after = t.Send(Get(url));
  REQUIRE(after);
  CHECK(after.value().status == 404);
}

TEST_CASE("plain http is refused for non-loopback hosts before any traffic") {
  CurlTransport t;
  for (const char* url : {"http://example.com/x", "http://10.0.0.1/x", "http://127.0.0.1.nip.io/x",
                          "http://[2001:db8::1]/x", "ftp://127.0.0.1/x", "file:///etc/passwd",
                          "not a url"}) {
    CAPTURE(url);
    auto r = t.Send(Get(url));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK_FALSE(r.error().retryable);
  }
  CHECK(t.stats().requests == 0);
}

TEST_CASE("loopback spellings may use plain http") {
  FakeFalServer server;
  CurlTransport t;
  const std::string port = std::to_string(server.port());
  for (std::string host : {"127.0.0.1", "localhost", "LOCALHOST"}) {
    CAPTURE(host);
    auto r = t.Send(Get("http://" + host + ":" + port + "/fal-ai/x/requests/none/status"));
    REQUIRE(r);
    CHECK(r.value().status == 404);
  }
}

TEST_CASE("TLS verification is on: https to a non-TLS port fails to connect, retryably") {
  FakeFalServer server;
  CurlTransport t;
  auto r = t.Send(Get("https://127.0.0.1:" + std::to_string(server.port()) + "/x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::connect_failed);
  CheckNoSecret(r.error());
}

TEST_CASE("header values with line breaks are refused (no header injection)") {
  FakeFalServer server;
  CurlTransport t;
  HttpRequest r = Submit(server);
  r.headers.Add("X-Evil", "a\r\nX-Injected: 1");
  auto sent = t.Send(r);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().code == errc::invalid_argument);
  CHECK(server.count(Route::kSubmit) == 0);
}

TEST_CASE("GET follows redirects and returns only the last response's headers") {
  FakeFalServer server;
  CurlTransport t;
  const std::string target = server.base_url() + "/fal-ai/x/requests/none/status";
  auto r = t.Send(Get(server.base_url() + "/redirect?code=302&to=" + target));
  REQUIRE(r);
  CHECK(r.value().status == 404);
  CHECK(r.value().headers.Get("X-Hop").empty());
  CHECK(r.value().headers.Get("Location").empty());
  CHECK(server.count(Route::kRedirect) == 1);
  CHECK(server.count(Route::kStatus) == 1);
  // Same origin: the key is still sent.
  CHECK(server.received(Route::kStatus)[0].Header("Authorization").has_value());
}

TEST_CASE("a redirect to another origin drops the Authorization header") {
  FakeFalServer a;
  FakeFalServer b;
  CurlTransport t;
  const std::string target = b.base_url() + "/fal-ai/x/requests/none/status";
  auto r = t.Send(Get(a.base_url() + "/redirect?code=307&to=" + target));
  REQUIRE(r);
  REQUIRE(b.count(Route::kStatus) == 1);
  CHECK_FALSE(b.received(Route::kStatus)[0].Header("Authorization").has_value());
}

TEST_CASE("POST never follows redirects (a second POST could start a second training)") {
  FakeFalServer server;
  CurlTransport t;
  HttpRequest r = Submit(server);
  r.url = server.base_url() + "/redirect?code=307&to=" + server.base_url() + "/fal-ai/x";
  auto sent = t.Send(r);
  REQUIRE(sent);
  CHECK(sent.value().status == 307);
  CHECK(server.count(Route::kSubmit) == 0);
}

TEST_CASE("a redirect to plain http on a remote host is refused without following it") {
  FakeFalServer server;
  CurlTransport t;
  auto r = t.Send(Get(server.base_url() + "/redirect?code=302&to=http://example.com/steal"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::http_error);
  CHECK(r.error().http_status == 302);
  CHECK(t.stats().requests == 1);
}

TEST_CASE("one handle, one connection, reused across many sequential requests") {
  FakeFalServer server;
  CurlTransport t;
  const std::string base = SubmitAndGetBase(t, server);
  for (int i = 0; i < 200; ++i) {
    auto r = t.Send(Get(base + "/status"));
    REQUIRE(r);
  }
  const auto stats = t.stats();
  CHECK(stats.requests == 201);
  CHECK(stats.handles_created == 1);
  CHECK(stats.connections_opened == 2);  // the submit's own, then one for all 200 GETs
  CHECK(server.connections_seen() == 2);
}

TEST_CASE("concurrent use from several threads: every request succeeds, handles are pooled") {
  FakeFalServer server;
  CurlTransport t;
  const std::string base = SubmitAndGetBase(t, server);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kPerThread; ++j) {
        auto r = t.Send(Get(base + "/status"));
        if (r && (r.value().status == 200 || r.value().status == 202)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == kThreads * kPerThread);
  CHECK(server.count(Route::kStatus) == kThreads * kPerThread);
  const auto stats = t.stats();
  CHECK(stats.handles_created <= kThreads);
  CHECK(stats.connections_opened <= stats.handles_created + 1);  // + the submit's own
}

TEST_CASE("handles beyond max_idle_handles are closed, not pooled") {
  FakeFalServer server;
  CurlTransportOptions options;
  options.max_idle_handles = 0;
  CurlTransport t(options);
  for (int i = 0; i < 3; ++i) REQUIRE(t.Send(Get(server.base_url() + "/fal-ai/x/requests/1/status")));
  CHECK(t.stats().handles_created == 3);
  CHECK(t.stats().connections_opened == 3);
}

TEST_CASE("gzip is requested by default and decoded, the size limit counts decoded bytes") {
  FakeFalServer server;
  const std::string url = server.base_url() + "/fal-ai/x/requests/none/status";
  SUBCASE("default: gzip") {
    CurlTransportOptions options;
    options.max_response_bytes = 1 << 20;
    CurlTransport t(options);
    // 3 MiB of one letter gzips to a few KiB: the wire size passes, the decoded size must not.
    server.AddFault(Route::kStatus, Fault::HugeBody(3 << 20, /*chunked=*/false, 1));
    auto big = t.Send(Get(url));
    REQUIRE_FALSE(big);
    CHECK(big.error().code == errc::payload_too_large);
    server.AddFault(Route::kStatus, Fault::HugeBody(64 << 10, /*chunked=*/false, 1));
    auto r = t.Send(Get(url));
    REQUIRE(r);
    CHECK(r.value().headers.Get("Content-Encoding") == "gzip");
    CHECK(r.value().body.size() == (64u << 10));
    CHECK(r.value().body.rfind(R"({"status":"IN_QUEUE")", 0) == 0);
    CHECK(server.received(Route::kStatus).back().Header("Accept-Encoding") == "gzip");
  }
  SUBCASE("accept_gzip = false: identity") {
    CurlTransportOptions options;
    options.accept_gzip = false;
    CurlTransport t(options);
    auto r = t.Send(Get(url));
    REQUIRE(r);
    CHECK(r.value().headers.Get("Content-Encoding").empty());
    CHECK_FALSE(server.received(Route::kStatus).back().Header("Accept-Encoding").has_value());
  }
}

TEST_CASE("a POST is never re-sent by curl itself when a reused connection dies") {
  // curl silently retries a request on a fresh connection when a *reused* connection closes
  // before any response byte: right for a stale keep-alive socket, a duplicate training when the
  // server had read the submit. POSTs therefore always get a connection of their own.
  FakeFalServer server;
  CurlTransport t;
  const std::string base = SubmitAndGetBase(t, server);  // warms a keep-alive connection
  REQUIRE(t.Send(Get(base + "/status")));
  server.AddFault(Route::kSubmit, Fault::DropConnection(1));
  auto r = t.Send(Submit(server));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::network_error);
  CHECK(server.count(Route::kSubmit) == 2);  // the warm-up and the dropped one: no silent resend
}

TEST_CASE("GETs still ride the warm connection after a POST") {
  FakeFalServer server;
  CurlTransport t;
  const std::string base = SubmitAndGetBase(t, server);
  for (int i = 0; i < 10; ++i) REQUIRE(t.Send(Get(base + "/status")));
  REQUIRE(t.Send(Submit(server)));
  for (int i = 0; i < 10; ++i) REQUIRE(t.Send(Get(base + "/status")));
  // Each POST opens (and closes) its own connection; all the GETs share one.
  CHECK(t.stats().connections_opened == 3);
  CHECK(server.connections_seen() == 3);
}
