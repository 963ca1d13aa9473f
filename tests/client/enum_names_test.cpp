// Every public enum of the client reads and writes one way: to_string(X) and ParseX(text), inverses.

#include <faltrain/client.hpp>

#include <doctest/doctest.h>

#include <cctype>
#include <initializer_list>
#include <string>

using namespace faltrain;

namespace {

template <class E, class Parse>
void CheckRoundTrip(std::initializer_list<E> values, Parse parse) {
  for (E value : values) {
    std::string name(to_string(value));
    CAPTURE(name);
    CHECK(parse(name).value() == value);
    std::string shouted;
    for (char c : name) shouted.push_back(static_cast<char>(std::isupper(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c))));
    CHECK(parse(" " + shouted + "\n").value() == value);
  }
  auto bad = parse("no-such-name");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::invalid_argument);
  CHECK(bad.error().message.find("'no-such-name'") != std::string::npos);
  CHECK(bad.error().message.find(std::string(to_string(*values.begin()))) != std::string::npos);
  CHECK_FALSE(parse(""));
}

}  // namespace

TEST_CASE("to_string and ParseX are inverses for every client enum") {
  CheckRoundTrip({AvatarStyle::kPortrait, AvatarStyle::kArtistic}, ParseAvatarStyle);
  CheckRoundTrip({QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality},
                 ParseQualityPreset);
  CheckRoundTrip({RequestPhase::kInQueue, RequestPhase::kInProgress, RequestPhase::kCompleted,
                  RequestPhase::kUnknown},
                 ParseRequestPhase);
  CheckRoundTrip({CancelOutcome::kRequested, CancelOutcome::kAlreadyCompleted, CancelOutcome::kCancelled},
                 ParseCancelOutcome);
  CheckRoundTrip({QueuePriority::kNormal, QueuePriority::kLow}, ParseQueuePriority);
  CheckRoundTrip({HttpMethod::kGet, HttpMethod::kPost, HttpMethod::kPut, HttpMethod::kDelete},
                 ParseHttpMethod);
  CheckRoundTrip({LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError},
                 ParseLogLevel);
  CheckRoundTrip({OutputKind::kLoraFile, OutputKind::kFinetuneId}, ParseOutputKind);
}

TEST_CASE("the names are the wire and seed names") {
  CHECK(to_string(QueuePriority::kLow) == "low");
  CHECK(to_string(RequestPhase::kInProgress) == "IN_PROGRESS");
  CHECK(to_string(CancelOutcome::kRequested) == "CANCELLATION_REQUESTED");
  CHECK(ParseHttpMethod("post").value() == HttpMethod::kPost);
  CHECK(ParseLogLevel("WARNING").value() == LogLevel::kWarning);
}
