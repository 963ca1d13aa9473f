#include <faltrain/client/presets.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace faltrain;
using std::chrono::minutes;

TEST_CASE("Style and preset names") {
  CHECK(to_string(AvatarStyle::kPortrait) == "portrait");
  CHECK(to_string(AvatarStyle::kArtistic) == "artistic");
  CHECK(to_string(QualityPreset::kFast) == "fast");
  CHECK(to_string(QualityPreset::kBalanced) == "balanced");
  CHECK(to_string(QualityPreset::kQuality) == "quality");
}

TEST_CASE("ParseAvatarStyle is case-insensitive and round-trips") {
  for (AvatarStyle s : {AvatarStyle::kPortrait, AvatarStyle::kArtistic}) {
    auto r = ParseAvatarStyle(to_string(s));
    REQUIRE(r);
    CHECK(r.value() == s);
  }
  CHECK(ParseAvatarStyle("PORTRAIT").value() == AvatarStyle::kPortrait);
  CHECK(ParseAvatarStyle("Artistic").value() == AvatarStyle::kArtistic);
  CHECK(ParseAvatarStyle(" artistic\n").value() == AvatarStyle::kArtistic);
}

TEST_CASE("ParseAvatarStyle rejects unknown styles listing the valid ones") {
  for (const char* bad : {"", "portraits", "art", "Портретный", "portrait artistic"}) {
    CAPTURE(bad);
    auto r = ParseAvatarStyle(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().message.find("portrait, artistic") != std::string::npos);
    CHECK(r.error().message.find("'" + std::string(bad) + "'") != std::string::npos);
  }
}

TEST_CASE("ParseQualityPreset is case-insensitive and round-trips") {
  for (QualityPreset p : {QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality}) {
    auto r = ParseQualityPreset(to_string(p));
    REQUIRE(r);
    CHECK(r.value() == p);
  }
  CHECK(ParseQualityPreset("FAST").value() == QualityPreset::kFast);
  CHECK(ParseQualityPreset("Balanced").value() == QualityPreset::kBalanced);
  CHECK(ParseQualityPreset("\tquality ").value() == QualityPreset::kQuality);
  auto bad = ParseQualityPreset("best");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::invalid_argument);
  CHECK(bad.error().message.find("fast, balanced, quality") != std::string::npos);
  CHECK(bad.error().message.find("'best'") != std::string::npos);
  CHECK_FALSE(ParseQualityPreset(""));
}

TEST_CASE("GetPreset matches the seed table exactly") {
  struct Row {
    AvatarStyle style;
    QualityPreset preset;
    std::int64_t steps;
    double lr;
    const char* lr_text;
    int min, max;
  };
  const Row table[] = {
      {AvatarStyle::kPortrait, QualityPreset::kFast, 500, 0.0003, "0.0003", 3, 5},
      {AvatarStyle::kPortrait, QualityPreset::kBalanced, 1000, 0.0002, "0.0002", 5, 15},
      {AvatarStyle::kPortrait, QualityPreset::kQuality, 2500, 0.0001, "0.0001", 15, 30},
      {AvatarStyle::kArtistic, QualityPreset::kFast, 200, 2e-4, "2e-4", 5, 10},
      {AvatarStyle::kArtistic, QualityPreset::kBalanced, 500, 1e-4, "1e-4", 10, 20},
      {AvatarStyle::kArtistic, QualityPreset::kQuality, 1000, 5e-5, "5e-5", 20, 45},
  };
  for (const Row& row : table) {
    CAPTURE(to_string(row.style));
    CAPTURE(to_string(row.preset));
    PresetValues v = GetPreset(row.style, row.preset);
    CHECK(v.style == row.style);
    CHECK(v.preset == row.preset);
    CHECK(v.steps == row.steps);
    CHECK(v.learning_rate == row.lr);
    CHECK(v.learning_rate_text == row.lr_text);
    CHECK(std::stod(std::string(v.learning_rate_text)) == v.learning_rate);
    CHECK(v.estimate.min == minutes(row.min));
    CHECK(v.estimate.max == minutes(row.max));
  }
}

TEST_CASE("DurationEstimate midpoint") {
  CHECK(GetPreset(AvatarStyle::kPortrait, QualityPreset::kFast).estimate.midpoint() == minutes(4));
  CHECK(GetPreset(AvatarStyle::kPortrait, QualityPreset::kQuality).estimate.midpoint() ==
        minutes(22));  // whole minutes, rounded down from 22.5
  CHECK(GetPreset(AvatarStyle::kArtistic, QualityPreset::kBalanced).estimate.midpoint() ==
        minutes(15));
  DurationEstimate e{minutes(0), minutes(0)};
  CHECK(e.midpoint() == minutes(0));
}

TEST_CASE("AllPresets lists six rows, portrait first, fast to quality") {
  auto all = AllPresets();
  REQUIRE(all.size() == 6);
  const QualityPreset order[] = {QualityPreset::kFast, QualityPreset::kBalanced,
                                 QualityPreset::kQuality};
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].style == (i < 3 ? AvatarStyle::kPortrait : AvatarStyle::kArtistic));
    CHECK(all[i].preset == order[i % 3]);
    CHECK(all[i].steps == GetPreset(all[i].style, all[i].preset).steps);
  }
}

TEST_CASE("GetStyleInfo names, descriptions and default trainers") {
  StyleInfo p = GetStyleInfo(AvatarStyle::kPortrait);
  CHECK(p.style == AvatarStyle::kPortrait);
  CHECK(p.name_en == "Portrait");
  CHECK(p.name_ru == "Портретный");
  CHECK(p.description_en.find("Realistic photos of a person") != std::string_view::npos);
  CHECK(p.description_ru.find("Реалистичные фотографии") != std::string_view::npos);
  CHECK(p.default_trainer == "fal-ai/flux-lora-portrait-trainer");

  StyleInfo a = GetStyleInfo(AvatarStyle::kArtistic);
  CHECK(a.style == AvatarStyle::kArtistic);
  CHECK(a.name_en == "Artistic");
  CHECK(a.name_ru == "Художественный");
  CHECK(a.description_en.find("Stylised artistic images") != std::string_view::npos);
  CHECK(a.description_ru.find("художественные изображения") != std::string_view::npos);
  CHECK(a.default_trainer == "fal-ai/flux-pro-trainer");
}
