// Conan test_package: links faltrain::client (always built) and checks a few offline results.
#include <faltrain/client.hpp>

#include <cstdio>
#include <string>

int main() {
  auto preset = faltrain::GetPreset(faltrain::AvatarStyle::kPortrait, faltrain::QualityPreset::kFast);
  auto trainer = faltrain::TrainerRegistry::WithBuiltins().ForStyle(faltrain::AvatarStyle::kPortrait);
  if (preset.steps != 500 || !trainer) return 1;
  std::printf("faltrain %s: portrait trainer %s\n", std::string(faltrain::version()).c_str(),
              trainer.value().endpoint_id.c_str());
  return 0;
}
