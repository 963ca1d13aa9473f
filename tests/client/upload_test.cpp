// Uploads of big training zips (reference §5, §9): PUTs with no total timeout but a low-speed guard,
// X-Fal-Object-Lifecycle on initiate, no retry of a 500, and a multipart upload that resumes from the
// part that failed instead of starting over.

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include "support/scripted_client.hpp"

#include <doctest/doctest.h>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

using Fixture = test_support::ScriptedClient;

constexpr const char* kInitiated =
    R"({"upload_url":"https://up.example/u/abc?token=t","file_url":"https://v3.fal.media/files/big.bin"})";

void Multipart(ClientOptions& c) {
  c.multipart_threshold = 10;
  c.multipart_part_size = 4;
}

}  // namespace

TEST_CASE("upload PUTs have no total timeout, a configurable low-speed guard instead") {
  Fixture f;
  TrainingClient client = f.Make([](ClientOptions& c) {
    c.request_timeout = 5s;
    c.upload_low_speed_limit = 2048;
    c.upload_low_speed_time = 45s;
  });
  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(200, "");
  REQUIRE(client.Upload("PK\x03\x04zip", "application/zip", "faces.zip").has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 2);
  // The initiate is an ordinary API call under the request timeout.
  CHECK_FALSE(sent[0].no_total_timeout);
  CHECK(sent[0].timeout == 5s);
  CHECK(sent[0].low_speed_limit == 0);
  // The body's PUT is bounded by the uplink's progress, not by the clock.
  CHECK(sent[1].no_total_timeout);
  CHECK(sent[1].low_speed_limit == 2048);
  CHECK(sent[1].low_speed_time == 45s);
}

TEST_CASE("X-Fal-Object-Lifecycle goes on the upload initiate, and only there") {
  Fixture f;
  TrainingClient client = f.Make();
  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(200, "");
  UploadOptions options;
  options.object_lifecycle_json = R"({"expiration_duration_seconds":604800})";
  REQUIRE(client.Upload("bytes", "application/zip", "faces.zip", options).has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].headers.Get("X-Fal-Object-Lifecycle") == R"({"expiration_duration_seconds":604800})");
  CHECK_FALSE(sent[1].headers.Has("X-Fal-Object-Lifecycle"));

  options.object_lifecycle_json = "{not json";
  CHECK(client.Upload("bytes", "application/zip", "faces.zip", options).error().code == errc::invalid_argument);
  CHECK(f.transport->requests().size() == 2);  // refused before anything was sent
}

TEST_CASE("an upload PUT answered 500 is not repeated, a storage 503 is") {
  Fixture f;
  TrainingClient client = f.Make();
  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(503, "<html>Service Unavailable</html>");
  f.transport->ExpectResponse(200, "");
  REQUIRE(client.Upload("bytes", "application/zip", "faces.zip").has_value());
  CHECK(f.transport->requests().size() == 3);

  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(500, "internal error");
  auto failed = client.Upload("bytes", "application/zip", "faces.zip");
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().http_status == 500);
  CHECK(f.transport->requests().size() == 5);
}

TEST_CASE("a multipart upload resumes from the part that failed, not from the start") {
  Fixture f;
  TrainingClient client = f.Make(Multipart);
  const std::string bytes = "0123456789A";  // parts "0123", "4567", "89A"
  MultipartUploadState state;
  UploadOptions options;
  options.multipart_state = &state;

  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(200, R"({"partNumber":1,"etag":"e1"})");
  f.transport->ExpectResponse(500, "disk full");  // part 2 fails for good
  auto first = client.Upload(bytes, "application/octet-stream", "big.bin", options);
  REQUIRE_FALSE(first.has_value());
  CHECK(state.etags == std::vector<std::string>{"e1"});
  CHECK(state.upload_url == "https://up.example/u/abc?token=t");

  f.transport->ExpectResponse(200, R"({"partNumber":2,"etag":"e2"})");
  f.transport->ExpectResponse(200, "", {{"ETag", "e3"}});
  f.transport->ExpectResponse(200, "{}");
  auto second = client.Upload(bytes, "application/octet-stream", "big.bin", options);
  REQUIRE(second.has_value());
  CHECK(second.value() == "https://v3.fal.media/files/big.bin");

  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 6);  // no second initiate, part 1 not sent again
  CHECK(sent[3].url == "https://up.example/u/abc/2?token=t");
  CHECK(sent[3].body == "4567");
  CHECK(sent[3].no_total_timeout);
  CHECK(sent[4].url == "https://up.example/u/abc/3?token=t");
  CHECK(sent[5].url == "https://up.example/u/abc/complete?token=t");
  CHECK(sent[5].body == R"({"parts":[{"partNumber":1,"etag":"e1"},{"partNumber":2,"etag":"e2"},{"partNumber":3,"etag":"e3"}]})");
  CHECK(state.etags.empty());  // finished: nothing left to resume
}

TEST_CASE("a multipart state for other bytes is not resumed: a fresh upload starts") {
  Fixture f;
  TrainingClient client = f.Make(Multipart);
  MultipartUploadState stale;
  stale.upload_url = "https://up.example/u/old?token=o";
  stale.file_url = "https://v3.fal.media/files/old.bin";
  stale.total_bytes = 99;
  stale.part_size = 4;
  stale.etags = {"x1"};
  UploadOptions options;
  options.multipart_state = &stale;
  f.transport->ExpectResponse(200, kInitiated);
  f.transport->ExpectResponse(200, R"({"etag":"e1"})");
  f.transport->ExpectResponse(200, R"({"etag":"e2"})");
  f.transport->ExpectResponse(200, R"({"etag":"e3"})");
  f.transport->ExpectResponse(200, "{}");
  REQUIRE(client.Upload("0123456789A", "application/octet-stream", "big.bin", options).has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 5);
  CHECK(sent[0].url == "https://rest.fal.ai/storage/upload/initiate-multipart?storage_type=fal-cdn-v3");
  CHECK(sent[1].url == "https://up.example/u/abc/1?token=t");
}
