#include <faltrain/testing/scripted_transport.hpp>

#include <string>
#include <utility>

namespace faltrain {
inline namespace v1 {

void ScriptedTransport::Expect(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(Reply{std::move(handler), std::nullopt});
}

void ScriptedTransport::ExpectStream(int status, std::vector<std::string> pieces, std::optional<error> cut,
                                     HttpHeaders headers) {
  std::lock_guard<std::mutex> lock(mu_);
  can_stream_ = true;
  script_.push_back(Reply{nullptr, Stream{HttpResponse{status, std::move(headers), {}}, std::move(pieces), std::move(cut)}});
}

void ScriptedTransport::SetCanStream(bool can_stream) {
  std::lock_guard<std::mutex> lock(mu_);
  can_stream_ = can_stream;
}

bool ScriptedTransport::CanStream() const {
  std::lock_guard<std::mutex> lock(mu_);
  return can_stream_;
}

void ScriptedTransport::ExpectResponse(int status, std::string body, HttpHeaders headers) {
  Expect([status, body = std::move(body), headers = std::move(headers)](
             const HttpRequest&) -> result<HttpResponse> {
    return HttpResponse{status, headers, body};
  });
}

void ScriptedTransport::ExpectFailure(errc code, std::string message) {
  Expect([code, message = std::move(message)](const HttpRequest&) -> result<HttpResponse> {
    return fail(code, message);
  });
}

void ScriptedTransport::SetFallback(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  fallback_ = std::move(handler);
}

ScriptedTransport::Reply ScriptedTransport::Next(const HttpRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  sent_.push_back(request);
  if (script_.empty()) return Reply{fallback_, std::nullopt};
  Reply reply = std::move(script_.front());
  script_.pop_front();
  return reply;
}

namespace {

result<HttpResponse> Unscripted(const HttpRequest& request) {
  return fail(errc::invalid_argument, "ScriptedTransport: unscripted request " +
                                          std::string(to_string(request.method)) + " " + request.url);
}

}  // namespace

result<HttpResponse> ScriptedTransport::Send(const HttpRequest& request) {
  // Handlers run outside the lock so they may script further replies or inspect requests().
  Reply reply = Next(request);
  if (reply.stream) {
    if (reply.stream->cut) return fail(*reply.stream->cut);
    HttpResponse response = std::move(reply.stream->head);
    for (const auto& piece : reply.stream->pieces) response.body += piece;
    return response;
  }
  if (!reply.handler) return Unscripted(request);
  return reply.handler(request);
}

result<HttpResponse> ScriptedTransport::SendStreaming(const HttpRequest& request, const StreamControl& control) {
  Reply reply = Next(request);
  if (!reply.stream) {
    if (!reply.handler) return Unscripted(request);
    FALTRAIN_TRY(HttpResponse response, reply.handler(request));
    if (response.status >= 200 && response.status < 300 && control.on_body && !response.body.empty()) {
      std::string body = std::move(response.body);
      response.body.clear();
      control.on_body(body);
    }
    return response;
  }
  Stream& stream = *reply.stream;
  const bool success = stream.head.status >= 200 && stream.head.status < 300;
  for (const auto& piece : stream.pieces) {
    if (control.cancel.cancelled()) return fail(errc::cancelled, "scripted stream cancelled");
    if (!success) {
      stream.head.body += piece;
    } else if (control.on_body && !control.on_body(piece)) {
      return stream.head;
    }
  }
  if (stream.cut) return fail(*stream.cut);
  return stream.head;
}

std::vector<HttpRequest> ScriptedTransport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

std::size_t ScriptedTransport::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return script_.size();
}

}  // namespace v1
}  // namespace faltrain
