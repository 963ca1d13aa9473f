// SimTransport's storage: upload initiation, PUT, fal-js multipart, downloads, JWKS, options
// from the environment.

#include "sim_test_helpers.hpp"

#include <faltrain/client/json_writer.hpp>

#include <cstdlib>

using namespace faltrain;
using namespace sim_test;

namespace {

SimOptions Options(std::string cdn = "https://v3.fal.media") {
  SimOptions o;
  o.seed = 3;
  o.delivery = SimDelivery::kManual;
  o.cdn_base_url = std::move(cdn);
  return o;
}

}  // namespace

TEST_CASE("initiate + PUT stores the bytes, the file URL serves them") {
  SimTransport sim(Options(), std::make_shared<VirtualClock>());
  auto initiate = Call(sim, HttpMethod::kPost, "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3",
                       R"({"content_type":"application/zip","file_name":"my faces.zip"})");
  REQUIRE(initiate.status == 200);
  std::string upload_url = At(initiate.body, "/upload_url");
  std::string file_url = At(initiate.body, "/file_url");
  CHECK(upload_url.rfind("https://rest.fal.ai/", 0) == 0);
  CHECK(file_url.rfind("https://v3.fal.media/files/", 0) == 0);
  CHECK(file_url.size() > std::string("my_faces.zip").size());
  CHECK(file_url.substr(file_url.size() - 13) == "_my_faces.zip");
  CHECK(Call(sim, HttpMethod::kGet, file_url).status == 404);  // not uploaded yet

  static const char kZip[] = "PK\x03\x04 pretend zip \x00\x01";
  std::string zip(kZip, sizeof kZip - 1);
  auto put = Call(sim, HttpMethod::kPut, upload_url, zip, {{"Content-Type", "application/zip"}});
  CHECK(put.status == 200);
  auto get = Call(sim, HttpMethod::kGet, file_url);
  CHECK(get.status == 200);
  CHECK(get.body == zip);
  CHECK(get.headers.Get("content-type") == "application/zip");
  // Upload URLs are single-use.
  CHECK(Call(sim, HttpMethod::kPut, upload_url, "again").status == 404);
}

TEST_CASE("with no CDN base, upload and file URLs point at the host the request came to") {
  SimTransport sim(Options(""), std::make_shared<VirtualClock>());
  auto initiate = Call(sim, HttpMethod::kPost, "http://127.0.0.1:4567/storage/upload/initiate",
                       R"({"content_type":"text/plain","file_name":"a.txt"})");
  CHECK(At(initiate.body, "/upload_url").rfind("http://127.0.0.1:4567/", 0) == 0);
  CHECK(At(initiate.body, "/file_url").rfind("http://127.0.0.1:4567/files/", 0) == 0);
}

TEST_CASE("multipart, fal-js flavour: parts at <upload path>/<n><query>, then /complete") {
  SimTransport sim(Options(), std::make_shared<VirtualClock>());
  auto initiate = Call(sim, HttpMethod::kPost,
                       "https://rest.fal.ai/storage/upload/initiate-multipart?storage_type=fal-cdn-v3",
                       R"({"content_type":"application/zip","file_name":"big.zip"})");
  std::string upload_url = At(initiate.body, "/upload_url");
  auto q = upload_url.find('?');
  std::string path = upload_url.substr(0, q), query = upload_url.substr(q);
  auto part1 = Call(sim, HttpMethod::kPut, path + "/1" + query, std::string(1000, 'a'));
  auto part2 = Call(sim, HttpMethod::kPut, path + "/2" + query, "tail");
  REQUIRE(part1.status == 200);
  CHECK(At(part1.body, "/partNumber") == "1");
  CHECK(part1.headers.Get("etag") == At(part1.body, "/etag"));
  std::string complete_body = R"({"parts":[{"partNumber":1,"etag":)" + JsonQuote(At(part1.body, "/etag")) +
                              R"(},{"partNumber":2,"etag":)" + JsonQuote(At(part2.body, "/etag")) + "}]}";
  auto wrong = Call(sim, HttpMethod::kPost, path + "/complete" + query,
                    R"({"parts":[{"partNumber":1,"etag":"nope"}]})");
  CHECK(wrong.status == 400);
  auto complete = Call(sim, HttpMethod::kPost, path + "/complete" + query, complete_body);
  REQUIRE(complete.status == 200);
  CHECK(At(complete.body, "/file_url") == At(initiate.body, "/file_url"));
  auto file = Call(sim, HttpMethod::kGet, At(initiate.body, "/file_url"));
  CHECK(file.body == std::string(1000, 'a') + "tail");
}

TEST_CASE("unknown paths and wrong methods answer like FastAPI") {
  SimTransport sim(Options(), std::make_shared<VirtualClock>());
  CHECK(Call(sim, HttpMethod::kGet, "https://rest.fal.ai/nothing").status == 404);
  CHECK(Call(sim, HttpMethod::kGet, "https://queue.fal.run/fal-ai/flux-lora").status == 405);
  CHECK(Call(sim, HttpMethod::kPost, "https://rest.fal.ai/.well-known/jwks.json").status == 405);
}

TEST_CASE("SimOptions::FromEnvironment reads the seed's variables") {
  ::setenv("FAL_MOCK_TRAINING_DURATION", "2.5", 1);
  ::setenv("FAL_ENABLE_WEBHOOK_SIMULATION", "true", 1);
  ::setenv("FALTRAIN_SIM_SEED", "77", 1);
  auto o = SimOptions::FromEnvironment();
  REQUIRE(o.has_value());
  CHECK(o.value().training_duration == std::chrono::milliseconds(2500));
  CHECK(o.value().webhook_simulation);
  CHECK(o.value().seed == 77);
  ::setenv("FAL_MOCK_TRAINING_DURATION", "soon", 1);
  CHECK_FALSE(SimOptions::FromEnvironment().has_value());
  ::unsetenv("FAL_MOCK_TRAINING_DURATION");
  ::unsetenv("FAL_ENABLE_WEBHOOK_SIMULATION");
  ::unsetenv("FALTRAIN_SIM_SEED");
  auto d = SimOptions::FromEnvironment();
  REQUIRE(d.has_value());
  CHECK(d.value().training_duration == std::chrono::seconds(30));
  CHECK_FALSE(d.value().webhook_simulation);
}
