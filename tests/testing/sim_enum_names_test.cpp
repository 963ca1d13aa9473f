// The simulator's and the webhooks' enums read and write one way: to_string(X) and ParseX(text).

#include <faltrain/testing.hpp>
#include <faltrain/webhooks.hpp>

#include <doctest/doctest.h>

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
  }
  auto bad = parse("no-such-name");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::invalid_argument);
  CHECK(bad.error().message.find(std::string(to_string(*values.begin()))) != std::string::npos);
}

}  // namespace

TEST_CASE("to_string and ParseX are inverses for the simulator's and the webhooks' enums") {
  CheckRoundTrip({SimFaultKind::kRateLimit, SimFaultKind::kBadGateway, SimFaultKind::kServiceUnavailable,
                  SimFaultKind::kDropConnection, SimFaultKind::kSlowResponse,
                  SimFaultKind::kTrainingFailure, SimFaultKind::kWebhookDrop,
                  SimFaultKind::kWebhookDuplicate, SimFaultKind::kWebhookDelay,
                  SimFaultKind::kWebhookOutOfOrder, SimFaultKind::kWebhookPayloadError},
                 ParseSimFaultKind);
  CheckRoundTrip({SimOperation::kAny, SimOperation::kSubmit, SimOperation::kStatus, SimOperation::kResult,
                  SimOperation::kCancel, SimOperation::kStorage, SimOperation::kJwks},
                 ParseSimOperation);
  CheckRoundTrip({SimDelivery::kAuto, SimDelivery::kBackground, SimDelivery::kManual}, ParseSimDelivery);
  CheckRoundTrip({WebhookStatus::kOk, WebhookStatus::kError, WebhookStatus::kUnknown}, ParseWebhookStatus);
  CHECK(ParseSimFaultKind("Rate_Limit").value() == SimFaultKind::kRateLimit);
  CHECK(ParseWebhookStatus("ok").value() == WebhookStatus::kOk);
}
