// Every public enum of the client reads and writes one way: to_string(X) and ParseX(text), inverses.

#include <faltrain/client.hpp>

#include "support/enum_round_trip.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faltrain;

using faltrain_testing::CheckEnumRoundTrip;

TEST_CASE("to_string and ParseX are inverses for every client enum") {
  CheckEnumRoundTrip({AvatarStyle::kPortrait, AvatarStyle::kArtistic}, ParseAvatarStyle);
  CheckEnumRoundTrip({QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality},
                     ParseQualityPreset);
  CheckEnumRoundTrip({RequestPhase::kInQueue, RequestPhase::kInProgress, RequestPhase::kCompleted,
                      RequestPhase::kUnknown},
                     ParseRequestPhase);
  CheckEnumRoundTrip({CancelOutcome::kRequested, CancelOutcome::kAlreadyCompleted, CancelOutcome::kCancelled},
                     ParseCancelOutcome);
  CheckEnumRoundTrip({QueuePriority::kNormal, QueuePriority::kLow}, ParseQueuePriority);
  CheckEnumRoundTrip({HttpMethod::kGet, HttpMethod::kPost, HttpMethod::kPut, HttpMethod::kDelete},
                     ParseHttpMethod);
  CheckEnumRoundTrip({LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError},
                     ParseLogLevel);
  CheckEnumRoundTrip({OutputKind::kLoraFile, OutputKind::kFinetuneId}, ParseOutputKind);
}

TEST_CASE("the names are the wire and seed names") {
  CHECK(to_string(QueuePriority::kLow) == "low");
  CHECK(to_string(RequestPhase::kInProgress) == "IN_PROGRESS");
  CHECK(to_string(CancelOutcome::kRequested) == "CANCELLATION_REQUESTED");
  CHECK(ParseHttpMethod("post").value() == HttpMethod::kPost);
  CHECK(ParseLogLevel("WARNING").value() == LogLevel::kWarning);
}
