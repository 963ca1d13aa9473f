#include "async_http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace async_http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

std::string_view Request::Path() const {
  std::string_view t(target);
  return t.substr(0, t.find('?'));
}

std::string Request::QueryParam(std::string_view name) const {
  const auto q = target.find('?');
  if (q == std::string::npos) return {};
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    std::string_view key = pair.substr(0, pair.find('='));
    if (key == name) return std::string(pair.size() > key.size() ? pair.substr(key.size() + 1) : "");
  }
  return {};
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

class Session;

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  mutable std::mutex sessions_mu;
  std::unordered_map<std::uint64_t, std::shared_ptr<Session>> sessions;
  std::uint64_t next_session = 0;

  Impl(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(std::max(1, options.io_threads)),
        acceptor(net::make_strand(ioc)) {}

  void Accept();
  void Register(const std::shared_ptr<Session>& s, std::uint64_t& id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    id = next_session++;
    sessions.emplace(id, s);
  }
  void Unregister(std::uint64_t id) {
    std::shared_ptr<Session> dying;  // destroyed outside the lock
    std::lock_guard<std::mutex> lock(sessions_mu);
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    dying = std::move(it->second);
    sessions.erase(it);
  }
};

/// What a `Responder` points at: the connection (weakly: it may be gone) and which of its requests
/// this is, so that a late completion can never answer a newer request.
struct Responder::State {
  std::weak_ptr<Session> session;
  std::uint64_t request = 0;
  std::atomic<bool> done{false};
  ~State();
};

/// One connection: reads a request, hands it to the handler, writes the response it completes
/// (whole, or streamed in chunks), then reads the next. Everything runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void Start(std::uint64_t id) {
    id_ = id;
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // -- called through Responder, on the strand --------------------------------------------------
  void Reply(std::uint64_t request, Response r) {
    if (request != request_ || replied_ || closed_) return;
    replied_ = true;
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(server_.options.idle_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      self->AfterResponse(ec);
    });
  }

  void Abort(std::uint64_t request) {
    if (request == request_) Close();
  }

  void StartStream(std::uint64_t request, int status, Headers headers, std::shared_ptr<std::atomic<bool>> open) {
    if (request != request_ || replied_ || closed_) {
      *open = false;
      return;
    }
    replied_ = true;
    stream_open_ = std::move(open);
    stream_head_.emplace(static_cast<http::status>(status), 11);
    for (auto& [name, value] : headers) stream_head_->insert(name, value);
    stream_head_->keep_alive(keep_alive_);
    stream_head_->chunked(true);
    serializer_.emplace(*stream_head_);
    writing_ = true;
    stream_.expires_never();
    http::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->Close();
      self->Pump();
    });
  }

  void QueueChunk(std::uint64_t request, std::string chunk) {
    if (request != request_ || closed_ || ended_ || chunk.empty()) return;
    chunks_.push_back(std::move(chunk));
    Pump();
  }

  void QueueEnd(std::uint64_t request) {
    if (request != request_ || closed_ || ended_) return;
    ended_ = true;
    Pump();
  }

  void QueueAbort(std::uint64_t request) {
    if (request != request_ || closed_ || ended_) return;
    ended_ = true;
    aborting_ = true;
    Pump();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  /// Closes the socket; idle or pending work on it then fails and lets the session go.
  void Close() {
    if (closed_) return;
    closed_ = true;
    if (stream_open_) *stream_open_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    server_.Unregister(id_);
  }

 private:
  void Read() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(server_.options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      ++request_;
      replied_ = false;
      return Reply(request_, Response::Text(413, "request body too large\n"));
    }
    if (ec) return Close();
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    stream_.expires_never();  // the handler may take its time; it holds no thread meanwhile
    ++request_;
    replied_ = false;
    auto state = std::make_shared<Responder::State>();
    state->session = weak_from_this();
    state->request = request_;
    try {
      server_.handler(std::move(request), Responder(std::move(state)));
    } catch (...) {
      Reply(request_, Response::Text(500, "handler failed\n"));
    }
  }

  void AfterResponse(beast::error_code ec) {
    if (ec || !keep_alive_) return Close();
    Read();
  }

  void Pump() {
    if (writing_ || !serializer_ || closed_) return;
    if (!chunks_.empty()) {
      current_ = std::move(chunks_.front());
      chunks_.pop_front();
      writing_ = true;
      net::async_write(stream_, http::make_chunk(net::buffer(current_)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->writing_ = false;
                         if (ec) return self->Close();
                         self->Pump();
                       });
      return;
    }
    if (!ended_) return;
    if (aborting_) return Close();  // what was queued is written; no terminating chunk
    writing_ = true;
    net::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      self->serializer_.reset();
      self->stream_head_.reset();
      self->ended_ = false;
      if (self->stream_open_) *self->stream_open_ = false;
      self->stream_open_.reset();
      self->AfterResponse(ec);
    });
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  bool closed_ = false;
  std::uint64_t request_ = 0;  // which request is being answered
  bool replied_ = false;
  // A streamed response: its head, serializer, queued chunks and whether End was asked.
  std::optional<http::response<http::empty_body>> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::deque<std::string> chunks_;
  std::string current_;
  bool writing_ = false;
  bool ended_ = false;
  bool aborting_ = false;  // ended by Abort: close instead of the terminating chunk
  std::shared_ptr<std::atomic<bool>> stream_open_;
};

Responder::State::~State() {
  if (done.exchange(true)) return;
  // Dropped unanswered: answer 500 rather than leave the client waiting forever.
  if (auto s = session.lock()) {
    net::post(s->executor(), [s, id = request] { s->Reply(id, Response::Text(500, "no response\n")); });
  }
}

void Responder::Send(Response response) const {
  if (state_->done.exchange(true)) return;
  if (auto s = state_->session.lock()) {
    net::post(s->executor(), [s, id = state_->request, r = std::move(response)]() mutable {
      s->Reply(id, std::move(r));
    });
  }
}

void Responder::Abort() const {
  if (state_->done.exchange(true)) return;
  if (auto s = state_->session.lock()) net::post(s->executor(), [s, id = state_->request] { s->Abort(id); });
}

void Responder::After(std::chrono::milliseconds delay, std::function<void()> fn) const {
  auto s = state_->session.lock();
  if (!s) return;
  auto timer = std::make_shared<net::steady_timer>(s->executor(), delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

namespace {

class StreamImpl final : public ResponseStream {
 public:
  StreamImpl(std::weak_ptr<Session> s, std::uint64_t request)
      : session_(std::move(s)), request_(request), open_(std::make_shared<std::atomic<bool>>(true)) {}
  bool Write(std::string chunk) override {
    if (!*open_) return false;
    auto s = session_.lock();
    if (!s) return *open_ = false;
    net::post(s->executor(), [s, id = request_, c = std::move(chunk)]() mutable { s->QueueChunk(id, std::move(c)); });
    return true;
  }
  void End() override {
    if (auto s = session_.lock()) net::post(s->executor(), [s, id = request_] { s->QueueEnd(id); });
  }
  void Abort() override {
    if (auto s = session_.lock()) net::post(s->executor(), [s, id = request_] { s->QueueAbort(id); });
  }
  bool open() const override { return *open_; }
  const std::shared_ptr<std::atomic<bool>>& flag() const { return open_; }

 private:
  std::weak_ptr<Session> session_;
  std::uint64_t request_;
  std::shared_ptr<std::atomic<bool>> open_;
};

}  // namespace

std::shared_ptr<ResponseStream> Responder::Stream(int status, Headers headers) const {
  auto stream = std::make_shared<StreamImpl>(state_->session, state_->request);
  if (state_->done.exchange(true)) {
    *stream->flag() = false;
    return stream;
  }
  if (auto s = state_->session.lock()) {
    net::post(s->executor(), [s, id = state_->request, status, h = std::move(headers), open = stream->flag()]() mutable {
      s->StartStream(id, status, std::move(h), std::move(open));
    });
  } else {
    *stream->flag() = false;
  }
  return stream;
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped || !acceptor.is_open()) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      std::uint64_t id = 0;
      Register(session, id);
      session->Start(id);
      return Accept();
    }
    // Out of descriptors and the like: try again shortly instead of spinning.
    auto timer = std::make_shared<net::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) {
      if (!stopped) Accept();
    });
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

faltrain::result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  if (!handler) return faltrain::fail(faltrain::errc::invalid_argument, "async_http: no handler");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  beast::error_code ec;
  auto address = net::ip::make_address(impl->options.address, ec);
  if (ec) {
    return faltrain::fail(faltrain::errc::invalid_argument,
                          "async_http: not an IP address: " + impl->options.address);
  }
  tcp::endpoint endpoint(address, impl->options.port);
  auto& a = impl->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(std::max(1, impl->options.backlog), ec);
  if (ec) {
    return faltrain::fail(faltrain::errc::io_error, "async_http: cannot listen on " + impl->options.address +
                                                         ":" + std::to_string(impl->options.port) + ": " +
                                                         ec.message());
  }
  impl->Accept();
  for (int i = 0; i < std::max(1, impl->options.io_threads); ++i) {
    impl->threads.emplace_back([io = &impl->ioc] {
      auto guard = net::make_work_guard(*io);
      io->run();
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

unsigned short Server::port() const {
  beast::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void Server::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (impl_->stopped) return;
  auto timer = std::make_shared<net::steady_timer>(impl_->ioc, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

void Server::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // No I/O thread is left: sockets can be closed from here.
  beast::error_code ec;
  impl_->acceptor.close(ec);
  std::unordered_map<std::uint64_t, std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(impl_->sessions_mu);
    sessions.swap(impl_->sessions);
  }
  for (auto& [id, session] : sessions) session->Close();  // clients see the connection close now
}

std::size_t Server::connections() const {
  std::lock_guard<std::mutex> lock(impl_->sessions_mu);
  return impl_->sessions.size();
}

}  // namespace async_http
