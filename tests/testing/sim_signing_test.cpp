// The simulator's private building blocks: the Ed25519 signer (RFC 8032 vector), fal's webhook
// message, Python-style JSON, URL splitting and the log-line timeline.

#include "webhooks/detail/encoding.hpp"
#include "testing/detail/sim_http.hpp"
#include "testing/detail/sim_lifecycle.hpp"
#include "testing/detail/sim_python_json.hpp"
#include "testing/detail/sim_random.hpp"
#include "testing/detail/sim_signer.hpp"

#include <doctest/doctest.h>

using namespace faltrain;
using namespace faltrain::detail;
using namespace std::chrono_literals;

TEST_CASE("Ed25519 signer matches RFC 8032 test 1") {
  auto seed = HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  auto signer = SimSigner::FromSeed(*seed);
  REQUIRE(signer.has_value());
  CHECK(HexEncode(signer.value().public_key()) ==
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto signature = signer.value().Sign("");
  REQUIRE(signature.has_value());
  CHECK(HexEncode(signature.value()) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  CHECK_FALSE(SimSigner::FromSeed("short").has_value());
}

TEST_CASE("fal's webhook message: four lines, the body's SHA-256 in lowercase hex, no newline at the end") {
  CHECK(SimSigner::WebhookMessage("req", "user", "1700000000", "abc") ==
        "req\nuser\n1700000000\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Python-style JSON: sorted keys, spaced separators, ASCII escapes, numbers verbatim") {
  CHECK(PythonStyleJson(R"({"b":1,"a":{"z":[1,2,{"y":null,"x":true}],"c":"d"}})") ==
        R"({"a": {"c": "d", "z": [1, 2, {"x": true, "y": null}]}, "b": 1})");
  CHECK(PythonStyleJson(R"({"seed":17454220438242315174,"lr":1e-05,"f":0.00009})") ==
        R"({"f": 0.00009, "lr": 1e-05, "seed": 17454220438242315174})");
  CHECK(PythonStyleJson("{\"t\":\"\xC3\xA9\\u0001\x7F\xF0\x9F\x98\x80\\\"\"}") ==
        R"({"t": "\u00e9\u0001\u007f\ud83d\ude00\""})");
  CHECK(PythonStyleJson("[]") == "[]");
  CHECK(PythonStyleJson("{}") == "{}");
  CHECK(PythonStyleJson("\"x\"") == "\"x\"");
  CHECK_FALSE(PythonStyleJson("{oops").has_value());
}

TEST_CASE("URLs split into origin, decoded segments and query") {
  SimUrl u = ParseSimUrl("https://queue.fal.run/fal-ai/flux-lora/requests/a%20b/status?logs=1&x=%2F#frag");
  CHECK(u.origin == "https://queue.fal.run");
  CHECK(u.segments == std::vector<std::string>{"fal-ai", "flux-lora", "requests", "a b", "status"});
  CHECK(u.Query("logs") == "1");
  CHECK(u.Query("x") == "/");
  CHECK_FALSE(u.HasQuery("frag"));
  SimUrl bare = ParseSimUrl("/files/koala/x.zip");
  CHECK(bare.origin.empty());
  CHECK(bare.path == "/files/koala/x.zip");
  CHECK(ParseSimUrl("http://127.0.0.1:8080?a=b").segments.empty());
}

TEST_CASE("timeline: phases, queue positions and fal-style timestamps") {
  SimTimeline t;
  t.submitted = Clock::steady_time(std::chrono::seconds(100));
  t.submitted_wall = Clock::wall_time(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00
  t.started = t.submitted + 3s;
  t.finished = t.started + 10s;
  t.initial_position = 2;
  CHECK(t.PhaseAt(t.submitted) == SimPhase::kInQueue);
  CHECK(t.QueuePositionAt(t.submitted) == 2);
  CHECK(t.QueuePositionAt(t.submitted + 1500ms) == 1);
  CHECK(t.QueuePositionAt(t.started - 1ms) == 0);
  CHECK(t.PhaseAt(t.started) == SimPhase::kInProgress);
  CHECK(t.PhaseAt(t.finished) == SimPhase::kCompleted);
  CHECK(t.TimestampAt(t.submitted + 3s + 120314us) == "2026-01-01T00:00:03.120314");
  SimRandom random(1);
  auto lines = TrainingScript(t, 1000, false, random);
  CHECK(lines.front().at == t.started);
  CHECK(lines.back().at < t.finished);
  CHECK(StepAt(t, 1000, t.started + 5s) > 0);
  CHECK(StepAt(t, 1000, t.finished) == 1000);
}
