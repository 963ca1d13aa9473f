#include <faltrain/client/outputs.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace faltrain;

namespace {

constexpr const char* kPortraitOutput =
    R"({"diffusers_lora_file":{"url":"https://v3.fal.media/files/koala/w.safetensors",)"
    R"("file_name":"pytorch_lora_weights.safetensors","file_size":89745224,)"
    R"("content_type":"application/octet-stream"},)"
    R"("config_file":{"url":"https://v3.fal.media/files/koala/c.json"}})";

constexpr const char* kGeneration =
    R"({"images":[{"url":"https://v3.fal.media/files/lion/O853q.jpeg","width":1024,"height":768,)"
    R"("content_type":"image/jpeg"}],"timings":{"inference":2.1},"seed":196619188014358660,)"
    R"("has_nsfw_concepts":[false],"prompt":"photo of ohwx person"})";

}  // namespace

TEST_CASE("TrainingOutput parses a LoRA trainer's output") {
  auto r = TrainingOutput::Parse(kPortraitOutput);
  REQUIRE(r);
  const TrainingOutput& o = r.value();
  CHECK(o.kind == OutputKind::kLoraFile);
  REQUIRE(o.lora_file);
  CHECK(o.lora_file->url == "https://v3.fal.media/files/koala/w.safetensors");
  CHECK(o.lora_file->file_name == "pytorch_lora_weights.safetensors");
  CHECK(o.lora_file->content_type == "application/octet-stream");
  REQUIRE(o.lora_file->file_size);
  CHECK(*o.lora_file->file_size == 89745224u);
  REQUIRE(o.config_file);
  CHECK(o.config_file->url == "https://v3.fal.media/files/koala/c.json");
  CHECK(o.config_file->file_name.empty());
  CHECK_FALSE(o.config_file->file_size);
  CHECK(o.finetune_id.empty());
  CHECK(o.other_files.empty());
  CHECK(o.raw_json == kPortraitOutput);
}

TEST_CASE("TrainingOutput accepts lora_file as the LoRA") {
  auto r = TrainingOutput::Parse(
      R"({"lora_file":{"url":"https://x/l.safetensors"},"config_file":{"url":"https://x/c.json"}})");
  REQUIRE(r);
  CHECK(r.value().kind == OutputKind::kLoraFile);
  REQUIRE(r.value().lora_file);
  CHECK(r.value().lora_file->url == "https://x/l.safetensors");
}

TEST_CASE("TrainingOutput prefers diffusers_lora_file and keeps lora_file as another file") {
  auto r = TrainingOutput::Parse(
      R"({"lora_file":{"url":"https://x/plain"},"diffusers_lora_file":{"url":"https://x/diffusers"}})");
  REQUIRE(r);
  REQUIRE(r.value().lora_file);
  CHECK(r.value().lora_file->url == "https://x/diffusers");
  REQUIRE(r.value().other_files.size() == 1);
  CHECK(r.value().other_files[0].first == "lora_file");
  CHECK(r.value().other_files[0].second.url == "https://x/plain");
}

TEST_CASE("TrainingOutput parses a finetune id") {
  auto r = TrainingOutput::Parse(R"({"finetune_id":"ft-0f1e2d3c"})");
  REQUIRE(r);
  CHECK(r.value().kind == OutputKind::kFinetuneId);
  CHECK(r.value().finetune_id == "ft-0f1e2d3c");
  CHECK_FALSE(r.value().lora_file);
  CHECK_FALSE(r.value().config_file);
}

TEST_CASE("TrainingOutput collects other File-valued fields and ignores the rest") {
  auto r = TrainingOutput::Parse(R"({
    "diffusers_lora_file":{"url":"https://x/low.safetensors","file_size":null,"content_type":null},
    "high_noise_lora":{"url":"https://x/high.safetensors","file_size":12.0},
    "debug_preprocessed_output":{"url":"https://x/debug.zip","file_data":"ignored"},
    "config_file":null,
    "not_a_file":{"path":"nope"},
    "nested":{"deep":{"url":"https://x/deep"}},
    "weird_url":{"url":42},
    "count":3, "names":["a","b"], "flag":true, "note":"text", "big":17454220438242315174
  })");
  REQUIRE(r);
  const TrainingOutput& o = r.value();
  REQUIRE(o.lora_file);
  CHECK(o.lora_file->url == "https://x/low.safetensors");
  CHECK_FALSE(o.lora_file->file_size);
  CHECK(o.lora_file->content_type.empty());
  CHECK_FALSE(o.config_file);
  REQUIRE(o.other_files.size() == 2);
  CHECK(o.other_files[0].first == "high_noise_lora");
  CHECK(o.other_files[0].second.url == "https://x/high.safetensors");
  REQUIRE(o.other_files[0].second.file_size);
  CHECK(*o.other_files[0].second.file_size == 12u);  // a number written as a double
  CHECK(o.other_files[1].first == "debug_preprocessed_output");
}

TEST_CASE("TrainingOutput file sizes: huge, negative, fractional and string sizes") {
  auto r = TrainingOutput::Parse(R"({"diffusers_lora_file":{"url":"u","file_size":18446744073709551615},
    "a":{"url":"a","file_size":-1},"b":{"url":"b","file_size":1.5},"c":{"url":"c","file_size":"10"},
    "d":{"url":"d","file_size":1e300}})");
  REQUIRE(r);
  REQUIRE(r.value().lora_file->file_size);
  CHECK(*r.value().lora_file->file_size == 18446744073709551615ull);
  REQUIRE(r.value().other_files.size() == 4);
  for (const auto& [name, file] : r.value().other_files) {
    CAPTURE(name);
    CHECK_FALSE(file.file_size);
  }
}

TEST_CASE("TrainingOutput rejects what is not a trainer output") {
  const char* bad[] = {
      "",
      "null",
      "[]",
      R"("text")",
      "{",
      R"({"config_file":{"url":"https://x/c.json"}})",
      R"({"diffusers_lora_file":{"file_name":"no url"}})",
      R"({"diffusers_lora_file":"https://x/l.safetensors"})",
      R"({"finetune_id":""})",
      R"({"finetune_id":123})",
      R"({"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]})",
      R"({"diffusers_lora_file":{"url":"u"}} trailing)",
  };
  for (const char* json : bad) {
    CAPTURE(json);
    auto r = TrainingOutput::Parse(json);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
  }
}

TEST_CASE("GenerationResult parses flux-lora output") {
  auto r = GenerationResult::Parse(kGeneration);
  REQUIRE(r);
  const GenerationResult& g = r.value();
  REQUIRE(g.images.size() == 1);
  CHECK(g.images[0].url == "https://v3.fal.media/files/lion/O853q.jpeg");
  CHECK(g.images[0].width == 1024);
  CHECK(g.images[0].height == 768);
  CHECK(g.images[0].content_type == "image/jpeg");
  CHECK(g.seed == "196619188014358660");
  CHECK(g.has_nsfw_concepts == std::vector<bool>{false});
  CHECK(g.prompt == "photo of ohwx person");
  REQUIRE(g.inference_seconds);
  CHECK(*g.inference_seconds == doctest::Approx(2.1));
  CHECK(g.raw_json == kGeneration);
}

TEST_CASE("GenerationResult keeps seeds beyond int64 and uint64 as exact text") {
  for (const char* seed : {"17454220438242315174", "18446744073709551616",
                           "123456789012345678901234567890", "0", "-5"}) {
    CAPTURE(seed);
    std::string json = std::string(R"({"images":[],"seed":)") + seed + "}";
    auto r = GenerationResult::Parse(json);
    REQUIRE(r);
    CHECK(r.value().seed == seed);
  }
  auto spaced = GenerationResult::Parse("{\"seed\" : 17454220438242315174 , \"images\": []}");
  REQUIRE(spaced);
  CHECK(spaced.value().seed == "17454220438242315174");
  auto as_string = GenerationResult::Parse(R"({"images":[],"seed":"42"})");
  REQUIRE(as_string);
  CHECK(as_string.value().seed == "42");
  auto null_seed = GenerationResult::Parse(R"({"images":[],"seed":null})");
  REQUIRE(null_seed);
  CHECK(null_seed.value().seed.empty());
}

TEST_CASE("GenerationResult tolerates missing, null and odd optional fields") {
  auto r = GenerationResult::Parse(R"({
    "images":[{"url":"data:image/jpeg;base64,AAAA","width":null,"height":512.0,"content_type":null,"extra":1},
              {"url":"https://x/2.png","width":"wide"},
              {"width":10},
              null, 7],
    "timings":null, "has_nsfw_concepts":[true,null,false], "prompt":null, "unknown":{"a":[1,2]}})");
  REQUIRE(r);
  const GenerationResult& g = r.value();
  REQUIRE(g.images.size() == 2);  // entries without a url are dropped
  CHECK(g.images[0].url == "data:image/jpeg;base64,AAAA");
  CHECK(g.images[0].width == 0);
  CHECK(g.images[0].height == 512);
  CHECK(g.images[0].content_type.empty());
  CHECK(g.images[1].width == 0);
  CHECK(g.has_nsfw_concepts == std::vector<bool>{true, false, false});
  CHECK(g.prompt.empty());
  CHECK_FALSE(g.inference_seconds);
  CHECK(g.seed.empty());

  auto no_inference = GenerationResult::Parse(R"({"images":[],"timings":{"queue":1}})");
  REQUIRE(no_inference);
  CHECK_FALSE(no_inference.value().inference_seconds);
}

TEST_CASE("GenerationResult rejects non-results") {
  for (const char* json : {"", "[]", "{}", R"({"images":"x"})", R"({"images":{}})", "{\"images\":[",
                           R"({"detail":"Request timed out","error_type":"request_timeout"})"}) {
    CAPTURE(json);
    auto r = GenerationResult::Parse(json);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
  }
}

TEST_CASE("Parsers reject absurdly deep input without crashing") {
  std::string deep = R"({"diffusers_lora_file":{"url":"u"},"x":)" + std::string(5000, '[') +
                     std::string(5000, ']') + "}";
  auto t = TrainingOutput::Parse(deep);
  REQUIRE_FALSE(t);
  CHECK(t.error().code == errc::malformed_response);
  auto g = GenerationResult::Parse(R"({"images":[],"x":)" + std::string(5000, '[') +
                                   std::string(5000, ']') + "}");
  REQUIRE_FALSE(g);
  CHECK(g.error().code == errc::malformed_response);
}

TEST_CASE("Parsers never crash on truncated or corrupted input") {
  const std::string samples[] = {kPortraitOutput, kGeneration, R"({"finetune_id":"ft-1"})"};
  std::size_t parsed = 0;
  for (const std::string& sample : samples) {
    for (std::size_t cut = 0; cut <= sample.size(); ++cut) {
      std::string truncated = sample.substr(0, cut);
      parsed += TrainingOutput::Parse(truncated) ? 1 : 0;
      parsed += GenerationResult::Parse(truncated) ? 1 : 0;
    }
    for (std::size_t i = 0; i < sample.size(); ++i) {
      for (char replacement : {'"', '{', '}', '[', ']', ',', ':', '\0', '\xff', '9'}) {
        std::string corrupted = sample;
        corrupted[i] = replacement;
        auto t = TrainingOutput::Parse(corrupted);
        auto g = GenerationResult::Parse(corrupted);
        if (!t) CHECK(t.error().code == errc::malformed_response);
        if (!g) CHECK(g.error().code == errc::malformed_response);
      }
    }
  }
  CHECK(parsed == 3);  // only each complete sample parses, by the parser it belongs to
}
