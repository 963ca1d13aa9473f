#pragma once
// An event-driven HTTP/1.1 server for the example programs (Boost.Asio/Beast behind a small API).
//
// A fixed, small number of I/O threads serves every connection; nothing holds a thread while a
// response is pending. A handler gets the request and a `Responder` it may complete later, from any
// thread: after a timer (`Server::After`), when a database commit finishes, ... A response can also
// be streamed in chunks (server-sent events). Keep-alive, a listen backlog, a request body limit and
// a clean `Stop` are built in.
//
//   async_http::ServerOptions options;                 // 127.0.0.1, any free port
//   auto server = async_http::Server::Start(options, [](async_http::Request req, async_http::Responder r) {
//     r.Send(async_http::Response::Text(200, "ok\n"));
//   });
//   std::cout << (*server)->port();
//   (*server)->Stop();

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One request, fully read (body included).
struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< path and query, as sent
  Headers headers;     ///< in order, names as sent
  std::string body;
  /// The first value of header `name` (case-insensitive), or an empty view.
  std::string_view Header(std::string_view name) const;
  /// `target` without the query.
  std::string_view Path() const;
  /// The value of query parameter `name` (not percent-decoded), or an empty string.
  std::string QueryParam(std::string_view name) const;
};

/// A whole response.
struct Response {
  int status = 200;
  Headers headers;  ///< Content-Length is computed; Connection is managed by the server
  std::string body;
  /// A response with one Content-Type.
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

/// A chunked response being written (server-sent events). Thread-safe; every call is queued to
/// the connection's I/O thread in order.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Queues one chunk; false once the connection is gone (later writes are dropped).
  virtual bool Write(std::string chunk) = 0;
  /// Ends the response (the terminating chunk); the connection then serves its next request.
  virtual void End() = 0;
  /// Cuts the connection once the chunks queued so far are written, without the terminating
  /// chunk: the client sees the stream break (a simulated dropped connection).
  virtual void Abort() = 0;
  /// Whether the client is still there, as far as the last write knows.
  virtual bool open() const = 0;
};

/// Completes one request, once, from any thread. Copies share the same completion; the first call
/// wins and later ones are ignored. If every copy is dropped unanswered, the client gets a 500.
class Responder {
 public:
  struct State;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  /// Sends a whole response.
  void Send(Response response) const;
  /// Starts a chunked response with these headers (e.g. Content-Type: text/event-stream).
  std::shared_ptr<ResponseStream> Stream(int status, Headers headers) const;
  /// Closes the connection without an answer (a simulated dropped connection).
  void Abort() const;
  /// Runs `fn` on the connection's I/O thread after `delay` (a timer: no thread waits), e.g. to
  /// answer with a simulated latency. Dropped if the connection or server is gone by then.
  void After(std::chrono::milliseconds delay, std::function<void()> fn) const;

 private:
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(Request request, Responder responder)>;

/// Listening and limits.
struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  ///< 0 = any free port (see `Server::port`)
  int backlog = 1024;       ///< listen(2) backlog: connections the kernel queues before accept
  int io_threads = 1;       ///< threads running every connection, timer and handler
  std::size_t max_body_bytes = 8u << 20;  ///< larger request bodies get 413
  /// An idle keep-alive connection (or one sending its request too slowly) is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
};

/// The server. `Start` binds and starts the I/O threads; `Stop` (or the destructor) closes the
/// listener and every connection and joins the threads.
class Server {
 public:
  /// Binds `options.address:options.port` and serves `handler` (called on an I/O thread; it must
  /// not block for long: complete slow work later through the `Responder`).
  static faltrain::result<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port.
  unsigned short port() const;
  /// Runs `fn` on an I/O thread after `delay`, holding no thread meanwhile (timers are cheap:
  /// tens of thousands may wait at once). Dropped if the server stops first.
  void After(std::chrono::milliseconds delay, std::function<void()> fn);
  /// Stops accepting, closes every connection (pending responders become no-ops) and joins the
  /// I/O threads. Idempotent; not to be called from a handler.
  void Stop();
  /// Connections open now.
  std::size_t connections() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace async_http
