#include <faltrain/client/trainers.hpp>

#include "client/detail/json_reader.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace faltrain;

namespace {

TrainerSpec Minimal(std::string id) {
  TrainerSpec s;
  s.endpoint_id = std::move(id);
  s.images_field = "image_data_url";
  s.generation_endpoint = "fal-ai/flux-lora";
  return s;
}

}  // namespace

TEST_CASE("to_string(OutputKind)") {
  CHECK(to_string(OutputKind::kLoraFile) == "lora_file");
  CHECK(to_string(OutputKind::kFinetuneId) == "finetune_id");
}

TEST_CASE("An empty registry knows nothing") {
  TrainerRegistry r;
  CHECK(r.List().empty());
  auto f = r.Find("fal-ai/flux-lora-portrait-trainer");
  REQUIRE_FALSE(f);
  CHECK(f.error().code == errc::not_found);
  CHECK(f.error().message.find("fal-ai/flux-lora-portrait-trainer") != std::string::npos);
  auto s = r.ForStyle(AvatarStyle::kPortrait);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == errc::not_found);
  CHECK(s.error().message.find("portrait") != std::string::npos);
}

TEST_CASE("Builtins: the portrait trainer") {
  auto r = TrainerRegistry::WithBuiltins();
  auto spec = r.Find("fal-ai/flux-lora-portrait-trainer");
  REQUIRE(spec);
  const TrainerSpec& s = spec.value();
  CHECK(s.images_field == "images_data_url");
  CHECK(s.trigger_field == "trigger_phrase");
  CHECK(s.steps_field == "steps");
  CHECK(s.learning_rate_field == "learning_rate");
  CHECK(s.default_trigger == "ohwx person");
  CHECK(s.default_steps == 2500);
  CHECK(s.default_learning_rate == 0.00009);
  CHECK(s.min_images == 10);
  CHECK(s.output == OutputKind::kLoraFile);
  CHECK(s.generation_endpoint == "fal-ai/flux-lora");
  CHECK(s.fixed_inputs_json.empty());
  CHECK(s.required_fields.empty());
  CHECK_FALSE(s.deprecated);
  CHECK_FALSE(s.display_name.empty());
}

TEST_CASE("Builtins: the flux-pro finetune trainer") {
  auto r = TrainerRegistry::WithBuiltins();
  auto spec = r.Find("fal-ai/flux-pro-trainer");
  REQUIRE(spec);
  const TrainerSpec& s = spec.value();
  CHECK(s.images_field == "data_url");
  CHECK(s.trigger_field == "trigger_word");
  CHECK(s.default_trigger == "TOK");
  CHECK(s.steps_field == "iterations");
  CHECK(s.default_steps == 300);
  CHECK(s.learning_rate_field == "learning_rate");
  CHECK(s.default_learning_rate == 1e-4);
  CHECK(s.min_images == 1);
  CHECK(s.output == OutputKind::kFinetuneId);
  CHECK(s.fixed_inputs_json == R"({"mode":"character","finetune_comment":"faltrain avatar","finetune_type":"lora"})");
  CHECK(detail::IsValidJson(s.fixed_inputs_json));
  CHECK(s.required_fields == std::vector<std::string>{"finetune_comment"});
  CHECK(s.deprecated);
  CHECK_FALSE(s.deprecation_note.empty());
  CHECK(s.generation_endpoint == "fal-ai/flux-pro/v1.1-ultra-finetuned");
}

TEST_CASE("Builtins: fast training and turbo trainers") {
  auto r = TrainerRegistry::WithBuiltins();
  auto fast = r.Find("fal-ai/flux-lora-fast-training");
  REQUIRE(fast);
  CHECK(fast.value().images_field == "images_data_url");
  CHECK(fast.value().trigger_field == "trigger_word");
  CHECK(fast.value().steps_field == "steps");
  CHECK(fast.value().default_steps == 1000);
  CHECK(fast.value().learning_rate_field.empty());
  CHECK(fast.value().min_images == 4);
  CHECK(fast.value().output == OutputKind::kLoraFile);
  CHECK(fast.value().generation_endpoint == "fal-ai/flux-lora");

  auto turbo = r.Find("fal-ai/turbo-flux-trainer");
  REQUIRE(turbo);
  CHECK(turbo.value().images_field == "images_data_url");
  CHECK(turbo.value().trigger_field == "trigger_phrase");
  CHECK(turbo.value().default_trigger == "ohwx");
  CHECK(turbo.value().default_steps == 1000);
  CHECK(turbo.value().default_learning_rate == 0.00115);
  CHECK(turbo.value().min_images == 10);  // fal: "try to use at least 10 images"
  CHECK(turbo.value().output == OutputKind::kLoraFile);
  CHECK(turbo.value().generation_endpoint == "fal-ai/flux-lora");
}

TEST_CASE("Builtins: List order and style mapping agree with the presets' style info") {
  auto r = TrainerRegistry::WithBuiltins();
  auto list = r.List();
  REQUIRE(list.size() == 4);
  CHECK(list[0].endpoint_id == "fal-ai/flux-lora-portrait-trainer");
  CHECK(list[1].endpoint_id == "fal-ai/flux-pro-trainer");
  CHECK(list[2].endpoint_id == "fal-ai/flux-lora-fast-training");
  CHECK(list[3].endpoint_id == "fal-ai/turbo-flux-trainer");
  for (AvatarStyle style : {AvatarStyle::kPortrait, AvatarStyle::kArtistic}) {
    auto spec = r.ForStyle(style);
    REQUIRE(spec);
    CHECK(spec.value().endpoint_id == GetStyleInfo(style).default_trainer);
  }
}

TEST_CASE("Register adds, replaces in place, and fills the display name") {
  TrainerRegistry r;
  REQUIRE(r.Register(Minimal("fal-ai/qwen-image-trainer")));
  REQUIRE(r.Register(Minimal("fal-ai/z-image-trainer")));
  auto found = r.Find("fal-ai/qwen-image-trainer");
  REQUIRE(found);
  CHECK(found.value().display_name == "fal-ai/qwen-image-trainer");

  TrainerSpec updated = Minimal("fal-ai/qwen-image-trainer");
  updated.display_name = "Qwen";
  updated.default_steps = 1000;
  REQUIRE(r.Register(updated));
  auto list = r.List();
  REQUIRE(list.size() == 2);
  CHECK(list[0].display_name == "Qwen");
  CHECK(list[0].default_steps == 1000);
  CHECK(list[1].endpoint_id == "fal-ai/z-image-trainer");
}

TEST_CASE("Register accepts sub-paths and workflow ids") {
  TrainerRegistry r;
  CHECK(r.Register(Minimal("fal-ai/wan-trainer/t2v")));
  CHECK(r.Register(Minimal("workflows/someone/trainer")));
  CHECK(r.Find("fal-ai/wan-trainer/t2v"));
}

TEST_CASE("Register rejects invalid specs with a reason") {
  TrainerRegistry r;
  auto check_bad = [&](TrainerSpec s, std::string_view why) {
    auto res = r.Register(std::move(s));
    REQUIRE_FALSE(res);
    CHECK(res.error().code == errc::invalid_argument);
    CHECK(res.error().message.find(std::string(why)) != std::string::npos);
  };
  check_bad(Minimal(""), "endpoint_id");
  check_bad(Minimal("no-slash"), "endpoint_id");
  check_bad(Minimal("fal-ai/"), "endpoint_id");
  check_bad(Minimal("fal-ai/bad alias"), "endpoint_id");
  TrainerSpec s = Minimal("fal-ai/x");
  s.images_field.clear();
  check_bad(s, "images_field");
  s = Minimal("fal-ai/x");
  s.generation_endpoint.clear();
  check_bad(s, "generation_endpoint");
  s = Minimal("fal-ai/x");
  s.generation_endpoint = "nope";
  check_bad(s, "generation_endpoint");
  s = Minimal("fal-ai/x");
  s.default_steps = -1;
  check_bad(s, "default_steps");
  s = Minimal("fal-ai/x");
  s.default_learning_rate = -0.1;
  check_bad(s, "default_learning_rate");
  s = Minimal("fal-ai/x");
  s.default_learning_rate = std::numeric_limits<double>::quiet_NaN();
  check_bad(s, "default_learning_rate");
  s = Minimal("fal-ai/x");
  s.min_images = 0;
  check_bad(s, "min_images");
  s = Minimal("fal-ai/x");
  s.min_images = 4;
  s.max_images = 3;
  check_bad(s, "max_images");
  s = Minimal("fal-ai/x");
  s.fixed_inputs_json = "[1,2]";
  check_bad(s, "fixed_inputs_json");
  s.fixed_inputs_json = "{\"a\":";
  check_bad(s, "fixed_inputs_json");
  s = Minimal("fal-ai/x");
  s.required_fields = {"ok", ""};
  check_bad(s, "required_fields");
  CHECK(r.List().empty());
}

TEST_CASE("SetStyleTrainer needs a registered trainer") {
  auto r = TrainerRegistry::WithBuiltins();
  auto bad = r.SetStyleTrainer(AvatarStyle::kArtistic, "fal-ai/unknown-trainer");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::not_found);
  CHECK(bad.error().message.find("fal-ai/unknown-trainer") != std::string::npos);
  CHECK(r.ForStyle(AvatarStyle::kArtistic).value().endpoint_id == "fal-ai/flux-pro-trainer");

  REQUIRE(r.SetStyleTrainer(AvatarStyle::kArtistic, "fal-ai/flux-lora-fast-training"));
  CHECK(r.ForStyle(AvatarStyle::kArtistic).value().endpoint_id == "fal-ai/flux-lora-fast-training");
  CHECK(r.ForStyle(AvatarStyle::kPortrait).value().endpoint_id ==
        "fal-ai/flux-lora-portrait-trainer");
}

TEST_CASE("ForStyle returns the current spec after re-registration") {
  auto r = TrainerRegistry::WithBuiltins();
  auto spec = r.Find("fal-ai/flux-lora-portrait-trainer").value();
  spec.default_steps = 1234;
  REQUIRE(r.Register(spec));
  CHECK(r.ForStyle(AvatarStyle::kPortrait).value().default_steps == 1234);
}

TEST_CASE("RegisterJson reads every TrainerSpec member") {
  TrainerRegistry r;
  auto n = r.RegisterJson(R"([
    {"endpoint_id":"fal-ai/qwen-image-trainer","display_name":"Qwen image",
     "images_field":"image_data_url","trigger_field":"trigger_phrase","steps_field":"steps",
     "learning_rate_field":"learning_rate","default_trigger":"","default_steps":1000,
     "default_learning_rate":0.0005,"min_images":2,"max_images":30,"output":"lora_file",
     "fixed_inputs_json":{"training_type":"balanced"},"required_fields":["a","b"],
     "generation_endpoint":"fal-ai/qwen-image","deprecated":false,"deprecation_note":null},
    {"endpoint_id":"fal-ai/my-finetuner","images_field":"data_url","output":"finetune_id",
     "fixed_inputs_json":"{\"mode\":\"style\"}","generation_endpoint":"fal-ai/flux-pro/v1.1-ultra-finetuned",
     "deprecated":true,"deprecation_note":"old"}
  ])");
  REQUIRE(n);
  CHECK(n.value() == 2);
  auto q = r.Find("fal-ai/qwen-image-trainer");
  REQUIRE(q);
  CHECK(q.value().display_name == "Qwen image");
  CHECK(q.value().images_field == "image_data_url");
  CHECK(q.value().trigger_field == "trigger_phrase");
  CHECK(q.value().steps_field == "steps");
  CHECK(q.value().learning_rate_field == "learning_rate");
  CHECK(q.value().default_trigger.empty());
  CHECK(q.value().default_steps == 1000);
  CHECK(q.value().default_learning_rate == 0.0005);
  CHECK(q.value().min_images == 2);
  CHECK(q.value().max_images == std::optional<std::size_t>(30));
  CHECK(q.value().output == OutputKind::kLoraFile);
  CHECK(q.value().fixed_inputs_json == R"({"training_type":"balanced"})");
  CHECK(q.value().required_fields == std::vector<std::string>{"a", "b"});
  CHECK(q.value().generation_endpoint == "fal-ai/qwen-image");
  CHECK_FALSE(q.value().deprecated);
  CHECK(q.value().deprecation_note.empty());

  auto f = r.Find("fal-ai/my-finetuner");
  REQUIRE(f);
  CHECK(f.value().output == OutputKind::kFinetuneId);
  CHECK(f.value().fixed_inputs_json == R"({"mode":"style"})");
  CHECK(f.value().display_name == "fal-ai/my-finetuner");
  CHECK(f.value().min_images == 1);
  CHECK_FALSE(f.value().max_images.has_value());  // fal documents none: unset
  CHECK(f.value().deprecated);
  CHECK(f.value().deprecation_note == "old");
}

TEST_CASE("RegisterJson replaces existing entries and accepts an empty array") {
  auto r = TrainerRegistry::WithBuiltins();
  auto n = r.RegisterJson(R"([{"endpoint_id":"fal-ai/turbo-flux-trainer","images_field":"images_data_url",
                              "generation_endpoint":"fal-ai/flux-lora","default_steps":2000}])");
  REQUIRE(n);
  CHECK(n.value() == 1);
  CHECK(r.List().size() == 4);
  CHECK(r.Find("fal-ai/turbo-flux-trainer").value().default_steps == 2000);
  auto empty = r.RegisterJson("[]");
  REQUIRE(empty);
  CHECK(empty.value() == 0);
}

TEST_CASE("RegisterJson is all-or-nothing and names the bad entry") {
  TrainerRegistry r;
  struct Case {
    const char* json;
    const char* expect;
  };
  const Case cases[] = {
      {"not json", "not valid JSON"},
      {R"({"endpoint_id":"fal-ai/a"})", "array"},
      {"[1]", "entry #0"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora"},
           {"endpoint_id":"fal-ai/b","images_field":"x","generation_endpoint":"fal-ai/flux-lora","colour":1}])",
       "entry #1: unknown key 'colour'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","output":"weights"}])",
       "'output' must be"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","default_steps":"1000"}])",
       "'default_steps' must be an integer"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","default_steps":1.5}])",
       "'default_steps'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","default_learning_rate":"fast"}])",
       "'default_learning_rate'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","min_images":-1}])",
       "'min_images'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","max_images":"many"}])",
       "'max_images'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","required_fields":"a"}])",
       "'required_fields'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","required_fields":[1]}])",
       "'required_fields'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","deprecated":"yes"}])",
       "'deprecated'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","fixed_inputs_json":[1]}])",
       "'fixed_inputs_json'"},
      {R"([{"endpoint_id":"fal-ai/a","images_field":"x","generation_endpoint":"fal-ai/flux-lora","fixed_inputs_json":"nope"}])",
       "fixed_inputs_json is not a JSON object"},
      {R"([{"endpoint_id":7,"images_field":"x","generation_endpoint":"fal-ai/flux-lora"}])",
       "'endpoint_id' must be a string"},
      {R"([{"endpoint_id":"fal-ai/a","generation_endpoint":"fal-ai/flux-lora"}])",
       "entry #0: trainer spec 'fal-ai/a': images_field is empty"},
      {R"([{"images_field":"x","generation_endpoint":"fal-ai/flux-lora"}])", "empty endpoint_id"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto res = r.RegisterJson(c.json);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == errc::invalid_argument);
    CHECK(res.error().message.find(c.expect) != std::string::npos);
    CHECK(r.List().empty());  // nothing from a failed batch was registered
  }
}

TEST_CASE("Copies are deep and moves leave a usable empty registry") {
  auto original = TrainerRegistry::WithBuiltins();
  TrainerRegistry copy(original);
  REQUIRE(copy.Register(Minimal("fal-ai/only-in-copy")));
  REQUIRE(copy.SetStyleTrainer(AvatarStyle::kPortrait, "fal-ai/only-in-copy"));
  CHECK_FALSE(original.Find("fal-ai/only-in-copy"));
  CHECK(original.ForStyle(AvatarStyle::kPortrait).value().endpoint_id ==
        "fal-ai/flux-lora-portrait-trainer");
  CHECK(copy.ForStyle(AvatarStyle::kPortrait).value().endpoint_id == "fal-ai/only-in-copy");

  TrainerRegistry assigned;
  assigned = copy;
  CHECK(assigned.List().size() == 5);
  assigned = assigned;  // self-assignment is harmless
  CHECK(assigned.List().size() == 5);

  TrainerRegistry moved(std::move(copy));
  CHECK(moved.List().size() == 5);
  CHECK(copy.List().empty());  // NOLINT(bugprone-use-after-move): documented state
  CHECK_FALSE(copy.Find("fal-ai/only-in-copy"));
  CHECK_FALSE(copy.ForStyle(AvatarStyle::kPortrait));
  REQUIRE(copy.Register(Minimal("fal-ai/again")));
  CHECK(copy.List().size() == 1);

  TrainerRegistry move_assigned;
  move_assigned = std::move(moved);
  CHECK(move_assigned.List().size() == 5);
  TrainerRegistry copy_of_moved_from(moved);
  CHECK(copy_of_moved_from.List().empty());
}

TEST_CASE("The registry is safe to share between threads") {
  auto r = TrainerRegistry::WithBuiltins();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (t % 2 == 0) {
          if (!r.Register(Minimal("fal-ai/t" + std::to_string(t) + "-" + std::to_string(i % 10)))) {
            ++failures;
          }
        } else {
          if (!r.ForStyle(AvatarStyle::kPortrait)) ++failures;
          (void)r.List();
          TrainerRegistry snapshot(r);
          if (snapshot.List().size() < 4) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(r.List().size() == 4 + 2 * 10);
}
