#include "client/detail/url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlFree>;

struct CurlUrlCleanup {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlCleanup>;

// libcurl reads C strings: an embedded NUL would silently end the URL early.
CurlUrl Parse(std::string_view url, unsigned int flags = 0) {
  if (url.find('\0') != std::string_view::npos) return nullptr;
  CurlUrl handle(curl_url());
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, std::string(url).c_str(), flags) != CURLUE_OK) {
    return nullptr;
  }
  return handle;
}

// The part as stored (not decoded); empty when absent.
std::string Get(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK) return {};
  CurlString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

// Whole-URL results; nullopt on failure.
std::optional<std::string> Serialize(CURLU* url) {
  char* raw = nullptr;
  if (curl_url_get(url, CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) return std::nullopt;
  return std::string(CurlString(raw).get());
}

// A URL cut where edits go: `head` is it without query and fragment (re-serialised by libcurl, so
// with a path), `query` and `fragment` ("#..." or empty) as sent. Edits are made on the strings:
// curl_url_set on a part re-writes every escape in it to lower case, which would break a URL
// signed over its exact bytes.
struct Tail {
  std::string head;
  std::string query;
  std::string fragment;
};

std::optional<Tail> CutTail(std::string_view url) {
  CurlUrl handle = Parse(url, CURLU_PATH_AS_IS);
  if (!handle) return std::nullopt;
  Tail tail;
  tail.query = Get(handle.get(), CURLUPART_QUERY);
  if (std::string fragment = Get(handle.get(), CURLUPART_FRAGMENT); !fragment.empty()) {
    tail.fragment = "#" + fragment;
  }
  curl_url_set(handle.get(), CURLUPART_QUERY, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_FRAGMENT, nullptr, 0);
  auto head = Serialize(handle.get());
  if (!head || head->empty()) return std::nullopt;
  tail.head = std::move(*head);
  return tail;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  // Length 0 would make libcurl call strlen(); the handle argument is ignored since 7.82.
  if (text.empty()) return {};
  CurlString out(curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())));
  return out ? std::string(out.get()) : std::string();
}

std::string PercentDecode(std::string_view text) {
  if (text.empty()) return {};
  // Form encoding's '+' is a space; curl_easy_unescape leaves it alone (and a decoded %2B is '+').
  std::string plus_as_space(text);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  int length = 0;
  CurlString out(curl_easy_unescape(nullptr, plus_as_space.data(),
                                    static_cast<int>(plus_as_space.size()), &length));
  return out ? std::string(out.get(), static_cast<std::size_t>(length)) : plus_as_space;
}

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string out(base);
  out += '/';
  out += path;
  return out;
}

std::optional<std::string> AddQuery(std::string_view url, std::string_view name, std::string_view value) {
  auto cut = CutTail(url);
  if (!cut) return std::nullopt;
  std::string out = std::move(cut->head);
  out += cut->query.empty() ? "?" : "?" + cut->query + "&";
  out.append(name).append("=").append(PercentEncode(value));
  return out + cut->fragment;
}

std::optional<std::string> AppendPath(std::string_view url, std::string_view segment) {
  auto cut = CutTail(url);
  if (!cut) return std::nullopt;
  std::string out = std::move(cut->head);
  if (out.back() != '/') out += '/';
  out += segment;
  if (!cut->query.empty()) out += "?" + cut->query;
  return out + cut->fragment;
}

bool IsHttpUrl(std::string_view url) {
  CurlUrl handle = Parse(url);
  if (!handle) return false;
  std::string scheme = Get(handle.get(), CURLUPART_SCHEME);
  // libcurl also takes "http:/host", "http:host" and "http:///host"; a URL we hand on to others
  // must say "scheme://host" literally.
  const std::size_t authority = scheme.size() + 3;
  return (scheme == "http" || scheme == "https") && url.size() > authority &&
         curl_strnequal(url.data(), (scheme + "://").c_str(), authority) && url[authority] != '/' &&
         !Get(handle.get(), CURLUPART_HOST).empty();
}

std::string UrlForLog(std::string_view url) {
  std::optional<std::string> clean;
  if (CurlUrl handle = Parse(url, CURLU_PATH_AS_IS)) {
    for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY,
                           CURLUPART_FRAGMENT}) {
      curl_url_set(handle.get(), part, nullptr, 0);
    }
    clean = Serialize(handle.get());
  }
  return clean ? std::move(*clean) : std::string(url.substr(0, url.find_first_of("?#")));
}

std::optional<UrlParts> SplitUrl(std::string_view url) {
  CurlUrl handle = Parse(url, CURLU_PATH_AS_IS | CURLU_NON_SUPPORT_SCHEME);
  if (!handle) return std::nullopt;
  UrlParts parts;
  parts.origin = Get(handle.get(), CURLUPART_SCHEME) + "://" + Get(handle.get(), CURLUPART_HOST);
  if (std::string port = Get(handle.get(), CURLUPART_PORT); !port.empty()) parts.origin += ":" + port;
  parts.path = Get(handle.get(), CURLUPART_PATH);
  if (parts.path.empty()) parts.path = "/";
  parts.query = Get(handle.get(), CURLUPART_QUERY);
  return parts;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
