#include "http_bridge.hpp"

#include <cctype>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>

namespace {

using faltrain::HttpMethod;

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool IsContentType(const std::string& name) {
  static const char kName[] = "content-type";
  if (name.size() != sizeof kName - 1) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kName[i]) return false;
  }
  return true;
}

faltrain::HttpRequest ToSimRequest(HttpMethod method, const httplib::Request& req) {
  faltrain::HttpRequest request;
  request.method = method;
  std::string host = req.get_header_value("Host");
  request.url = "http://" + (host.empty() ? std::string("127.0.0.1") : host) + req.target;
  for (const auto& [name, value] : req.headers) request.headers.Add(name, value);
  request.body = req.body;
  return request;
}

void SetResponse(faltrain::HttpResponse response, httplib::Response& res) {
  res.status = response.status;
  std::string content_type(response.headers.Get("content-type"));
  if (content_type.empty()) content_type = "application/octet-stream";
  for (const auto& header : response.headers) {
    if (IsContentType(header.name)) continue;  // set_content sets it
    res.set_header(header.name.c_str(), header.value);
  }
  res.set_content(std::move(response.body), content_type.c_str());
}

// A simulated dropped connection: start a response, then abort it mid-body.
void Abort(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(64, "application/json",
                           [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
}

// A status stream: the head, then each event as the simulator produces it, in chunks; the end
// after COMPLETED; an aborted connection when a fault drops it or the server stops.
void ServeStatusStream(faltrain::SimTransport& sim, const faltrain::CancelToken& stopping,
                       const faltrain::HttpRequest& request, httplib::Response& res) {
  auto opened = sim.OpenStatusStream(request);
  if (!opened) return Abort(res);
  std::shared_ptr<faltrain::SimStatusStream> stream = std::move(opened).value();
  if (stream->head().status != 200) return SetResponse(stream->head(), res);
  res.status = 200;
  for (const auto& header : stream->head().headers) {
    if (!IsContentType(header.name)) res.set_header(header.name.c_str(), header.value);
  }
  res.set_chunked_content_provider(
      "text/event-stream", [stream, stopping](std::size_t, httplib::DataSink& sink) {
        auto piece = stream->Next(std::chrono::seconds(5), stopping);
        if (!piece) {
          if (stream->dropped() || stopping.cancelled()) return false;  // abort the connection
          sink.done();
          return true;
        }
        return sink.write(piece->data(), piece->size());
      });
}

void Forward(faltrain::SimTransport& sim, const faltrain::CancelToken& stopping, HttpMethod method,
             const httplib::Request& req, httplib::Response& res) {
  faltrain::HttpRequest request = ToSimRequest(method, req);
  const bool is_stream = method == HttpMethod::kGet && req.path.size() > 14 &&
                         req.path.compare(req.path.size() - 14, 14, "/status/stream") == 0;
  if (is_stream) return ServeStatusStream(sim, stopping, request, res);
  auto response = sim.Send(request);
  if (!response) return Abort(res);
  SetResponse(std::move(response).value(), res);
}

// Control endpoints, so tests in any language can drive faults and key rotation at run time.
bool HandleControl(faltrain::SimTransport& sim, const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/_sim/health") {
    res.set_content("ok\n", "text/plain");
    return true;
  }
  if (req.path == "/_sim/faults" && req.method == "POST") {
    auto fault = faltrain::SimFault::Parse(req.body);
    if (!fault) {
      res.status = 400;
      res.set_content("{\"detail\":\"" + JsonEscape(fault.error().message) + "\"}", "application/json");
    } else {
      sim.AddFault(fault.value());
      res.set_content("{\"ok\":true}", "application/json");
    }
    return true;
  }
  if (req.path == "/_sim/rotate-key" && req.method == "POST") {
    sim.RotateSigningKey(req.get_param_value("keep") != "0");
    res.set_content(sim.JwksJson(), "application/json");
    return true;
  }
  if (req.path == "/_sim/received" && req.method == "GET") {
    std::ostringstream out;
    out << "[";
    bool first = true;
    for (const auto& id : sim.ReceivedSubmissions()) {
      out << (first ? "" : ",") << '"' << JsonEscape(id) << '"';
      first = false;
    }
    out << "]";
    res.set_content(out.str(), "application/json");
    return true;
  }
  if (req.path == "/_sim/webhooks" && req.method == "GET") {
    std::ostringstream out;
    out << "[";
    bool first = true;
    for (const auto& attempt : sim.WebhookLog()) {
      out << (first ? "" : ",") << "{\"request_id\":\"" << JsonEscape(attempt.request_id)
          << "\",\"url\":\"" << JsonEscape(attempt.url) << "\",\"attempt\":" << attempt.attempt
          << ",\"http_status\":" << attempt.http_status << ",\"error\":\""
          << JsonEscape(attempt.transport_error) << "\"}";
      first = false;
    }
    out << "]";
    res.set_content(out.str(), "application/json");
    return true;
  }
  return false;
}

}  // namespace

void MountSimulator(httplib::Server& server, faltrain::SimTransport& sim, faltrain::CancelToken stopping) {
  auto route = [&sim, stopping](HttpMethod method) {
    return [&sim, stopping, method](const httplib::Request& req, httplib::Response& res) {
      if (req.path.rfind("/_sim/", 0) == 0 && HandleControl(sim, req, res)) return;
      Forward(sim, stopping, method, req, res);
    };
  };
  server.Get(".*", route(HttpMethod::kGet));
  server.Post(".*", route(HttpMethod::kPost));
  server.Put(".*", route(HttpMethod::kPut));
  server.Delete(".*", route(HttpMethod::kDelete));
}
