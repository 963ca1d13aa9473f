#include "testing/detail/sim_core.hpp"

#include "webhooks/detail/encoding.hpp"
#include <faltrain/client/json_writer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

std::string Join(const std::vector<std::string>& parts, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

// fal's live JWKS pads `x` with '=' (the official Python sample relies on it): do the same, so
// receivers built against the simulator handle it.
std::string JwksX(const std::string& public_key) { return Base64UrlEncode(public_key, /*padded=*/true); }

std::string InitialSeed(const SimOptions& options, SimRandom& random) {
  if (!options.signing_key_seed_hex.empty()) {
    if (auto seed = HexDecode(options.signing_key_seed_hex); seed && seed->size() == 32) return *seed;
  }
  return random.Bytes(32);
}

}  // namespace

SimCore::SimCore(SimOptions options, std::shared_ptr<Clock> clock)
    : options_(std::move(options)),
      clock_(clock ? std::move(clock) : MakeSystemClock()),
      trainers_(options_.trainers
                    ? options_.trainers
                    : std::make_shared<const TrainerRegistry>(TrainerRegistry::WithBuiltins())),
      random_(options_.seed),
      webhook_transport_(options_.webhook_transport) {
  for (auto& fault : options_.faults) faults_.Add(fault);
  // The key comes from its own generator so that ids stay the same whether or not a fixed
  // signing key was configured.
  SimRandom key_random(options_.seed == 0 ? 0 : options_.seed ^ 0x5eed5eed5eed5eedULL);
  auto signer = SimSigner::FromSeed(InitialSeed(options_, key_random));
  if (signer) signers_.push_back(std::move(signer).value());
}

SimCore::~SimCore() { StopScheduler(); }

void SimCore::Emit(const std::string& line) const {
  if (options_.on_event) options_.on_event(line);
}

std::string SimCore::FileBase(const SimUrl& url) const {
  return options_.cdn_base_url.empty() ? url.origin : options_.cdn_base_url;
}

SimCore::Call SimCore::Classify(HttpMethod method, const SimUrl& url) {
  const auto& s = url.segments;
  const std::size_t n = s.size();
  Call call;
  auto is = [&](std::initializer_list<const char*> expected) {
    if (n != expected.size()) return false;
    std::size_t i = 0;
    for (const char* e : expected) {
      if (s[i++] != e) return false;
    }
    return true;
  };
  auto want = [&](HttpMethod m, Route route, SimOperation op) {
    call.route = method == m ? route : Route::kMethodNotAllowed;
    call.operation = op;
    return call;
  };
  if (is({".well-known", "jwks.json"})) return want(HttpMethod::kGet, Route::kJwks, SimOperation::kJwks);
  if (is({"storage", "upload", "initiate"})) {
    return want(HttpMethod::kPost, Route::kInitiate, SimOperation::kStorage);
  }
  if (is({"storage", "upload", "initiate-multipart"})) {
    return want(HttpMethod::kPost, Route::kInitiateMultipart, SimOperation::kStorage);
  }
  if (n == 3 && s[0] == "_sim" && s[1] == "upload") {
    call.token = s[2];
    return want(HttpMethod::kPut, Route::kUploadPut, SimOperation::kStorage);
  }
  if (n == 4 && s[0] == "_sim" && s[1] == "multipart") {
    call.token = s[2];
    if (s[3] == "complete") return want(HttpMethod::kPost, Route::kMultipartComplete, SimOperation::kStorage);
    call.part = std::all_of(s[3].begin(), s[3].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
                        s[3].size() < 6
                    ? std::stoi(s[3])
                    : -1;
    return want(HttpMethod::kPut, Route::kPartPut, SimOperation::kStorage);
  }
  if (n >= 2 && s[0] == "files") return want(HttpMethod::kGet, Route::kFile, SimOperation::kStorage);
  // Queue: [ns/]owner/alias/requests/<id>[/status[/stream]|/cancel]
  if (n >= 5 && s[n - 4] == "requests" && s[n - 2] == "status" && s[n - 1] == "stream") {
    call.app = Join(s, 0, n - 4);
    call.request_id = s[n - 3];
    return want(HttpMethod::kGet, Route::kStatusStream, SimOperation::kStatusStream);
  }
  if (n >= 4 && s[n - 3] == "requests" && (s[n - 1] == "status" || s[n - 1] == "cancel")) {
    call.app = Join(s, 0, n - 3);
    call.request_id = s[n - 2];
    if (s[n - 1] == "status") return want(HttpMethod::kGet, Route::kStatus, SimOperation::kStatus);
    return want(HttpMethod::kPut, Route::kCancel, SimOperation::kCancel);
  }
  if (n >= 3 && s[n - 2] == "requests" && method == HttpMethod::kGet) {
    call.app = Join(s, 0, n - 2);
    call.request_id = s[n - 1];
    call.route = Route::kResult;
    call.operation = SimOperation::kResult;
    return call;
  }
  if (n >= 2 && method == HttpMethod::kPost) {
    call.route = Route::kSubmit;
    call.operation = SimOperation::kSubmit;
    return call;
  }
  call.route = n >= 2 ? Route::kMethodNotAllowed : Route::kNotFound;
  return call;
}

std::optional<HttpResponse> SimCore::CheckAuthorization(const HttpRequest& request) const {
  std::string_view header = request.headers.Get("Authorization");
  if (!options_.api_key.empty()) {
    if (header.empty()) return DetailResponse(401, "Missing authorization header");
    if (header != "Key " + options_.api_key) {
      return DetailResponse(401, "No user found for Key ID and Secret");
    }
    return std::nullopt;
  }
  if (header.empty()) return std::nullopt;  // test mode: the client has no key
  if (header.substr(0, 7) == "Bearer " && header.size() > 7) return std::nullopt;
  std::string_view key = header.substr(0, 4) == "Key " ? header.substr(4) : std::string_view();
  auto colon = key.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size() ||
      key.find_first_of(" \t\r\n") != std::string_view::npos) {
    return DetailResponse(401, "Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'.");
  }
  return std::nullopt;
}

std::string SimCore::NewRequestId(std::string_view avatar_id) {
  for (;;) {
    std::string id;
    if (!avatar_id.empty()) {
      // The seed's form: test_<first 8 chars of the avatar id>_<6 hex>, kept URL-path safe.
      std::string prefix;
      for (char c : avatar_id) {
        if (prefix.size() == 8) break;
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') prefix += c;
      }
      id = "test_" + prefix + "_" + random_.Hex(6);
    } else {
      id = random_.Uuid();
    }
    if (requests_.find(id) == requests_.end()) return id;
  }
}

std::optional<result<HttpResponse>> SimCore::Admit(const HttpRequest& request, const SimUrl& url,
                                                   const Call& call, std::optional<SimFault>& fault,
                                                   std::chrono::milliseconds* deferred) {
  // fal checks keys on the queue and on upload initiation; upload URLs are pre-signed, files and
  // the JWKS are public.
  bool needs_key = call.operation == SimOperation::kSubmit || call.operation == SimOperation::kStatus ||
                   call.operation == SimOperation::kStatusStream ||
                   call.operation == SimOperation::kResult || call.operation == SimOperation::kCancel ||
                   call.route == Route::kInitiate || call.route == Route::kInitiateMultipart;
  if (needs_key) {
    if (auto denied = CheckAuthorization(request)) return result<HttpResponse>(std::move(*denied));
  }

  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string endpoint_id, input;
    if (call.route == Route::kSubmit) {
      endpoint_id = Join(url.segments, 0, url.segments.size());
      input = request.body;
    } else if (!call.request_id.empty()) {
      if (auto it = requests_.find(call.request_id); it != requests_.end()) {
        endpoint_id = it->second.endpoint_id;
        input = it->second.input;
      }
    }
    fault = faults_.Take({SimFaultKind::kRateLimit, SimFaultKind::kBadGateway,
                          SimFaultKind::kServiceUnavailable, SimFaultKind::kDropConnection,
                          SimFaultKind::kSlowResponse},
                         call.operation, endpoint_id, call.request_id, input, random_);
  }
  if (fault) {
    Emit(fmt::format("fault {} on {} {}", to_string(fault->kind), to_string(request.method), url.path));
    switch (fault->kind) {
      case SimFaultKind::kRateLimit: {
        HttpResponse response = DetailResponse(429, "Rate limit exceeded. Please retry later.");
        auto seconds = std::max<long long>(
            1, static_cast<long long>(std::ceil(static_cast<double>(fault->delay.count()) / 1000.0)));
        response.headers.Add("retry-after", std::to_string(seconds));
        return result<HttpResponse>(std::move(response));
      }
      case SimFaultKind::kBadGateway: return result<HttpResponse>(NginxErrorPage(502));
      case SimFaultKind::kServiceUnavailable: return result<HttpResponse>(NginxErrorPage(503));
      case SimFaultKind::kSlowResponse:
        if (deferred != nullptr) {
          *deferred += fault->delay;
          break;
        }
        // The caller's total timeout applies as on a network: an answer later than it never comes.
        if (!request.no_total_timeout && request.timeout.count() > 0 && fault->delay > request.timeout) {
          clock_->SleepFor(request.timeout);
          return result<HttpResponse>(fail(errc::timeout, fmt::format("simulated slow response: no answer within {} ms",
                                                 request.timeout.count())));
        }
        clock_->SleepFor(fault->delay);
        break;
      default: break;
    }
  }
  return std::nullopt;
}

result<HttpResponse> SimCore::Handle(const HttpRequest& request, std::chrono::milliseconds* deferred) {
  SimUrl url = ParseSimUrl(request.url);
  Call call = Classify(request.method, url);
  std::optional<SimFault> fault;
  if (auto answer = Admit(request, url, call, fault, deferred)) return std::move(*answer);

  HttpResponse response;
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (call.route) {
      case Route::kSubmit: response = Submit(request, url); break;
      case Route::kStatus: response = Status(call, url); break;
      case Route::kResult: response = Result(call); break;
      case Route::kCancel: response = Cancel(call); break;
      case Route::kInitiate: response = Initiate(request, url, false); break;
      case Route::kInitiateMultipart: response = Initiate(request, url, true); break;
      case Route::kUploadPut: response = UploadPut(request, call); break;
      case Route::kPartPut: response = PartPut(request, call); break;
      case Route::kMultipartComplete: response = MultipartComplete(request, call); break;
      case Route::kFile: response = ServeFile(url); break;
      case Route::kJwks: response = Jwks(); break;
      case Route::kStatusStream:
        // Served by OpenStatusStream: SimTransport routes streams there before Handle.
        response = DetailResponse(404, "Not Found");
        break;
      case Route::kMethodNotAllowed: response = DetailResponse(405, "Method Not Allowed"); break;
      case Route::kNotFound: response = DetailResponse(404, "Not Found"); break;
    }
  }
  if (fault && fault->kind == SimFaultKind::kDropConnection) {
    return fail(errc::network_error,
                "simulated dropped connection after the server processed the request");
  }
  return response;
}

void SimCore::AddFault(SimFault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.Add(std::move(fault));
}

void SimCore::RotateSigningKey(bool keep_previous) {
  std::lock_guard<std::mutex> lock(mu_);
  auto signer = SimSigner::FromSeed(random_.Bytes(32));
  if (!signer) return;
  if (!keep_previous) signers_.clear();
  signers_.insert(signers_.begin(), std::move(signer).value());
  Emit("signing key rotated" + std::string(keep_previous ? " (previous keys kept in JWKS)" : ""));
}

std::string SimCore::JwksJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Jwks().body;
}

std::string SimCore::PublicKeyBase64Url() const {
  std::lock_guard<std::mutex> lock(mu_);
  return signers_.empty() ? std::string() : JwksX(signers_.front().public_key());
}

std::vector<std::string> SimCore::ReceivedSubmissions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

HttpResponse SimCore::Jwks() const {
  // Called with mu_ held: build the document without re-locking.
  JsonWriter w;
  w.BeginObject().Key("keys").BeginArray();
  for (const auto& signer : signers_) {
    w.BeginObject()
        .Field("kty", "OKP")
        .Field("crv", "Ed25519")
        .Field("x", JwksX(signer.public_key()))
        .EndObject();
  }
  w.EndArray().EndObject();
  return JsonResponse(200, std::move(w).str());
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
