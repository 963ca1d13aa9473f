// CurlTransport takes proxies from the environment, as curl does by default (http_proxy,
// no_proxy). The "proxy" is a recording HTTP server on 127.0.0.1; nothing leaves the machine.

#include "fake_fal_server.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using faltrain::CurlTransport;
using faltrain::errc;
using faltrain::HttpRequest;

/// Answers every request itself and remembers the request targets (absolute URLs via a proxy).
class RecordingProxy {
 public:
  RecordingProxy() {
    server_.set_tcp_nodelay(true);
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        targets_.push_back(req.target);
      }
      res.status = 200;
      res.set_content(R"({"via":"proxy"})", "application/json");
      return httplib::Server::HandlerResponse::Handled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind the proxy");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RecordingProxy() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> targets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return targets_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
};

/// Sets an environment variable for the scope, restoring the previous state after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("http_proxy from the environment is used") {
  RecordingProxy proxy;
  const int target_port = faltrain_testing::UnusedLoopbackPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(target_port) + "/fal-ai/x/requests/1/status";
  ScopedEnv no_proxy("no_proxy", "");
  ScopedEnv NO_PROXY("NO_PROXY", "");
  ScopedEnv http_proxy("http_proxy", "http://127.0.0.1:" + std::to_string(proxy.port()));
  CurlTransport t;
  HttpRequest r;
  r.url = url;
  auto sent = t.Send(r);
  REQUIRE(sent);  // nothing listens on target_port: only the proxy can have answered
  CHECK(sent.value().body == R"({"via":"proxy"})");
  REQUIRE(proxy.targets().size() == 1);
  CHECK(proxy.targets()[0] == url);  // absolute-form request line: proxied
}

TEST_CASE("no_proxy from the environment bypasses the proxy") {
  RecordingProxy proxy;
  const int target_port = faltrain_testing::UnusedLoopbackPort();
  ScopedEnv http_proxy("http_proxy", "http://127.0.0.1:" + std::to_string(proxy.port()));
  ScopedEnv no_proxy("no_proxy", "127.0.0.1");
  CurlTransport t;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(target_port) + "/x";
  auto sent = t.Send(r);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().code == errc::connect_failed);  // went direct, to a closed port
  CHECK(proxy.targets().empty());
}
