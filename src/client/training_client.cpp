#include <faltrain/client/training_client.hpp>
#include <faltrain/client/curl_transport.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/http_error.hpp"
#include "client/detail/input_fields.hpp"
#include "client/detail/json_reader.hpp"
#include "client/detail/json_validate.hpp"
#include <faltrain/client/json_writer.hpp>
#include "client/detail/queue_protocol.hpp"
#include "client/detail/status_stream.hpp"
#include "client/detail/url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace {

using std::chrono::milliseconds;

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// fal keys are "<key_id>:<key_secret>" (reference §1): two non-empty parts around one colon.
bool IsKeyIdAndSecret(std::string_view key) {
  const auto colon = key.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < key.size() &&
         key.find(':', colon + 1) == std::string_view::npos &&
         key.find_first_of(" \t\r\n") == std::string_view::npos;
}

// A caller's extra submit header: a valid name, a single-line value, nothing the client owns.
result<void> CheckExtraHeader(std::string_view name, std::string_view value) {
  constexpr std::string_view kTokenChars =
      "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  if (name.empty() || name.find_first_not_of(kTokenChars) != std::string_view::npos) {
    return fail(errc::invalid_argument, fmt::format("extra header name \"{}\" is not an HTTP token", name));
  }
  if (value.find_first_of("\r\n") != std::string_view::npos || value.find('\0') != std::string_view::npos) {
    return fail(errc::invalid_argument, fmt::format("extra header {} has a line break in its value", name));
  }
  for (std::string_view owned : {"Authorization", "Content-Type", "Content-Length", "Host"}) {
    if (name.size() == owned.size() &&
        std::equal(name.begin(), name.end(), owned.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return fail(errc::invalid_argument, fmt::format("extra header {} is set by the client itself", name));
    }
  }
  return success();
}

bool IsUsableFileUrl(std::string_view url) {
  return detail::IsHttpUrl(url) || url.substr(0, 5) == "data:";
}

}  // namespace

// ---- Impl ----------------------------------------------------------------------------------------

namespace {

HttpHeaders MakeBaseHeaders(const ClientOptions& config) {
  HttpHeaders h;
  h.Add("Accept", "application/json");
  h.Add("User-Agent", config.UserAgent());
  if (!config.api_key.empty()) h.Add("Authorization", "Key " + config.api_key);
  return h;
}

}  // namespace

void TrainingClient::Impl::Log(LogLevel level, std::string_view message) const {
  if (config.log) config.log(level, message);
}

double TrainingClient::Impl::Random01() {
  std::lock_guard<std::mutex> lock(rng_mu);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

namespace {

bool IsIngressAnswer(const HttpResponse& response) { return !response.headers.Has("x-fal-request-id"); }

// Whether an HTTP error answer may be repeated under `repeatable` (see `Repeatable`).
// `failure.retryable` already holds the status rule and the server's own verdict.
bool MayRepeatAnswer(const HttpResponse& response, const error& failure, Repeatable repeatable) {
  switch (repeatable) {
    case Repeatable::kYes:
      return failure.retryable;
    case Repeatable::kUnlessAppAnswered:
      if (!failure.retryable) return false;  // a user timeout, or the server said so
      switch (response.status) {
        case 408: case 409: case 429: return true;
        case 502: case 503: case 504: return IsIngressAnswer(response);
        default: return false;  // 500, and whatever X-Fal-Retryable says about the app's request
      }
    case Repeatable::kOnlyIfNotReceived:
      // A second POST could start a second paid training: only an explicit 429 proves fal
      // refused it before accepting it.
      return response.status == 429;
  }
  return false;
}

bool MayRepeatFailure(const error& failure, Repeatable repeatable) {
  if (repeatable == Repeatable::kOnlyIfNotReceived) return failure.code == errc::connect_failed;
  return IsRetryable(failure);
}

}  // namespace

void TrainingClient::Impl::ApplyTimeouts(HttpRequest& request) const {
  if (request.timeout.count() == 0) request.timeout = config.request_timeout;
  if (request.connect_timeout.count() == 0) request.connect_timeout = config.connect_timeout;
}

TrainingClient::Impl::Verdict TrainingClient::Impl::Judge(result<HttpResponse> sent, const HttpRequest& request,
                                                          Repeatable repeatable,
                                                          const std::function<bool(int)>& accept, int attempt,
                                                          Clock::steady_time start,
                                                          std::optional<Clock::steady_time> deadline) {
  const RetryPolicy& policy = config.retry;
  Verdict verdict;
  error& failure = verdict.failure;
  bool may_repeat = false;
  if (sent) {
    if (IsSuccess(sent.value().status) || (accept && accept(sent.value().status))) {
      verdict.final = std::move(sent);
      return verdict;
    }
    failure = detail::ErrorFromResponse(sent.value(), clock->WallNow());
    may_repeat = MayRepeatAnswer(sent.value(), failure, repeatable);
    // What the caller sees says whether trying again can help *this* call.
    if (repeatable != Repeatable::kOnlyIfNotReceived) failure.retryable = may_repeat;
  } else {
    failure = std::move(sent).error();
    may_repeat = MayRepeatFailure(failure, repeatable);
  }
  auto give_up = [&] {
    verdict.final = result<HttpResponse>(fail(failure));
    return verdict;
  };
  if (!may_repeat || attempt >= policy.max_attempts) return give_up();
  verdict.delay = policy.Backoff(attempt, failure, Random01());
  auto now = clock->Now();
  if (now + verdict.delay - start > policy.max_total) return give_up();
  if (deadline && now + verdict.delay >= *deadline) return give_up();
  Log(LogLevel::kInfo, fmt::format("retrying {} {} in {} ms after: {}", to_string(request.method),
                                   detail::UrlForLog(request.url), verdict.delay.count(), failure.to_string()));
  return verdict;
}

result<HttpResponse> TrainingClient::Impl::Execute(HttpRequest request, Repeatable repeatable,
                                                   const std::function<bool(int)>& accept,
                                                   std::optional<Clock::steady_time> deadline,
                                                   CancelToken cancel) {
  ApplyTimeouts(request);
  const auto start = clock->Now();
  for (int attempt = 1;; ++attempt) {
    // Formatted only for a log hook: this runs on every status poll.
    if (config.log) {
      Log(LogLevel::kDebug, fmt::format("{} {} (attempt {})", to_string(request.method),
                                        detail::UrlForLog(request.url), attempt));
    }
    Verdict verdict = Judge(transport->Send(request), request, repeatable, accept, attempt, start, deadline);
    if (verdict.final) return std::move(*verdict.final);
    if (!clock->SleepFor(verdict.delay, cancel)) {
      error e(errc::cancelled, "cancelled while waiting to retry after: " + verdict.failure.to_string());
      e.request_id = verdict.failure.request_id;
      return fail(std::move(e));
    }
  }
}

// ---- construction ------------------------------------------------------------------------------

result<TrainingClient> TrainingClient::Create(ClientOptions config, std::shared_ptr<Transport> transport,
                                              std::shared_ptr<Clock> clock) {
  config.api_key = TrimKey(config.api_key);
  if (!config.test_mode && config.api_key.empty()) {
    return fail(errc::missing_credentials,
                "no fal API key: set FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET, or FAL_API_KEY), "
                "or enable test mode with AVATAR_TEST_MODE=true");
  }
  if (!config.test_mode && !IsKeyIdAndSecret(config.api_key)) {
    // fal would answer 401 "Invalid Key Authorization header format" to every request.
    return fail(errc::missing_credentials,
                "the fal API key is not in the form key_id:key_secret (FAL_KEY, or FAL_KEY_ID and "
                "FAL_KEY_SECRET): copy both parts of the key from fal's dashboard");
  }
  for (const std::string* url : {&config.endpoints.queue_url, &config.endpoints.rest_url}) {
    if (!detail::IsHttpUrl(*url)) {
      return fail(errc::invalid_argument, "endpoint URL must be http(s): '" + *url + "'");
    }
  }
  if (config.multipart_part_size == 0 || config.multipart_threshold == 0) {
    return fail(errc::invalid_argument, "multipart sizes must be positive");
  }
  auto impl = std::make_shared<Impl>();
  impl->clock = clock ? std::move(clock) : MakeSystemClock();
  if (!transport) {
    // The simulator is not part of this component: test mode is injected by faltrain::testing.
    if (config.test_mode) {
      return fail(errc::invalid_argument,
                  "test mode (AVATAR_TEST_MODE) needs the simulator from faltrain::testing: build "
                  "the client with faltrain::CreateTrainingClient (<faltrain/testing.hpp>)");
    }
    CurlTransportOptions options;
    options.connect_timeout = config.connect_timeout;
    options.request_timeout = config.request_timeout;
    options.user_agent = config.UserAgent();
    transport = std::make_shared<CurlTransport>(options);
  }
  impl->transport = std::move(transport);
  impl->trainers = TrainerRegistry::WithBuiltins();
  impl->config = std::move(config);
  impl->base_headers = MakeBaseHeaders(impl->config);
  return TrainingClient(std::move(impl));
}

TrainerRegistry& TrainingClient::trainers() { return impl_->trainers; }
const ClientOptions& TrainingClient::options() const { return impl_->config; }
Clock& TrainingClient::clock() const { return *impl_->clock; }

// ---- training ----------------------------------------------------------------------------------

namespace {

struct ResolvedTraining {
  TrainerSpec spec;
  PresetValues preset;
  std::int64_t steps = 0;
  std::string input_json;
};

result<ResolvedTraining> ResolveTraining(const TrainerRegistry& trainers, const TrainingRequest& request) {
  if (request.images_url.empty()) return fail(errc::invalid_argument, "images_url is required");
  if (!IsUsableFileUrl(request.images_url)) {
    return fail(errc::invalid_argument, "images_url must be an http(s) or data: URL");
  }
  ResolvedTraining out;
  if (request.trainer.empty()) {
    FALTRAIN_TRY(out.spec, trainers.ForStyle(request.style));
  } else {
    FALTRAIN_TRY(out.spec, trainers.Find(request.trainer));
  }
  out.preset = GetPreset(request.style, request.preset);
  out.steps = request.steps.value_or(out.preset.steps);
  double learning_rate = request.learning_rate.value_or(out.preset.learning_rate);
  if (out.steps <= 0) return fail(errc::invalid_argument, "steps must be positive");
  if (!(learning_rate > 0)) return fail(errc::invalid_argument, "learning_rate must be positive");

  detail::InputFields fields;
  if (!out.spec.fixed_inputs_json.empty()) FALTRAIN_TRYV(fields.PutObjectFields(out.spec.fixed_inputs_json));
  fields.Put(out.spec.images_field, JsonQuote(request.images_url));
  const std::string& trigger = request.trigger.empty() ? out.spec.default_trigger : request.trigger;
  if (!out.spec.trigger_field.empty() && !trigger.empty()) {
    fields.Put(out.spec.trigger_field, JsonQuote(trigger));
  }
  if (!out.spec.steps_field.empty()) fields.Put(out.spec.steps_field, std::to_string(out.steps));
  if (!out.spec.learning_rate_field.empty()) {
    fields.Put(out.spec.learning_rate_field, JsonNumber(learning_rate));
  }
  FALTRAIN_TRYV(fields.PutExtra(request.extra));
  out.input_json = fields.ToJson();
  return out;
}

}  // namespace

result<std::string> TrainingClient::BuildTrainingInput(const TrainingRequest& request) const {
  FALTRAIN_TRY(auto resolved, ResolveTraining(impl_->trainers, request));
  return std::move(resolved.input_json);
}

result<TrainingJob> TrainingClient::SubmitTraining(const TrainingRequest& request,
                                                   const SubmitOptions& options) {
  FALTRAIN_TRY(auto resolved, ResolveTraining(impl_->trainers, request));
  if (resolved.spec.deprecated) {
    impl_->Log(LogLevel::kWarning,
               fmt::format("trainer {} is deprecated on fal{}{}", resolved.spec.endpoint_id,
                           resolved.spec.deprecation_note.empty() ? "" : ": ",
                           resolved.spec.deprecation_note));
  }
  FALTRAIN_TRY(auto handle, Submit(resolved.spec.endpoint_id, resolved.input_json, options));
  TrainingJob job;
  job.handle = std::move(handle);
  job.trainer = std::move(resolved.spec);
  job.style = request.style;
  job.preset = request.preset;
  job.steps = resolved.steps;
  job.estimate = resolved.preset.estimate;
  return job;
}

// ---- queue -------------------------------------------------------------------------------------

result<RequestHandle> TrainingClient::Submit(std::string_view endpoint_id, std::string_view input_json,
                                             const SubmitOptions& options) {
  FALTRAIN_TRY(auto endpoint, EndpointId::Parse(endpoint_id));
  if (!detail::IsValidJsonAnyNumber(input_json)) return fail(errc::invalid_argument, "input is not valid JSON");
  const ClientOptions& config = impl_->config;

  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = detail::JoinUrl(config.endpoints.queue_url, endpoint.Full());
  const std::string& webhook = options.webhook_url.empty() ? config.webhook_url : options.webhook_url;
  if (!webhook.empty() && !options.no_webhook) {
    if (!detail::IsHttpUrl(webhook)) return fail(errc::invalid_argument, "webhook URL must be http(s)");
    auto with_webhook = detail::AddQuery(request.url, "fal_webhook", webhook);
    if (!with_webhook) return fail(errc::invalid_argument, "not a URL: " + detail::UrlForLog(request.url));
    request.url = std::move(*with_webhook);
  }
  request.headers = impl_->BaseHeaders();
  request.headers.Add("Content-Type", "application/json");
  request.headers.Add("X-Fal-Queue-Priority", std::string(to_string(options.priority)));
  if (options.start_timeout) {
    if (options.start_timeout->count() <= 1) {
      return fail(errc::invalid_argument, "start_timeout must be more than 1 second");
    }
    request.headers.Add("X-Fal-Request-Timeout", std::to_string(options.start_timeout->count()));
  }
  if (options.no_server_retry) request.headers.Add("X-Fal-No-Retry", "1");
  if (!options.object_lifecycle_json.empty()) {
    if (!detail::IsValidJsonAnyNumber(options.object_lifecycle_json)) {
      return fail(errc::invalid_argument, "object_lifecycle_json is not valid JSON");
    }
    request.headers.Add("X-Fal-Object-Lifecycle-Preference", options.object_lifecycle_json);
  }
  if (!options.runner_hint.empty()) request.headers.Add("X-Fal-Runner-Hint", options.runner_hint);
  if (!options.store_io) request.headers.Add("X-Fal-Store-IO", "0");
  if (options.disable_fallback) request.headers.Add("x-app-fal-disable-fallback", "true");
  for (const auto& [name, value] : options.extra_headers) {
    FALTRAIN_TRYV(CheckExtraHeader(name, value));
    request.headers.Add(name, value);
  }
  if (config.test_mode && !options.avatar_id.empty()) {
    request.headers.Add("X-Faltrain-Avatar-Id", options.avatar_id);
  }
  request.body = std::string(input_json);

  FALTRAIN_TRY(auto response, impl_->Execute(std::move(request), Repeatable::kOnlyIfNotReceived));
  FALTRAIN_TRY(auto handle, detail::ParseSubmitResponse(response, config.endpoints.queue_url, endpoint));
  impl_->Log(LogLevel::kInfo, fmt::format("submitted {} as {}", handle.endpoint_id, handle.request_id));
  return handle;
}

namespace {

result<void> CheckHandle(const RequestHandle& handle) {
  if (handle.request_id.empty()) return fail(errc::invalid_argument, "request handle has no request_id");
  if (!detail::IsHttpUrl(handle.status_url) || !detail::IsHttpUrl(handle.response_url) ||
      !detail::IsHttpUrl(handle.cancel_url)) {
    return fail(errc::invalid_argument, "request handle has no usable URLs");
  }
  return success();
}

// The handle's status URL asking for logs or not.
result<std::string> StatusUrl(const RequestHandle& handle, bool with_logs) {
  auto url = detail::AddQuery(handle.status_url, "logs", with_logs ? "1" : "0");
  if (!url) return fail(errc::invalid_argument, "request handle has no usable status URL");
  return std::move(*url);
}

error WithRequestId(error e, const RequestHandle& handle) {
  if (e.request_id.empty()) e.request_id = handle.request_id;
  return e;
}

}  // namespace

HttpRequest TrainingClient::Impl::GetRequest(std::string url) const {
  HttpRequest request;
  request.url = std::move(url);
  request.headers = BaseHeaders();
  return request;
}

result<HttpRequest> TrainingClient::Impl::StatusRequest(const RequestHandle& handle, bool with_logs) const {
  FALTRAIN_TRYV(CheckHandle(handle));
  FALTRAIN_TRY(std::string url, StatusUrl(handle, with_logs));
  return GetRequest(std::move(url));
}

result<RequestStatus> TrainingClient::Impl::StatusFrom(result<HttpResponse> response, const RequestHandle& handle) {
  if (!response) return fail(WithRequestId(std::move(response).error(), handle));
  auto status = detail::ParseStatusResponse(response.value());
  if (!status) return fail(WithRequestId(std::move(status).error(), handle));
  if (status.value().request_id.empty()) status.value().request_id = handle.request_id;
  return status;
}

result<RequestStatus> TrainingClient::GetStatus(const RequestHandle& handle, bool with_logs,
                                                CancelToken cancel) {
  FALTRAIN_TRY(HttpRequest request, impl_->StatusRequest(handle, with_logs));
  return Impl::StatusFrom(
      impl_->Execute(std::move(request), Repeatable::kYes, nullptr, std::nullopt, std::move(cancel)), handle);
}

result<HttpRequest> TrainingClient::Impl::ResultRequest(const RequestHandle& handle) const {
  FALTRAIN_TRYV(CheckHandle(handle));
  return GetRequest(handle.response_url);
}

result<std::string> TrainingClient::Impl::ResultFrom(result<HttpResponse> response, const RequestHandle& handle) {
  if (!response) {
    error e = WithRequestId(std::move(response).error(), handle);
    // The request ran and failed (a 422 from the model, a 500/504 the app answered): that is the
    // request's outcome, with fal's detail. Only an ingress 5xx still retryable is transient.
    if (e.code == errc::validation_failed || e.code == errc::server_error || e.code == errc::http_error) {
      if (!e.retryable) e.code = errc::request_failed;
    }
    return fail(std::move(e));
  }
  if (!detail::IsValidJsonAnyNumber(response.value().body)) {
    error e(errc::malformed_response, "result is not valid JSON: " + detail::BodySnippet(response.value().body));
    e.http_status = response.value().status;
    return fail(WithRequestId(std::move(e), handle));
  }
  return std::move(response.value().body);
}

result<std::string> TrainingClient::GetResultJson(const RequestHandle& handle, CancelToken cancel) {
  FALTRAIN_TRY(HttpRequest request, impl_->ResultRequest(handle));
  return Impl::ResultFrom(impl_->Execute(std::move(request), Repeatable::kUnlessAppAnswered, nullptr,
                                         std::nullopt, std::move(cancel)),
                          handle);
}

result<TrainingOutput> TrainingClient::GetTrainingOutput(const RequestHandle& handle, CancelToken cancel) {
  FALTRAIN_TRY(auto json, GetResultJson(handle, std::move(cancel)));
  auto output = TrainingOutput::Parse(json);
  if (!output) return fail(WithRequestId(std::move(output).error(), handle));
  return output;
}

result<CancelOutcome> TrainingClient::Cancel(const RequestHandle& handle) {
  FALTRAIN_TRYV(CheckHandle(handle));
  HttpRequest request;
  request.method = HttpMethod::kPut;
  request.url = handle.cancel_url;
  request.headers = impl_->BaseHeaders();
  auto response = impl_->Execute(std::move(request), Repeatable::kUnlessAppAnswered,
                                 [](int status) { return status == 400; });
  if (!response) return fail(WithRequestId(std::move(response).error(), handle));
  std::string status = detail::ParseCancelStatus(response.value().body);
  if (response.value().status == 400) {
    if (status == "ALREADY_COMPLETED") return CancelOutcome::kAlreadyCompleted;
    error e = detail::ErrorFromResponse(response.value(), impl_->clock->WallNow());
    return fail(WithRequestId(std::move(e), handle));
  }
  if (status == "ALREADY_COMPLETED") return CancelOutcome::kAlreadyCompleted;
  if (status == "OK") return CancelOutcome::kCancelled;
  if (status == "NOT_FOUND") {
    error e(errc::not_found, "request not found");
    e.http_status = response.value().status;
    return fail(WithRequestId(std::move(e), handle));
  }
  // 202 CANCELLATION_REQUESTED, or a 2xx with a status we do not know: the request was accepted.
  return CancelOutcome::kRequested;
}

// ---- waiting -----------------------------------------------------------------------------------

namespace {

// Next poll interval: quick while things change, slower while nothing happens.
milliseconds NextInterval(milliseconds current, bool changed, const WatchOptions& options) {
  if (changed) return options.min_interval;
  auto grown = milliseconds(static_cast<std::int64_t>(current.count() * 1.5));
  return std::clamp(grown, options.min_interval, options.max_interval);
}

}  // namespace

result<std::string> TrainingClient::WaitForResultJson(const RequestHandle& handle, WatchOptions options) {
  if (options.min_interval.count() <= 0 || options.max_interval < options.min_interval) {
    return fail(errc::invalid_argument, "watch intervals must be positive and min <= max");
  }
  Clock& clock = *impl_->clock;
  const auto start = clock.Now();
  std::optional<Clock::steady_time> deadline;
  if (options.timeout.count() > 0) deadline = start + options.timeout;
  ProgressTracker tracker(options.expected_steps, options.estimate);
  milliseconds interval = options.min_interval;
  std::optional<int> last_position;
  std::size_t last_logs = 0;
  RequestPhase last_phase = RequestPhase::kInQueue;

  auto stop = [&](errc code, std::string message) -> result<std::string> {
    if (options.cancel_request_on_stop) {
      auto cancelled = Cancel(handle);
      impl_->Log(LogLevel::kInfo, fmt::format("cancelling {}: {}", handle.request_id,
                                              cancelled ? to_string(cancelled.value()) : cancelled.error().to_string()));
    }
    error e(code, std::move(message));
    e.request_id = handle.request_id;
    return fail(std::move(e));
  };

  if (options.use_status_stream && impl_->transport->CanStream()) {
    auto report = [&](const RequestStatus& s) {
      Progress progress = tracker.Update(s, std::chrono::duration_cast<milliseconds>(clock.Now() - start));
      if (options.on_progress) options.on_progress(progress);
    };
    auto poll_once = [&] { return GetStatus(handle, /*with_logs=*/true, options.cancel); };
    switch (impl_->FollowStatusStream(handle, options, deadline, report, poll_once)) {
      case detail::StreamWatchEnd::kCompleted: return GetResultJson(handle, options.cancel);
      case detail::StreamWatchEnd::kCancelled: return stop(errc::cancelled, "wait cancelled");
      case detail::StreamWatchEnd::kDeadline: return stop(errc::deadline_exceeded, "deadline passed while waiting");
      case detail::StreamWatchEnd::kPoll: break;  // the first poll comes at once
    }
  }

  HttpRequest poll;
  FALTRAIN_TRY(poll.url, StatusUrl(handle, /*with_logs=*/true));
  poll.headers = impl_->BaseHeaders();
  for (;;) {
    if (options.cancel.cancelled()) return stop(errc::cancelled, "wait cancelled");
    auto status = impl_->Execute(poll, Repeatable::kYes, nullptr, deadline, options.cancel);
    if (!status) {
      error e = WithRequestId(std::move(status).error(), handle);
      if (e.code == errc::cancelled) return stop(errc::cancelled, "wait cancelled");
      if (deadline && clock.Now() >= *deadline) return stop(errc::deadline_exceeded, "deadline passed: " + e.to_string());
      return fail(std::move(e));
    }
    auto parsed = detail::ParseStatusResponse(status.value());
    if (!parsed) return fail(WithRequestId(std::move(parsed).error(), handle));
    auto elapsed = std::chrono::duration_cast<milliseconds>(clock.Now() - start);
    Progress progress = tracker.Update(parsed.value(), elapsed);
    if (options.on_progress) options.on_progress(progress);
    if (parsed.value().terminal()) break;
    if (parsed.value().phase == RequestPhase::kUnknown) detail::WarnUnknownStatus(impl_->config.log, parsed.value());

    bool changed = parsed.value().phase != last_phase || parsed.value().queue_position != last_position ||
                   parsed.value().logs.size() != last_logs;
    last_phase = parsed.value().phase;
    last_position = parsed.value().queue_position;
    last_logs = parsed.value().logs.size();
    interval = NextInterval(interval, changed, options);
    auto wait = interval;
    if (deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(*deadline - clock.Now());
      if (left.count() <= 0) return stop(errc::deadline_exceeded, "deadline passed while waiting");
      wait = std::min(wait, left);
    }
    if (!clock.SleepFor(wait, options.cancel)) return stop(errc::cancelled, "wait cancelled");
  }
  return GetResultJson(handle, options.cancel);
}

result<TrainingOutput> TrainingClient::Wait(const TrainingJob& job, WatchOptions options) {
  if (options.expected_steps == 0) options.expected_steps = job.steps;
  if (options.estimate.count() == 0) options.estimate = job.estimate.midpoint();
  FALTRAIN_TRY(auto json, WaitForResultJson(job.handle, std::move(options)));
  auto output = TrainingOutput::Parse(json);
  if (!output) return fail(WithRequestId(std::move(output).error(), job.handle));
  return output;
}

}  // namespace v1
}  // namespace faltrain
