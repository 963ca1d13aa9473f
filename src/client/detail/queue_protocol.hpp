#pragma once
// fal queue API wire format: URLs and response bodies. Private.

#include <faltrain/client/logging.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/transport.hpp>

#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The status/result/cancel URLs fal's rules give for a request on `queue_base`.
RequestHandle BuildHandle(std::string_view queue_base, const EndpointId& endpoint,
                          std::string_view request_id);

/// Reads a submit response; URLs it lacks are built with `BuildHandle`.
result<RequestHandle> ParseSubmitResponse(const HttpResponse& response, std::string_view queue_base,
                                          const EndpointId& endpoint);

/// Reads a 200/202 status body. Unknown `status` strings map to `RequestPhase::kUnknown`; logs are
/// read leniently (`level` or `labels.level`).
result<RequestStatus> ParseStatusResponse(const HttpResponse& response);

/// Logs (warning) that a status poll answered a `status` this library does not know, and that
/// polling goes on (fal-js keeps polling; reference §9). No-op without a sink.
void WarnUnknownStatus(const LogSink& log, const RequestStatus& status);

/// Reads the `status` string of a cancel response ("CANCELLATION_REQUESTED", ...); empty if none.
std::string ParseCancelStatus(std::string_view body);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
