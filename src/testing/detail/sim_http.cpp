#include "testing/detail/sim_http.hpp"

#include <faltrain/client/json_writer.hpp>
#include "client/detail/url.hpp"

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {

std::string SimUrl::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return {};
}

bool SimUrl::HasQuery(std::string_view name) const {
  for (const auto& entry : query) {
    if (entry.first == name) return true;
  }
  return false;
}

namespace {

// Splits `text` at `separator`, dropping empty pieces.
std::vector<std::string_view> Pieces(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0; start <= text.size();) {
    auto end = std::min(text.find(separator, start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

SimUrl ParseSimUrl(std::string_view url) {
  SimUrl out;
  // A bare path (an HTTP server's request target) is resolved against a placeholder origin.
  const bool bare = !url.empty() && url.front() == '/';
  auto parts = SplitUrl(bare ? "http://sim.invalid" + std::string(url) : std::string(url));
  if (!parts) {
    out.path = "/";  // not a URL: routes nowhere
    return out;
  }
  if (!bare) out.origin = std::move(parts->origin);
  out.path = std::move(parts->path);
  out.raw_query = std::move(parts->query);
  // Segments are split before decoding, so an escaped '/' (%2F) stays inside its segment.
  for (std::string_view segment : Pieces(out.path, '/')) out.segments.push_back(PercentDecode(segment));
  for (std::string_view pair : Pieces(out.raw_query, '&')) {
    auto eq = pair.find('=');
    out.query.emplace_back(PercentDecode(pair.substr(0, eq)),
                           eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1)));
  }
  return out;
}

HttpResponse JsonResponse(int status, std::string body, std::string_view request_id) {
  HttpResponse response;
  response.status = status;
  response.headers.Add("content-type", "application/json");
  if (!request_id.empty()) response.headers.Add("x-fal-request-id", std::string(request_id));
  response.body = std::move(body);
  return response;
}

HttpResponse DetailResponse(int status, std::string_view detail) {
  JsonWriter w;
  w.BeginObject().Field("detail", detail).EndObject();
  return JsonResponse(status, std::move(w).str());
}

HttpResponse NginxErrorPage(int status) {
  std::string title = status == 502   ? "502 Bad Gateway"
                      : status == 503 ? "503 Service Temporarily Unavailable"
                      : status == 504 ? "504 Gateway Time-out"
                                      : std::to_string(status) + " Error";
  HttpResponse response;
  response.status = status;
  response.headers.Add("content-type", "text/html");
  response.headers.Add("server", "nginx");
  response.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
                  title + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
  return response;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
