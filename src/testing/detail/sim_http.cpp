#include "testing/detail/sim_http.hpp"

#include "client/detail/json_writer.hpp"
#include "client/detail/url.hpp"

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

SimUrl ParseSimUrl(std::string_view url) {
  SimUrl out;
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  if (auto scheme = url.find("://"); scheme != std::string_view::npos &&
                                     url.find_first_of("/?") > scheme) {
    auto path_start = url.find_first_of("/?", scheme + 3);
    out.origin = std::string(url.substr(0, path_start));
    url = path_start == std::string_view::npos ? std::string_view() : url.substr(path_start);
  }
  std::string_view path = url;
  if (auto q = url.find('?'); q != std::string_view::npos) {
    path = url.substr(0, q);
    out.raw_query = std::string(url.substr(q + 1));
  }
  out.path = path.empty() ? "/" : std::string(path);
  for (std::size_t start = 0; start <= path.size();) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.segments.push_back(PercentDecode(path.substr(start, end - start)));
    start = end + 1;
  }
  std::string_view query = out.raw_query;
  for (std::size_t start = 0; start < query.size();) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      out.query.emplace_back(PercentDecode(pair.substr(0, eq)),
                             eq == std::string_view::npos ? std::string()
                                                          : PercentDecode(pair.substr(eq + 1)));
    }
    start = end + 1;
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
