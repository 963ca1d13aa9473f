#include "http_bridge.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
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

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Framing is the server's business, not the simulator's.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection");
}

std::optional<HttpMethod> MethodOf(const std::string& method) {
  if (method == "GET") return HttpMethod::kGet;
  if (method == "POST") return HttpMethod::kPost;
  if (method == "PUT") return HttpMethod::kPut;
  if (method == "DELETE") return HttpMethod::kDelete;
  return std::nullopt;
}

async_http::Response Json(int status, std::string body) {
  return async_http::Response::Text(status, std::move(body), "application/json");
}

// Control endpoints, so tests in any language can drive faults and key rotation at run time.
std::optional<async_http::Response> HandleControl(faltrain::SimTransport& sim, const async_http::Request& req) {
  const std::string_view path = req.Path();
  if (path == "/_sim/health") return async_http::Response::Text(200, "ok\n");
  if (path == "/_sim/faults" && req.method == "POST") {
    auto fault = faltrain::SimFault::Parse(req.body);
    if (!fault) return Json(400, "{\"detail\":\"" + JsonEscape(fault.error().message) + "\"}");
    sim.AddFault(fault.value());
    return Json(200, "{\"ok\":true}");
  }
  if (path == "/_sim/rotate-key" && req.method == "POST") {
    sim.RotateSigningKey(req.QueryParam("keep") != "0");
    return Json(200, sim.JwksJson());
  }
  if (path == "/_sim/received" && req.method == "GET") {
    std::ostringstream out;
    out << "[";
    bool first = true;
    for (const auto& id : sim.ReceivedSubmissions()) {
      out << (first ? "" : ",") << '"' << JsonEscape(id) << '"';
      first = false;
    }
    out << "]";
    return Json(200, out.str());
  }
  if (path == "/_sim/webhooks" && req.method == "GET") {
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
    return Json(200, out.str());
  }
  return std::nullopt;
}

// Answers now, or after `delay` on a timer.
template <typename Fn>
void Later(const async_http::Responder& responder, std::chrono::milliseconds delay, Fn fn) {
  if (delay.count() <= 0) return fn();
  responder.After(delay, std::move(fn));
}

faltrain::HttpRequest ToSimRequest(HttpMethod method, async_http::Request req) {
  faltrain::HttpRequest request;
  request.method = method;
  std::string host(req.Header("Host"));
  request.url = "http://" + (host.empty() ? std::string("127.0.0.1") : host) + req.target;
  for (auto& [name, value] : req.headers) request.headers.Add(std::move(name), std::move(value));
  request.body = std::move(req.body);
  return request;
}

async_http::Response ToResponse(faltrain::HttpResponse answer) {
  async_http::Response response;
  response.status = answer.status;
  for (const auto& header : answer.headers) {
    if (!IsFramingHeader(header.name)) response.headers.emplace_back(header.name, header.value);
  }
  if (answer.headers.Get("content-type").empty()) {
    response.headers.emplace_back("Content-Type", "application/octet-stream");
  }
  response.body = std::move(answer.body);
  return response;
}

void Forward(faltrain::SimTransport& sim, HttpMethod method, async_http::Request req,
             const async_http::Responder& responder, std::chrono::milliseconds latency) {
  faltrain::HttpRequest request = ToSimRequest(method, std::move(req));
  std::chrono::milliseconds slow{0};
  auto answer = sim.SendDeferred(request, slow);
  if (!answer) {
    // A simulated dropped connection: the server processed the request, the client gets nothing.
    return Later(responder, latency + slow, [responder] { responder.Abort(); });
  }
  Later(responder, latency + slow,
        [responder, r = ToResponse(std::move(answer).value())]() mutable { responder.Send(std::move(r)); });
}

bool IsStatusStream(HttpMethod method, std::string_view path) {
  constexpr std::string_view kSuffix = "/status/stream";
  return method == HttpMethod::kGet && path.size() > kSuffix.size() &&
         path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

// How often an open stream asks the simulator for news, and how long it stays silent before a
// `: ping` comment (fal's keep-alive).
constexpr std::chrono::milliseconds kStreamLook{250};
constexpr std::chrono::seconds kStreamPing{5};

// One open status stream, moved forward by a timer on its connection: no thread waits for it.
struct OpenStream {
  OpenStream(std::unique_ptr<faltrain::SimStatusStream> e, async_http::Responder r)
      : events(std::move(e)), responder(std::move(r)) {}
  std::unique_ptr<faltrain::SimStatusStream> events;
  async_http::Responder responder;
  std::shared_ptr<async_http::ResponseStream> out;
  std::chrono::steady_clock::time_point last_write;
};

// Writes what the simulator has now (an event, or a ping after kStreamPing of silence), then looks
// again after kStreamLook; ends the response after COMPLETED, cuts it on a dropped-connection fault.
// The timer dies with the connection or the server, and the stream with it.
void Pump(std::shared_ptr<OpenStream> stream) {
  for (;;) {
    auto piece = stream->events->Next(std::chrono::milliseconds(0));  // never waits with 0
    if (!piece) {
      if (stream->events->dropped()) return stream->out->Abort();
      return stream->out->End();
    }
    const bool ping = piece->rfind(":", 0) == 0;
    const auto now = std::chrono::steady_clock::now();
    if (ping && now - stream->last_write < kStreamPing) break;  // nothing new yet
    if (!stream->out->Write(std::move(*piece))) return;  // the client left
    stream->last_write = now;
    if (ping) break;
  }
  async_http::Responder responder = stream->responder;
  responder.After(kStreamLook, [stream = std::move(stream)]() mutable { Pump(std::move(stream)); });
}

// A status stream: the head, then each event as the simulator produces it, in chunks; the end
// after COMPLETED; a cut connection when a fault drops it. An error head (404, 401, a fault's
// 429/502/503) is a whole response.
void ServeStatusStream(faltrain::SimTransport& sim, const faltrain::HttpRequest& request,
                       const async_http::Responder& responder, std::chrono::milliseconds latency) {
  auto opened = sim.OpenStatusStream(request);
  if (!opened) return Later(responder, latency, [responder] { responder.Abort(); });
  auto stream = std::make_shared<OpenStream>(std::move(opened).value(), responder);
  const faltrain::HttpResponse& head = stream->events->head();
  if (head.status != 200) {
    Later(responder, latency, [responder, r = ToResponse(head)]() mutable { responder.Send(std::move(r)); });
    return;
  }
  Later(responder, latency, [stream]() mutable {
    async_http::Headers headers;
    for (const auto& header : stream->events->head().headers) {
      if (!IsFramingHeader(header.name)) headers.emplace_back(header.name, header.value);
    }
    stream->out = stream->responder.Stream(200, std::move(headers));
    stream->last_write = std::chrono::steady_clock::now();
    Pump(std::move(stream));
  });
}

}  // namespace

async_http::Handler SimulatorHandler(faltrain::SimTransport& sim, std::chrono::milliseconds latency) {
  return [&sim, latency](async_http::Request req, async_http::Responder responder) {
    if (req.Path().rfind("/_sim/", 0) == 0) {
      if (auto control = HandleControl(sim, req)) return responder.Send(std::move(*control));
    }
    auto method = MethodOf(req.method);
    if (!method) return responder.Send(Json(405, "{\"detail\":\"Method Not Allowed\"}"));
    if (IsStatusStream(*method, req.Path())) {
      return ServeStatusStream(sim, ToSimRequest(*method, std::move(req)), responder, latency);
    }
    Forward(sim, *method, std::move(req), responder, latency);
  };
}
