// CurlTransport over TLS against the fake fal server serving a throwaway certificate on 127.0.0.1:
// verification of peer and host is always on, sessions are resumed across pooled handles.

#include "fake_fal_server.hpp"
#include "test_certificate.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <doctest/doctest.h>

#include <string>

namespace {

using faltrain::CurlTransport;
using faltrain::CurlTransportOptions;
using faltrain::errc;
using faltrain::HttpRequest;
using faltrain_testing::FakeFalServer;
using faltrain_testing::FakeFalServerOptions;
using faltrain_testing::Route;
using faltrain_testing::TestCertificate;

FakeFalServerOptions Tls(const TestCertificate& cert) {
  FakeFalServerOptions o;
  o.tls_cert_file = cert.cert_file();
  o.tls_key_file = cert.key_file();
  return o;
}

HttpRequest Status(const std::string& base) {
  HttpRequest r;
  r.url = base + "/fal-ai/x/requests/none/status";
  r.headers.Add("Authorization", "Key id:SECRET");
  return r;
}

}  // namespace

TEST_CASE("an untrusted certificate fails to connect: peer verification is on") {
  TestCertificate cert("DNS:localhost,IP:127.0.0.1");
  FakeFalServer server(Tls(cert));
  REQUIRE(server.base_url().rfind("https://", 0) == 0);
  CurlTransport t;  // system CA store only
  auto r = t.Send(Status(server.base_url()));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::connect_failed);
  CHECK(r.error().message.find("SECRET") == std::string::npos);
  CHECK(server.count(Route::kStatus) == 0);  // no request got through
}

TEST_CASE("trusted via ca_bundle: https works by IP and by name") {
  TestCertificate cert("DNS:localhost,IP:127.0.0.1");
  FakeFalServer server(Tls(cert));
  CurlTransportOptions options;
  options.ca_bundle = cert.cert_file();
  CurlTransport t(options);
  auto by_ip = t.Send(Status(server.base_url()));
  REQUIRE(by_ip);
  CHECK(by_ip.value().status == 404);
  auto by_name = t.Send(Status("https://localhost:" + std::to_string(server.port())));
  REQUIRE(by_name);
  CHECK(by_name.value().status == 404);
}

TEST_CASE("a trusted certificate for another host name fails: host verification is on") {
  TestCertificate cert("DNS:other.example");
  FakeFalServer server(Tls(cert));
  CurlTransportOptions options;
  options.ca_bundle = cert.cert_file();
  CurlTransport t(options);
  auto r = t.Send(Status(server.base_url()));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::connect_failed);
  CHECK(server.count(Route::kStatus) == 0);
}

TEST_CASE("one TLS connection serves many requests") {
  TestCertificate cert("DNS:localhost,IP:127.0.0.1");
  FakeFalServer server(Tls(cert));
  CurlTransportOptions options;
  options.ca_bundle = cert.cert_file();
  CurlTransport t(options);
  for (int i = 0; i < 20; ++i) REQUIRE(t.Send(Status(server.base_url())));
  CHECK(t.stats().connections_opened == 1);
  CHECK(server.connections_seen() == 1);
}

TEST_CASE("a new handle resumes the TLS session of an earlier one (shared session cache)") {
  TestCertificate cert("DNS:localhost,IP:127.0.0.1");
  FakeFalServer server(Tls(cert));
  CurlTransportOptions options;
  options.ca_bundle = cert.cert_file();
  options.max_idle_handles = 0;  // every request gets a fresh handle and connection
  CurlTransport t(options);
  for (int i = 0; i < 3; ++i) REQUIRE(t.Send(Status(server.base_url())));
  CHECK(t.stats().handles_created == 3);
  CHECK(t.stats().connections_opened == 3);
  auto seen = server.received(Route::kStatus);
  REQUIRE(seen.size() == 3);
  CHECK_FALSE(seen[0].tls_session_reused);
  CHECK(seen[1].tls_session_reused);
  CHECK(seen[2].tls_session_reused);
}
