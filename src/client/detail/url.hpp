#pragma once
// URL pieces the queue protocol needs. Private.

#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string PercentEncode(std::string_view text);
/// Decodes %XX and '+' (as space); nullopt-free: bad escapes are kept literally.
std::string PercentDecode(std::string_view text);

/// `base` without trailing slashes + "/" + `path` without leading slashes.
std::string JoinUrl(std::string_view base, std::string_view path);

/// Appends "name=value" (value percent-encoded) with '?' or '&' as needed.
std::string AddQuery(std::string url, std::string_view name, std::string_view value);

/// True for "http://" or "https://" URLs with a non-empty host.
bool IsHttpUrl(std::string_view url);

/// `url` without its query and fragment, for logs: signed upload URLs carry their signature in
/// the query, and a webhook URL may carry a token.
std::string_view UrlForLog(std::string_view url);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
