// CurlTransport keeps its pooled curl handles configured between requests (no curl_easy_reset):
// nothing one request sets (method, body, own connection, headers, User-Agent, timeout) may leak
// into the next request on the same handle. Checked against a small recording server on
// 127.0.0.1 that answers every method on every path.

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using faltrain::CurlTransport;
using faltrain::CurlTransportOptions;
using faltrain::errc;
using faltrain::HttpMethod;
using faltrain::HttpRequest;
using namespace std::chrono_literals;

/// One request as the recording server saw it.
struct Seen {
  std::string method;
  std::string path;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  int remote_port = 0;

  std::optional<std::string> Header(const std::string& name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  std::size_t HeaderCount(const std::string& name) const { return headers.count(name); }
};

/// Answers 200 "ok" to any method on any path, and records each request. GET /slow answers after
/// `slow_delay` (cut short when the server stops).
class RecordingServer {
 public:
  explicit RecordingServer(std::chrono::milliseconds slow_delay = 0ms) : slow_delay_(slow_delay) {
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(100000);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Seen seen;
      seen.method = req.method;
      seen.path = req.path;
      seen.body = req.body;
      seen.remote_port = req.remote_port;
      for (const auto& [name, value] : req.headers) {
        std::string lower = name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        seen.headers.emplace(std::move(lower), value);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(std::move(seen));
      }
      if (req.path == "/slow") {
        std::unique_lock<std::mutex> lock(mu_);
        stop_cv_.wait_for(lock, slow_delay_, [this] { return stopping_; });
      }
      res.status = 200;
      res.set_content("ok", "text/plain");
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    server_.Delete(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~RecordingServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    server_.stop();
    thread_.join();
  }
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  httplib::Server server_;
  std::chrono::milliseconds slow_delay_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<Seen> seen_;
};

HttpRequest Make(HttpMethod method, std::string url, std::string body = {}) {
  HttpRequest r;
  r.method = method;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

/// A GET as it must look whatever came before it on the handle.
void CheckPlainGet(const Seen& s) {
  CHECK(s.method == "GET");
  CHECK(s.body.empty());
  CHECK_FALSE(s.Header("content-length").has_value());
  CHECK_FALSE(s.Header("content-type").has_value());
  CHECK_FALSE(s.Header("transfer-encoding").has_value());
}

}  // namespace

TEST_CASE("a GET after a POST on the same pooled handle is a plain GET on the warm connection") {
  RecordingServer server;
  CurlTransport t;
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/a"))));
  HttpRequest post = Make(HttpMethod::kPost, server.url("/submit"), R"({"steps":1})");
  post.headers.Add("Content-Type", "application/json");
  REQUIRE(t.Send(post));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/b"))));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/c"))));

  CHECK(t.stats().handles_created == 1);  // all four went through the one handle
  auto seen = server.seen();
  REQUIRE(seen.size() == 4);
  CheckPlainGet(seen[0]);
  CHECK(seen[1].method == "POST");
  CHECK(seen[1].body == R"({"steps":1})");
  CHECK(seen[1].Header("content-type") == "application/json");
  CheckPlainGet(seen[2]);
  CheckPlainGet(seen[3]);
  // The POST had a connection of its own; FRESH_CONNECT and FORBID_REUSE did not stick: the GETs
  // before and after it share one connection.
  CHECK(seen[1].remote_port != seen[0].remote_port);
  CHECK(seen[2].remote_port == seen[0].remote_port);
  CHECK(seen[3].remote_port == seen[0].remote_port);
  CHECK(t.stats().connections_opened == 2);
}

TEST_CASE("DELETE with a body, DELETE without, PUT, then GET: each is sent as itself") {
  RecordingServer server;
  CurlTransport t;
  REQUIRE(t.Send(Make(HttpMethod::kDelete, server.url("/thing"), "gone")));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/thing"))));
  REQUIRE(t.Send(Make(HttpMethod::kDelete, server.url("/other"))));
  REQUIRE(t.Send(Make(HttpMethod::kPut, server.url("/file"), std::string("PK\x03\x04", 4))));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/file"))));
  REQUIRE(t.Send(Make(HttpMethod::kPost, server.url("/empty"))));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/last"))));

  CHECK(t.stats().handles_created == 1);
  auto seen = server.seen();
  REQUIRE(seen.size() == 7);
  CHECK(seen[0].method == "DELETE");
  CHECK(seen[0].body == "gone");
  CheckPlainGet(seen[1]);
  CHECK(seen[2].method == "DELETE");
  CHECK(seen[2].body.empty());
  CHECK_FALSE(seen[2].Header("content-length").has_value());
  CHECK(seen[3].method == "PUT");
  CHECK(seen[3].body == std::string("PK\x03\x04", 4));
  CheckPlainGet(seen[4]);
  CHECK(seen[5].method == "POST");  // an empty POST is still a POST, with Content-Length: 0
  CHECK(seen[5].body.empty());
  CHECK(seen[5].Header("content-length") == "0");
  CheckPlainGet(seen[6]);
}

TEST_CASE("headers and the User-Agent of one request do not carry over to the next") {
  RecordingServer server;
  CurlTransportOptions options;
  options.user_agent = "default-agent/1";
  CurlTransport t(options);
  HttpRequest own = Make(HttpMethod::kGet, server.url("/1"));
  own.headers.Add("User-Agent", "mine/2");
  own.headers.Add("Authorization", "Key secret");
  own.headers.Add("X-Extra", "1");
  REQUIRE(t.Send(own));
  REQUIRE(t.Send(Make(HttpMethod::kGet, server.url("/2"))));
  REQUIRE(t.Send(own));

  CHECK(t.stats().handles_created == 1);
  auto seen = server.seen();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].Header("user-agent") == "mine/2");
  CHECK(seen[0].HeaderCount("user-agent") == 1);
  CHECK(seen[0].Header("authorization") == "Key secret");
  CHECK(seen[1].Header("user-agent") == "default-agent/1");
  CHECK_FALSE(seen[1].Header("authorization").has_value());
  CHECK_FALSE(seen[1].Header("x-extra").has_value());
  CHECK(seen[2].Header("user-agent") == "mine/2");
  CHECK(seen[2].HeaderCount("user-agent") == 1);
}

TEST_CASE("a request's own timeout does not stick to the handle") {
  RecordingServer server(/*slow_delay=*/400ms);
  CurlTransport t;  // default request timeout: 120 s
  HttpRequest hurried = Make(HttpMethod::kGet, server.url("/slow"));
  hurried.timeout = 100ms;
  auto first = t.Send(hurried);
  REQUIRE_FALSE(first);
  CHECK(first.error().code == errc::timeout);
  // Same handle, no timeout of its own: the 120 s default applies, so the slow answer arrives.
  auto second = t.Send(Make(HttpMethod::kGet, server.url("/slow")));
  REQUIRE(second);
  CHECK(second.value().status == 200);
  CHECK(second.value().body == "ok");
  CHECK(t.stats().handles_created == 1);
}

TEST_CASE("a failed request leaves the handle usable, with its own error message") {
  RecordingServer server(/*slow_delay=*/400ms);
  CurlTransport t;
  HttpRequest hurried = Make(HttpMethod::kGet, server.url("/slow"));
  hurried.timeout = 100ms;
  auto failed = t.Send(hurried);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("/slow") != std::string::npos);
  auto ok = t.Send(Make(HttpMethod::kGet, server.url("/fine")));
  REQUIRE(ok);
  CHECK(ok.value().body == "ok");
  CHECK(t.stats().handles_created == 1);
}

TEST_CASE("the URL check is cached per handle but still refuses what it must") {
  RecordingServer server;
  CurlTransport t;
  const std::string good = server.url("/status");
  REQUIRE(t.Send(Make(HttpMethod::kGet, good)));
  REQUIRE(t.Send(Make(HttpMethod::kGet, good)));  // answered from the handle's cache
  auto remote = t.Send(Make(HttpMethod::kGet, "http://example.com/status"));
  REQUIRE_FALSE(remote);
  CHECK(remote.error().code == errc::invalid_argument);
  auto scheme = t.Send(Make(HttpMethod::kGet, "ftp://127.0.0.1/status"));
  REQUIRE_FALSE(scheme);
  CHECK(scheme.error().code == errc::invalid_argument);
  // A refusal does not poison the cache either way: the good URL still works, the bad still fails.
  REQUIRE(t.Send(Make(HttpMethod::kGet, good)));
  CHECK_FALSE(t.Send(Make(HttpMethod::kGet, "http://example.com/status")));
  CHECK(server.seen().size() == 3);
  CHECK(t.stats().requests == 3);
}
