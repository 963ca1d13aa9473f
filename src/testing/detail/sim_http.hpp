#pragma once
// The simulator's view of HTTP: URLs split into origin, path segments and query, and the response
// shapes fal sends (JSON with x-fal-request-id, {"detail": ...} errors, nginx ingress pages). Private.

#include <faltrain/client/transport.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

struct SimUrl {
  std::string origin;                 ///< "https://queue.fal.run" (empty for a bare path)
  std::string path;                   ///< "/fal-ai/flux-lora/requests/abc/status"
  std::vector<std::string> segments;  ///< percent-decoded, empty ones dropped
  std::string raw_query;              ///< after '?', as sent
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded

  /// The first value of query parameter `name`, or empty.
  std::string Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
};
SimUrl ParseSimUrl(std::string_view url);

/// A JSON response; `request_id` non-empty adds the x-fal-request-id header.
HttpResponse JsonResponse(int status, std::string body, std::string_view request_id = {});
/// {"detail": "<detail>"}.
HttpResponse DetailResponse(int status, std::string_view detail);
/// The HTML page nginx sends for 502/503/504 (no x-fal-request-id).
HttpResponse NginxErrorPage(int status);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
