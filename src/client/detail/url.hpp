#pragma once
// URL pieces the queue protocol and the simulator need, done by libcurl's URL API so that what we
// build and check is what CurlTransport will parse. Private; keeps curl out of every header.

#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// Percent-encodes everything but RFC 3986 unreserved characters (for path segments and query
/// values), with upper-case hex digits. Empty for more than libcurl's 8 MB input limit.
std::string PercentEncode(std::string_view text);
/// Decodes %XX and '+' (as space); nullopt-free: bad escapes are kept literally.
std::string PercentDecode(std::string_view text);

/// `base` without trailing slashes + "/" + `path` without leading slashes.
std::string JoinUrl(std::string_view base, std::string_view path);

/// `url` with "name=value" (value percent-encoded) appended to its query, the escapes already in
/// it kept as sent; nullopt when `url` is not a URL.
std::optional<std::string> AddQuery(std::string_view url, std::string_view name, std::string_view value);

/// `url` with "/" + `segment` appended to its path, query kept byte for byte (a signed upload
/// URL's signature lives there); nullopt when `url` is not a URL.
std::optional<std::string> AppendPath(std::string_view url, std::string_view segment);

/// True for an absolute "http://" or "https://" URL (either case) that libcurl accepts, with a
/// non-empty host.
bool IsHttpUrl(std::string_view url);

/// `url` without user info, query and fragment, for logs: signed upload URLs carry their signature
/// in the query, and a webhook URL may carry a token (or a password its user info). What libcurl
/// cannot parse is still cut at the first '?' or '#'.
std::string UrlForLog(std::string_view url);

/// An absolute URL's parts as sent (nothing decoded).
struct UrlParts {
  std::string origin;  ///< "scheme://host[:port]", scheme in lower case, no user info
  std::string path;    ///< "/" at least
  std::string query;   ///< after '?', empty when none; never the fragment
};
/// nullopt when libcurl cannot parse `url`. Dot segments are kept as sent.
std::optional<UrlParts> SplitUrl(std::string_view url);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
