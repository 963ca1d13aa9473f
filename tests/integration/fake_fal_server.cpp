#include "fake_fal_server.hpp"

#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>

#include <httplib.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace faltrain_testing {
namespace {

using faltrain::detail::JsonDocument;
using faltrain::JsonWriter;
using faltrain::detail::ReadString;

constexpr const char* kJson = "application/json";
constexpr const char* kLogTimestamp = "2024-12-20T15:37:17.120314";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// fal's rule: the first two path segments name the app ("workflows"/"comfy" take three).
std::string AppOf(const std::string& endpoint) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= endpoint.size()) {
    const auto slash = endpoint.find('/', start);
    parts.push_back(endpoint.substr(start, slash == std::string::npos ? std::string::npos
                                                                      : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  const std::size_t keep = (parts[0] == "workflows" || parts[0] == "comfy") ? 3 : 2;
  std::string app;
  for (std::size_t i = 0; i < parts.size() && i < keep; ++i) app += (i ? "/" : "") + parts[i];
  return app;
}

/// Closes the server side of the connection a request arrived on, without answering. httplib
/// gives handlers no socket, so find it: the socket whose local port is the server's and whose
/// peer port is the client's.
bool ShutdownConnection(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool done = false;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0 ||
        local.ss_family != AF_INET || peer.ss_family != AF_INET) {
      continue;
    }
    const auto* l = reinterpret_cast<const sockaddr_in*>(&local);
    const auto* p = reinterpret_cast<const sockaddr_in*>(&peer);
    if (ntohs(l->sin_port) == local_port && ntohs(p->sin_port) == remote_port) {
      ::shutdown(static_cast<int>(fd), SHUT_RDWR);
      done = true;
      break;
    }
  }
  closedir(dir);
  return done;
}

std::string DetailBody(std::string_view detail) {
  return JsonWriter().BeginObject().Field("detail", detail).EndObject().str();
}

struct Job {
  std::string endpoint;
  std::string app;
  std::string request_id;
  int polls = 0;
  int polls_in_queue = 1;
  int polls_in_progress = 1;
  bool completed = false;
  bool cancel_requested = false;
};

struct Upload {
  std::string file_url;
  std::string content_type;
  std::optional<std::string> bytes;
  std::map<int, std::string> parts;  // multipart, by part number
};

}  // namespace

namespace {

Fault MakeFault(Fault::Kind kind, int times) {
  Fault f;
  f.kind = kind;
  f.times = times;
  return f;
}

}  // namespace

Fault Fault::Unauthorized(int times) { return MakeFault(Kind::kUnauthorized, times); }
Fault Fault::Validation(int times) { return MakeFault(Kind::kValidation, times); }
Fault Fault::RateLimited(int retry_after_seconds, int times) {
  Fault f = MakeFault(Kind::kRateLimited, times);
  f.retry_after_seconds = retry_after_seconds;
  return f;
}
Fault Fault::Unavailable(int times) { return MakeFault(Kind::kUnavailable, times); }
Fault Fault::DropConnection(int times) { return MakeFault(Kind::kDropConnection, times); }
Fault Fault::Slow(std::chrono::milliseconds delay, int times) {
  Fault f = MakeFault(Kind::kSlow, times);
  f.delay = delay;
  return f;
}
Fault Fault::MalformedJson(int times) { return MakeFault(Kind::kMalformedJson, times); }
Fault Fault::HugeBody(std::size_t bytes, bool chunked, int times) {
  Fault f = MakeFault(Kind::kHugeBody, times);
  f.body_bytes = bytes;
  f.chunked = chunked;
  return f;
}

std::optional<std::string> ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::string ReceivedRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::string DefaultTrainingResultJson(std::string_view base_url) {
  JsonWriter w;
  // One of fal's File objects, served by this server under /files/out/.
  auto file = [&](std::string_view key, std::string_view name, std::string_view content_type,
                  std::uint64_t size) {
    w.Key(key).BeginObject();
    w.Field("url", fmt::format("{}/files/out/{}", base_url, name));
    w.Field("content_type", content_type);
    w.Field("file_name", name);
    w.Key("file_size").Uint(size);
    w.EndObject();
  };
  w.BeginObject();
  file("diffusers_lora_file", "pytorch_lora_weights.safetensors", "application/octet-stream", 89745224);
  file("config_file", "config.json", "application/json", 1523);
  w.EndObject();
  return std::move(w).str();
}

int UnusedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  ::close(fd);  // never listened: connecting is refused
  return ntohs(addr.sin_port);
}

struct FakeFalServer::Impl {
  FakeFalServerOptions options;
  std::unique_ptr<httplib::Server> server_holder;
  httplib::Server& server;
  std::thread thread;
  int port = 0;
  std::string base;

  mutable std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::map<Route, std::vector<Fault>> faults;
  std::map<Route, int> counts;
  std::vector<ReceivedRequest> log;
  std::set<int> remote_ports;
  std::map<std::string, Job> jobs;
  std::map<std::string, Upload> uploads;  // by upload token
  std::uint64_t next_id = 1;

  explicit Impl(FakeFalServerOptions o)
      : options(std::move(o)), server_holder(MakeServer(options)), server(*server_holder) {}

  static std::unique_ptr<httplib::Server> MakeServer(const FakeFalServerOptions& o) {
    if (o.tls_cert_file.empty()) return std::make_unique<httplib::Server>();
    auto tls = std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
    if (!tls->is_valid()) throw std::runtime_error("FakeFalServer: unusable TLS certificate or key");
    return tls;
  }

  /// Records the request, then applies the route's next fault. Returns true when the fault
  /// produced the whole answer.
  bool Intercept(Route route, const httplib::Request& req, httplib::Response& res) {
    std::optional<Fault> fault;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++counts[route];
      remote_ports.insert(req.remote_port);
      if (options.record_requests) {
        ReceivedRequest r;
        r.route = route;
        r.method = req.method;
        r.path = req.path;
        r.target = req.target;
        for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
        for (const auto& [k, v] : req.params) r.params.emplace(k, v);
        r.body = req.body;
        r.remote_port = req.remote_port;
        r.tls_session_reused = req.ssl != nullptr && SSL_session_reused(req.ssl) == 1;
        log.push_back(std::move(r));
      }
      auto& pending = faults[route];
      if (!pending.empty()) {
        fault = pending.front();
        if (pending.front().times > 0 && --pending.front().times == 0) {
          pending.erase(pending.begin());
        }
      }
    }
    if (!fault) return false;
    switch (fault->kind) {
      case Fault::Kind::kUnauthorized:
        res.status = 401;
        res.set_content(DetailBody("No user found for Key ID and Secret"), kJson);
        return true;
      case Fault::Kind::kValidation: {
        JsonWriter w;
        w.BeginObject().Key("detail").BeginArray();
        w.BeginObject().Key("loc").BeginArray().String("body").String("images_data_url").EndArray();
        w.Field("msg", "field required").Field("type", "value_error.missing").EndObject();
        w.BeginObject().Key("loc").BeginArray().String("body").String("steps").EndArray();
        w.Field("msg", "ensure this value is less than or equal to 10000")
            .Field("type", "value_error.number.not_le")
            .EndObject();
        w.EndArray().EndObject();
        res.status = 422;
        res.set_content(std::move(w).str(), kJson);
        return true;
      }
      case Fault::Kind::kRateLimited:
        res.status = 429;
        res.set_header("Retry-After", std::to_string(fault->retry_after_seconds));
        res.set_content(DetailBody("Rate limit exceeded"), kJson);
        return true;
      case Fault::Kind::kUnavailable:
        res.status = 503;
        res.set_header("X-Fal-Error-Type", "runner_scheduling_failure");
        res.set_content(JsonWriter()
                            .BeginObject()
                            .Field("detail", "Runner scheduling failure")
                            .Field("error_type", "runner_scheduling_failure")
                            .EndObject()
                            .str(),
                        kJson);
        return true;
      case Fault::Kind::kDropConnection:
        ShutdownConnection(req.local_port, req.remote_port);
        res.status = 500;  // never arrives: the socket is already shut down
        return true;
      case Fault::Kind::kSlow: {
        std::unique_lock<std::mutex> lock(mu);
        stop_cv.wait_for(lock, fault->delay, [this] { return stopping; });
        return false;  // then answer normally
      }
      case Fault::Kind::kMalformedJson:
        res.status = route == Route::kStatus ? 202 : 200;
        res.set_content(R"({"status": "IN_QUEUE", "request_id": "80e732af-660e)", kJson);
        return true;
      case Fault::Kind::kHugeBody: {
        const std::string prefix = R"({"status":"IN_QUEUE","padding":")";
        const std::string suffix = R"("})";
        const std::size_t total = std::max(fault->body_bytes, prefix.size() + suffix.size());
        std::string body = prefix + std::string(total - prefix.size() - suffix.size(), 'x') + suffix;
        res.status = 200;
        if (fault->chunked) {
          auto shared = std::make_shared<std::string>(std::move(body));
          res.set_chunked_content_provider(kJson, [shared](std::size_t offset, httplib::DataSink& sink) {
            if (offset >= shared->size()) {
              sink.done();
              return true;
            }
            const std::size_t n = std::min<std::size_t>(64 * 1024, shared->size() - offset);
            return sink.write(shared->data() + offset, n);
          });
        } else {
          res.set_content(std::move(body), kJson);
        }
        return true;
      }
    }
    return false;
  }

  bool Authorized(const httplib::Request& req, httplib::Response& res) const {
    const std::string auth = req.get_header_value("Authorization");
    const bool ok = auth.rfind("Key ", 0) == 0 && auth.size() > 4 &&
                    (options.expected_key.empty() || auth.substr(4) == options.expected_key);
    if (!ok) {
      res.status = 401;
      res.set_content(DetailBody("No user found for Key ID and Secret"), kJson);
    }
    return ok;
  }

  void WriteJobFields(JsonWriter& w, const Job& job) const {
    const std::string response_url = fmt::format("{}/{}/requests/{}", base, job.app, job.request_id);
    w.Field("request_id", job.request_id);
    w.Field("response_url", response_url);
    w.Field("status_url", response_url + "/status");
    w.Field("cancel_url", response_url + "/cancel");
  }

  void Submit(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kSubmit, req, res) || !Authorized(req, res)) return;
    Job job;
    {
      std::lock_guard<std::mutex> lock(mu);
      job.endpoint = req.matches[1];
      job.app = AppOf(job.endpoint);
      job.request_id = fmt::format("{:08x}-0000-4000-8000-{:012x}", next_id, next_id * 2654435761u);
      ++next_id;
      job.polls_in_queue = options.polls_in_queue;
      job.polls_in_progress = options.polls_in_progress;
      jobs[job.request_id] = job;
    }
    JsonWriter w;
    w.BeginObject().Field("status", "IN_QUEUE");
    WriteJobFields(w, job);
    w.Field("gateway_request_id", job.request_id);
    w.Field("queue_position", job.polls_in_queue > 0 ? job.polls_in_queue - 1 : 0);
    w.EndObject();
    res.status = 200;
    res.set_content(std::move(w).str(), kJson);
  }

  /// The job named by the route, if its app matches the URL.
  std::optional<Job> FindJob(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = jobs.find(req.matches[2]);
    if (it == jobs.end() || it->second.app != req.matches[1]) {
      res.status = 404;
      res.set_content(DetailBody("Request not found"), kJson);
      return std::nullopt;
    }
    return it->second;
  }

  void Status(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kStatus, req, res) || !Authorized(req, res)) return;
    Job job;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = jobs.find(req.matches[2]);
      if (it == jobs.end() || it->second.app != req.matches[1]) {
        res.status = 404;
        res.set_content(DetailBody("Request not found"), kJson);
        return;
      }
      Job& stored = it->second;
      if (stored.polls >= stored.polls_in_queue + stored.polls_in_progress) stored.completed = true;
      ++stored.polls;
      job = stored;
    }
    const int poll = job.polls - 1;
    const bool with_logs = req.get_param_value("logs") == "1" || req.get_param_value("logs") == "true";
    JsonWriter w;
    w.BeginObject();
    if (job.completed) {
      w.Field("status", "COMPLETED");
    } else if (poll < job.polls_in_queue) {
      w.Field("status", "IN_QUEUE");
    } else {
      w.Field("status", "IN_PROGRESS");
    }
    WriteJobFields(w, job);
    if (!job.completed && poll < job.polls_in_queue) {
      w.Field("queue_position", job.polls_in_queue - poll - 1);
    }
    if (with_logs && (job.completed || poll >= job.polls_in_queue)) {
      const int progress_polls = job.completed ? job.polls_in_progress : poll - job.polls_in_queue + 1;
      w.Key("logs").BeginArray();
      w.BeginObject().Field("message", "Preprocessing images...").Field("level", "INFO");
      w.Field("source", "USER").Field("timestamp", kLogTimestamp).EndObject();
      for (int i = 1; i <= progress_polls; ++i) {
        const int steps = 1000;
        const int step = job.polls_in_progress > 0 ? steps * i / (job.polls_in_progress + 1) : 0;
        w.BeginObject().Field("message", fmt::format("Training step {}/{}", step, steps));
        w.Field("level", "INFO").Field("source", "USER").Field("timestamp", kLogTimestamp).EndObject();
      }
      w.EndArray();
    }
    if (job.completed) {
      w.Key("metrics").BeginObject().Field("inference_time", 17.795265674591064).EndObject();
    }
    w.EndObject();
    res.status = job.completed ? 200 : 202;
    res.set_content(std::move(w).str(), kJson);
  }

  void Result(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kResult, req, res) || !Authorized(req, res)) return;
    auto job = FindJob(req, res);
    if (!job) return;
    if (!job->completed) {
      res.status = 400;
      res.set_content(DetailBody("Request is still in progress"), kJson);
      return;
    }
    res.status = 200;
    res.set_header("x-fal-request-id", job->request_id);
    res.set_content(options.result_json.empty() ? DefaultTrainingResultJson(base)
                                                : options.result_json,
                    kJson);
  }

  void Cancel(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kCancel, req, res) || !Authorized(req, res)) return;
    bool completed = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = jobs.find(req.matches[2]);
      if (it == jobs.end() || it->second.app != req.matches[1]) {
        res.status = 404;
        res.set_content(JsonWriter().BeginObject().Field("status", "NOT_FOUND").EndObject().str(),
                        kJson);
        return;
      }
      completed = it->second.completed;
      if (!completed) it->second.cancel_requested = true;
    }
    res.status = completed ? 400 : 202;
    res.set_content(JsonWriter()
                        .BeginObject()
                        .Field("status", completed ? "ALREADY_COMPLETED" : "CANCELLATION_REQUESTED")
                        .EndObject()
                        .str(),
                    kJson);
  }

  void UploadInitiate(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kUploadInitiate, req, res) || !Authorized(req, res)) return;
    std::string file_name = "upload.bin";
    std::string content_type = "application/octet-stream";
    JsonDocument doc(req.body);
    auto object = doc.Object();
    if (doc.error() != simdjson::SUCCESS || object.error()) {
      res.status = 422;
      res.set_content(DetailBody("body must be a JSON object"), kJson);
      return;
    }
    for (auto field : object.value_unsafe()) {
      std::string_view key;
      faltrain::detail::od::value value;
      if (field.unescaped_key().get(key) || field.value().get(value)) break;
      if (key == "file_name") {
        if (auto v = ReadString(value)) file_name = *v;
      } else if (key == "content_type") {
        if (auto v = ReadString(value)) content_type = *v;
      }
    }
    std::string token;
    Upload upload;
    {
      std::lock_guard<std::mutex> lock(mu);
      token = fmt::format("u{:06}", next_id++);
      upload.file_url = fmt::format("{}/files/{}/{}", base, token, file_name);
      upload.content_type = content_type;
      uploads[token] = upload;
    }
    res.status = 200;
    res.set_content(JsonWriter()
                        .BeginObject()
                        .Field("upload_url", fmt::format("{}/upload/{}?signature=s3cr3t", base, token))
                        .Field("file_url", upload.file_url)
                        .EndObject()
                        .str(),
                    kJson);
  }

  /// With `mu` held: the upload the URL's token names, when its signature is right; otherwise
  /// answers 403 and returns uploads.end().
  std::map<std::string, Upload>::iterator SignedUpload(const httplib::Request& req, httplib::Response& res) {
    auto it = uploads.find(req.matches[1]);
    if (it == uploads.end() || req.get_param_value("signature") != "s3cr3t") {
      res.status = 403;
      res.set_content(DetailBody("Invalid upload URL"), kJson);
      return uploads.end();
    }
    return it;
  }

  void UploadPut(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kUploadPut, req, res)) return;
    std::lock_guard<std::mutex> lock(mu);
    auto it = SignedUpload(req, res);
    if (it == uploads.end()) return;
    it->second.bytes = req.body;
    if (req.has_header("Content-Type")) it->second.content_type = req.get_header_value("Content-Type");
    res.status = 200;
  }

  void UploadPart(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kUploadPut, req, res)) return;
    std::lock_guard<std::mutex> lock(mu);
    auto it = SignedUpload(req, res);
    if (it == uploads.end()) return;
    const int part = std::atoi(std::string(req.matches[2]).c_str());
    it->second.parts[part] = req.body;
    res.status = 200;
    res.set_header("ETag", fmt::format("\"etag-{}-{}\"", it->first, part));
  }

  void UploadComplete(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kUploadComplete, req, res)) return;
    // Checks that every listed part exists with its etag, in order, then joins them.
    std::vector<std::pair<int, std::string>> listed;
    JsonDocument doc(req.body);
    auto object = doc.Object();
    bool ok = doc.error() == simdjson::SUCCESS && !object.error();
    if (ok) {
      for (auto field : object.value_unsafe()) {
        std::string_view key;
        if (field.unescaped_key().get(key) || key != "parts") continue;
        faltrain::detail::od::array parts;
        if (field.value().get_array().get(parts)) {
          ok = false;
          break;
        }
        for (auto element : parts) {
          faltrain::detail::od::object part;
          if (element.get_object().get(part)) {
            ok = false;
            break;
          }
          int number = 0;
          std::string etag;
          for (auto pf : part) {
            std::string_view pk;
            faltrain::detail::od::value pv;
            if (pf.unescaped_key().get(pk) || pf.value().get(pv)) break;
            if (pk == "partNumber") {
              if (auto n = faltrain::detail::ReadInt(pv)) number = static_cast<int>(*n);
            } else if (pk == "etag") {
              if (auto e = ReadString(pv)) etag = *e;
            }
          }
          listed.emplace_back(number, etag);
        }
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    auto it = SignedUpload(req, res);
    if (it == uploads.end()) return;
    std::string joined;
    int expected = 1;
    for (const auto& [number, etag] : listed) {
      auto part = it->second.parts.find(number);
      if (number != expected++ || part == it->second.parts.end() ||
          etag != fmt::format("\"etag-{}-{}\"", it->first, number)) {
        ok = false;
        break;
      }
      joined += part->second;
    }
    if (!ok || listed.empty() || listed.size() != it->second.parts.size()) {
      res.status = 400;
      res.set_content(DetailBody("parts do not match the uploaded parts"), kJson);
      return;
    }
    it->second.bytes = std::move(joined);
    res.status = 200;
    res.set_content(JsonWriter().BeginObject().Field("url", it->second.file_url).EndObject().str(), kJson);
  }

  void File(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kFile, req, res)) return;
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [token, upload] : uploads) {
      if (upload.file_url == base + req.path && upload.bytes) {
        res.status = 200;
        res.set_content(*upload.bytes, upload.content_type.c_str());
        return;
      }
    }
    res.status = 404;
    res.set_content(DetailBody("File not found"), kJson);
  }

  void Redirect(const httplib::Request& req, httplib::Response& res) {
    if (Intercept(Route::kRedirect, req, res)) return;
    const std::string code = req.get_param_value("code");
    res.status = code.empty() ? 302 : std::atoi(code.c_str());
    res.set_header("Location", req.get_param_value("to"));
    res.set_header("X-Hop", "redirect");
    res.set_content(DetailBody("moved"), kJson);
  }
};

FakeFalServer::FakeFalServer(FakeFalServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& s = impl_->server;
  Impl* impl = impl_.get();
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(1000000);
  s.set_keep_alive_timeout(5);
  // httplib serves each connection on a pool thread until it closes: allow plenty of them.
  s.new_task_queue = [] { return new httplib::ThreadPool(64); };
  s.set_payload_max_length(std::size_t{1} << 30);
  // Registration order matters: the first matching pattern wins.
  s.Get(R"(/redirect)", [impl](const auto& q, auto& r) { impl->Redirect(q, r); });
  s.Post(R"(/redirect)", [impl](const auto& q, auto& r) { impl->Redirect(q, r); });
  s.Get(R"(/files/(.+))", [impl](const auto& q, auto& r) { impl->File(q, r); });
  s.Put(R"(/upload/([^/]+))", [impl](const auto& q, auto& r) { impl->UploadPut(q, r); });
  s.Put(R"(/upload/([^/]+)/(\d+))", [impl](const auto& q, auto& r) { impl->UploadPart(q, r); });
  s.Post(R"(/upload/([^/]+)/complete)", [impl](const auto& q, auto& r) { impl->UploadComplete(q, r); });
  s.Post(R"(/storage/upload/initiate(-multipart)?)",
         [impl](const auto& q, auto& r) { impl->UploadInitiate(q, r); });
  s.Get(R"(/(.+)/requests/([^/]+)/status)", [impl](const auto& q, auto& r) { impl->Status(q, r); });
  s.Get(R"(/(.+)/requests/([^/]+))", [impl](const auto& q, auto& r) { impl->Result(q, r); });
  s.Put(R"(/(.+)/requests/([^/]+)/cancel)", [impl](const auto& q, auto& r) { impl->Cancel(q, r); });
  s.Post(R"(/(.+))", [impl](const auto& q, auto& r) { impl->Submit(q, r); });

  impl_->port = s.bind_to_any_port("127.0.0.1");
  if (impl_->port <= 0) throw std::runtime_error("FakeFalServer: cannot bind 127.0.0.1");
  impl_->base = fmt::format("{}://127.0.0.1:{}",
                             impl_->options.tls_cert_file.empty() ? "http" : "https", impl_->port);
  impl_->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  while (!s.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeFalServer::~FakeFalServer() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int FakeFalServer::port() const { return impl_->port; }
std::string FakeFalServer::base_url() const { return impl_->base; }

void FakeFalServer::AddFault(Route route, Fault fault) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (fault.times != 0) impl_->faults[route].push_back(fault);
}

void FakeFalServer::ClearFaults() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults.clear();
}

void FakeFalServer::SetStatusScript(int polls_in_queue, int polls_in_progress) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->options.polls_in_queue = polls_in_queue;
  impl_->options.polls_in_progress = polls_in_progress;
}

int FakeFalServer::count(Route route) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->counts.find(route);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::vector<ReceivedRequest> FakeFalServer::received() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->log;
}

std::vector<ReceivedRequest> FakeFalServer::received(Route route) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<ReceivedRequest> out;
  for (const auto& r : impl_->log) {
    if (r.route == route) out.push_back(r);
  }
  return out;
}

std::size_t FakeFalServer::connections_seen() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->remote_ports.size();
}

std::optional<std::string> FakeFalServer::uploaded(const std::string& file_url) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const auto& [token, upload] : impl_->uploads) {
    if (upload.file_url == file_url) return upload.bytes;
  }
  return std::nullopt;
}

void FakeFalServer::ResetCounters() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->counts.clear();
  impl_->log.clear();
  impl_->remote_ports.clear();
}

}  // namespace faltrain_testing
