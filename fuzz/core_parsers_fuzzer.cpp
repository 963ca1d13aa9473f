// libFuzzer target for the data layer's parsers of untrusted text.
//
// The first byte picks a mode:
//   0 — TrainingOutput::Parse (trainer results and webhook payloads);
//   1 — GenerationResult::Parse;
//   2 — TrainerRegistry::RegisterJson on a registry with the built-ins;
//   3 — ParseStepCounter on each line, and a ProgressTracker fed those lines as logs.
// Checks: never crashes, and every success keeps its documented contract.

#include <faltrain/client/outputs.hpp>
#include <faltrain/client/progress.hpp>
#include <faltrain/client/trainers.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace faltrain;

void Require(bool condition) {
  if (!condition) std::abort();
}

void FuzzTrainingOutput(std::string_view input) {
  auto r = TrainingOutput::Parse(input);
  if (!r) {
    Require(r.error().code == errc::malformed_response);
    return;
  }
  const TrainingOutput& o = r.value();
  Require(o.raw_json == input);
  if (o.lora_file) {
    Require(o.kind == OutputKind::kLoraFile);
  } else {
    Require(o.kind == OutputKind::kFinetuneId && !o.finetune_id.empty());
  }
}

void FuzzGeneration(std::string_view input) {
  auto r = GenerationResult::Parse(input);
  if (!r) {
    Require(r.error().code == errc::malformed_response);
    return;
  }
  Require(r.value().raw_json == input);
  for (const auto& image : r.value().images) Require(!image.url.empty());
  Require(r.value().images.size() <= input.size());
}

void FuzzRegistry(std::string_view input) {
  auto registry = TrainerRegistry::WithBuiltins();
  const std::size_t before = registry.List().size();
  auto r = registry.RegisterJson(input);
  if (!r) {
    Require(r.error().code == errc::invalid_argument);
    Require(registry.List().size() == before);  // all or nothing
    return;
  }
  Require(registry.List().size() >= before);
  Require(registry.List().size() <= before + r.value());
  for (const auto& spec : registry.List()) {
    Require(!spec.endpoint_id.empty() && !spec.images_field.empty());
    Require(registry.Find(spec.endpoint_id).has_value());
  }
}

void FuzzProgress(std::string_view input) {
  RequestStatus status;
  status.phase = RequestPhase::kInProgress;
  ProgressTracker tracker(1000, std::chrono::minutes(10));
  double last = 0;
  std::int64_t tick = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    if (auto counter = ParseStepCounter(line)) {
      Require(counter->first >= 0);
      Require(counter->second == 0 || counter->first <= counter->second);
    }
    status.logs.push_back(LogEntry{std::string(line), "INFO", "USER", ""});
    Progress p = tracker.Update(status, std::chrono::seconds(++tick));
    Require(p.new_logs.size() == 1);
    Require(p.percent >= last && p.percent <= 100);
    Require(!p.eta || p.eta->count() >= 0);
    last = p.percent;
    start = end + 1;
  }
  status.phase = RequestPhase::kCompleted;
  Require(tracker.Update(status, std::chrono::seconds(++tick)).percent == 100);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: FuzzTrainingOutput(input); break;
    case 1: FuzzGeneration(input); break;
    case 2: FuzzRegistry(input); break;
    case 3: FuzzProgress(input); break;
  }
  return 0;
}
