// Names and the text form of simulator faults ("rate_limit:op=status,count=2,delay_ms=3000"), so
// faults can come from flags and environment variables as well as code.

#include <faltrain/testing/sim_transport.hpp>

#include "client/detail/enum_text.hpp"

#include <cstdlib>
#include <string>

namespace faltrain {
inline namespace v1 {
namespace {

constexpr std::pair<SimFaultKind, std::string_view> kKinds[] = {
    {SimFaultKind::kRateLimit, "rate_limit"},
    {SimFaultKind::kBadGateway, "bad_gateway"},
    {SimFaultKind::kServiceUnavailable, "service_unavailable"},
    {SimFaultKind::kDropConnection, "drop_connection"},
    {SimFaultKind::kSlowResponse, "slow_response"},
    {SimFaultKind::kTrainingFailure, "training_failure"},
    {SimFaultKind::kWebhookDrop, "webhook_drop"},
    {SimFaultKind::kWebhookDuplicate, "webhook_duplicate"},
    {SimFaultKind::kWebhookDelay, "webhook_delay"},
    {SimFaultKind::kWebhookOutOfOrder, "webhook_out_of_order"},
    {SimFaultKind::kWebhookPayloadError, "webhook_payload_error"},
};

constexpr std::pair<SimOperation, std::string_view> kOperations[] = {
    {SimOperation::kAny, "any"},       {SimOperation::kSubmit, "submit"},
    {SimOperation::kStatus, "status"}, {SimOperation::kResult, "result"},
    {SimOperation::kCancel, "cancel"}, {SimOperation::kStorage, "storage"},
    {SimOperation::kJwks, "jwks"},     {SimOperation::kStatusStream, "status_stream"},
};

bool ParseNumber(std::string_view text, double& out) {
  std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

}  // namespace

std::string_view to_string(SimFaultKind k) noexcept {
  for (const auto& [kind, name] : kKinds) {
    if (kind == k) return name;
  }
  return "unknown";
}

result<SimFaultKind> ParseSimFaultKind(std::string_view text) {
  return detail::ParseEnum(text, "fault kind",
                           {SimFaultKind::kRateLimit, SimFaultKind::kBadGateway,
                            SimFaultKind::kServiceUnavailable, SimFaultKind::kDropConnection,
                            SimFaultKind::kSlowResponse, SimFaultKind::kTrainingFailure,
                            SimFaultKind::kWebhookDrop, SimFaultKind::kWebhookDuplicate,
                            SimFaultKind::kWebhookDelay, SimFaultKind::kWebhookOutOfOrder,
                            SimFaultKind::kWebhookPayloadError});
}

std::string_view to_string(SimOperation op) noexcept {
  for (const auto& [operation, name] : kOperations) {
    if (operation == op) return name;
  }
  return "any";
}

result<SimOperation> ParseSimOperation(std::string_view text) {
  return detail::ParseEnum(text, "operation",
                           {SimOperation::kAny, SimOperation::kSubmit, SimOperation::kStatus,
                            SimOperation::kResult, SimOperation::kCancel, SimOperation::kStorage,
                            SimOperation::kJwks, SimOperation::kStatusStream});
}

std::string_view to_string(SimDelivery d) noexcept {
  switch (d) {
    case SimDelivery::kAuto: return "auto";
    case SimDelivery::kBackground: return "background";
    case SimDelivery::kManual: return "manual";
  }
  return "auto";
}

result<SimDelivery> ParseSimDelivery(std::string_view text) {
  return detail::ParseEnum(text, "webhook delivery",
                           {SimDelivery::kAuto, SimDelivery::kBackground, SimDelivery::kManual});
}

result<SimFault> SimFault::Parse(std::string_view spec) {
  SimFault fault;
  auto colon = spec.find(':');
  FALTRAIN_TRY(fault.kind, ParseSimFaultKind(spec.substr(0, colon)));
  if (colon == std::string_view::npos) return fault;
  std::string_view rest = spec.substr(colon + 1);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      return fail(errc::invalid_argument, "fault option '" + std::string(item) + "' needs key=value");
    }
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    double number = 0;
    if (key == "op") {
      FALTRAIN_TRY(fault.operation, ParseSimOperation(value));
    } else if (key == "endpoint") {
      fault.endpoint_id = std::string(value);
    } else if (key == "id") {
      fault.request_id = std::string(value);
    } else if (key == "marker") {
      fault.input_marker = std::string(value);
    } else if (key == "count" && ParseNumber(value, number) && number == static_cast<int>(number)) {
      fault.count = static_cast<int>(number);
    } else if (key == "rate" && ParseNumber(value, number) && number >= 0 && number <= 1) {
      fault.rate = number;
    } else if (key == "delay_ms" && ParseNumber(value, number) && number >= 0) {
      fault.delay = std::chrono::milliseconds(static_cast<long long>(number));
    } else {
      return fail(errc::invalid_argument, "bad fault option '" + std::string(item) + "'");
    }
  }
  return fault;
}

}  // namespace v1
}  // namespace faltrain
