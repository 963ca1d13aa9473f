// The simulator's and the webhooks' enums read and write one way: to_string(X) and ParseX(text).

#include <faltrain/testing.hpp>
#include <faltrain/webhooks.hpp>

#include "support/enum_round_trip.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faltrain;

using faltrain_testing::CheckEnumRoundTrip;

TEST_CASE("to_string and ParseX are inverses for the simulator's and the webhooks' enums") {
  CheckEnumRoundTrip({SimFaultKind::kRateLimit, SimFaultKind::kBadGateway, SimFaultKind::kServiceUnavailable,
                      SimFaultKind::kDropConnection, SimFaultKind::kSlowResponse,
                      SimFaultKind::kTrainingFailure, SimFaultKind::kWebhookDrop,
                      SimFaultKind::kWebhookDuplicate, SimFaultKind::kWebhookDelay,
                      SimFaultKind::kWebhookOutOfOrder, SimFaultKind::kWebhookPayloadError},
                     ParseSimFaultKind);
  CheckEnumRoundTrip({SimOperation::kAny, SimOperation::kSubmit, SimOperation::kStatus, SimOperation::kResult,
                      SimOperation::kCancel, SimOperation::kStorage, SimOperation::kJwks,
                      SimOperation::kStatusStream},
                     ParseSimOperation);
  CheckEnumRoundTrip({SimDelivery::kAuto, SimDelivery::kBackground, SimDelivery::kManual}, ParseSimDelivery);
  CheckEnumRoundTrip({WebhookStatus::kOk, WebhookStatus::kError, WebhookStatus::kUnknown}, ParseWebhookStatus);
  CheckEnumRoundTrip({JobTokenCheck::kAbsent, JobTokenCheck::kVerified, JobTokenCheck::kRejected},
                     ParseJobTokenCheck);
  CHECK(ParseSimFaultKind("Rate_Limit").value() == SimFaultKind::kRateLimit);
  CHECK(ParseWebhookStatus("ok").value() == WebhookStatus::kOk);
}
