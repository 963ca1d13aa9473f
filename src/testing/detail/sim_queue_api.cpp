// fal's queue API, simulated: submit, status, result and cancel (reference §2). Every request's
// future (timeline, logs, outcome, output) is decided at submission; status and result read it at
// the clock's current time, and cancel rewrites it.

#include "testing/detail/sim_core.hpp"

#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>
#include "testing/detail/sim_outputs.hpp"
#include "testing/detail/sim_validation.hpp"

#include <faltrain/client/queue.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kQuickQueue{500};
constexpr milliseconds kInvalidInputRun{50};

double Seconds(Clock::steady_time::duration d) {
  return std::chrono::duration<double>(d).count();
}

void WriteUrls(JsonWriter& w, const SimRequest& r) {
  std::string response_url = r.ResponseUrl();
  w.Field("response_url", response_url)
      .Field("status_url", response_url + "/status")
      .Field("cancel_url", response_url + "/cancel");
}

bool IsBlank(std::string_view body) { return body.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool IsTrainer(const SimRequest& r) { return r.model.kind == SimModelKind::kTrainer; }

bool IsGeneration(const SimRequest& r) {
  return r.model.kind == SimModelKind::kLoraGeneration || r.model.kind == SimModelKind::kFinetuneGeneration;
}

// Steps the run reports progress in: the trainer's steps field (or its default), a generation's
// num_inference_steps; none for other apps.
std::int64_t PlannedSteps(const SimRequest& r) {
  if (IsTrainer(r)) {
    const TrainerSpec& spec = *r.model.trainer;
    std::int64_t steps = spec.steps_field.empty() ? 0 : SimInputInteger(r.input, spec.steps_field).value_or(0);
    return steps > 0 ? steps : spec.default_steps > 0 ? spec.default_steps : 1000;
  }
  if (IsGeneration(r)) return std::max<std::int64_t>(1, SimInputInteger(r.input, "num_inference_steps").value_or(28));
  return 0;
}

// The app refuses the input as it starts: a 422 result, and the reason in the logs.
void RejectAtStart(SimRequest& r, std::string invalid) {
  r.outcome = SimOutcome::kInvalidInput;
  r.error_status = 422;
  r.error_body = std::move(invalid);
  r.error_text = "Invalid status code: 422";
  r.logs.push_back({r.timeline.started, "ERROR", "Input validation failed"});
}

// Drops scripted lines at or after `end` (the run stopped there).
void TruncateLogs(std::vector<SimLogLine>& logs, Clock::steady_time end) {
  logs.erase(std::remove_if(logs.begin(), logs.end(), [&](const SimLogLine& l) { return l.at >= end; }),
             logs.end());
}

}  // namespace

SimRequest* SimCore::FindRequest(const Call& call) {
  auto it = requests_.find(call.request_id);
  if (it == requests_.end() || it->second.app != call.app) return nullptr;
  return &it->second;
}

// Submission, step by step: reject what the gateway would, then decide the request's whole future
// (timeline, logs, outcome, output, webhook) before answering IN_QUEUE. The steps draw from
// `random_` and the fault table in a fixed order, so a seed keeps giving the same run.
HttpResponse SimCore::Submit(const HttpRequest& request, const SimUrl& url) {
  std::string endpoint_id;
  for (const auto& segment : url.segments) endpoint_id += (endpoint_id.empty() ? "" : "/") + segment;
  auto parsed = EndpointId::Parse(endpoint_id);
  if (!parsed) return DetailResponse(404, "Application '" + endpoint_id + "' not found");

  SimModel model = ResolveSimModel(endpoint_id, *trainers_);
  if (!IsBlank(request.body) && !IsValidJson(request.body)) {
    // The body never reaches the app: the gateway rejects it outright.
    return JsonResponse(422, ValidateSimInput(model, request.body));
  }
  std::string invalid = ValidateSimInput(model, request.body);
  if (!invalid.empty() && options_.validate_on_submit) return JsonResponse(422, invalid);

  SimRequest r = NewSimRequest(request, url, std::move(endpoint_id), parsed.value(), std::move(model));
  const milliseconds run = PlanTimeline(r, /*rejected=*/!invalid.empty());
  r.steps = PlannedSteps(r);
  if (!invalid.empty()) {
    RejectAtStart(r, std::move(invalid));
  } else if (TakeSubmitFault(SimFaultKind::kTrainingFailure, r)) {
    FailMidRun(r, run);
  } else {
    Complete(r, FileBase(url));
  }
  PlanWebhook(r);
  return Enqueue(std::move(r));
}

SimRequest SimCore::NewSimRequest(const HttpRequest& request, const SimUrl& url, std::string endpoint_id,
                                  const EndpointId& endpoint, SimModel model) {
  SimRequest r;
  r.id = NewRequestId(request.headers.Get("X-Faltrain-Avatar-Id"));
  r.endpoint_id = std::move(endpoint_id);
  r.app = endpoint.App();
  r.origin = url.origin;
  r.input = IsBlank(request.body) ? std::string("{}") : request.body;
  r.webhook_url = url.Query("fal_webhook");
  r.model = std::move(model);
  received_.push_back(r.id);
  return r;
}

milliseconds SimCore::PlanTimeline(SimRequest& r, bool rejected) const {
  const bool trainer = IsTrainer(r);
  milliseconds queue = trainer ? options_.queue_duration : std::min(options_.queue_duration, kQuickQueue);
  milliseconds run = trainer            ? options_.training_duration
                     : IsGeneration(r) ? options_.generation_duration
                                       : options_.generic_duration;
  if (rejected) run = kInvalidInputRun;  // the app rejects the input as it starts
  SimTimeline& t = r.timeline;
  t.submitted = clock_->Now();
  t.submitted_wall = clock_->WallNow();
  t.started = t.submitted + queue;
  t.finished = t.started + run;
  t.initial_position = queue.count() > 0 ? std::max(0, options_.initial_queue_position) : 0;
  return run;
}

std::optional<SimFault> SimCore::TakeSubmitFault(SimFaultKind kind, const SimRequest& r) {
  return faults_.Take({kind}, SimOperation::kSubmit, r.endpoint_id, r.id, r.input, random_);
}

std::vector<SimLogLine> SimCore::RunLogs(const SimRequest& r) {
  if (IsTrainer(r)) {
    return TrainingScript(r.timeline, r.steps, r.model.trainer->output == OutputKind::kFinetuneId, random_);
  }
  if (IsGeneration(r)) return GenerationScript(r.timeline, r.steps);
  return {};
}

void SimCore::FailMidRun(SimRequest& r, milliseconds run) {
  const bool trainer = IsTrainer(r);
  SimTimeline& t = r.timeline;
  r.outcome = SimOutcome::kFailed;
  r.logs = RunLogs(r);
  // Fails 60% into the training window, mid-step.
  Clock::steady_time fail_at = t.started + duration_cast<Clock::steady_time::duration>(run * 0.62);
  std::int64_t step = trainer ? StepAt(t, r.steps, fail_at) : 0;
  TruncateLogs(r.logs, fail_at);
  t.finished = fail_at;
  std::string detail = trainer ? fmt::format("Training failed: loss became NaN at step {}/{}", step, r.steps)
                               : std::string("Internal error while running the model");
  r.logs.push_back({fail_at, "ERROR", detail});
  // fal's documented type for an app that failed while running (reference §9: 500).
  r.error_type = "runner_server_error";
  JsonWriter body;
  body.BeginObject().Field("detail", detail).Field("error_type", r.error_type).EndObject();
  r.error_status = 500;
  r.error_body = std::move(body).str();
  r.error_text = "Invalid status code: 500";
  Emit(fmt::format("fault training_failure on {}", r.id));
}

void SimCore::Complete(SimRequest& r, std::string_view file_base) {
  const SimTimeline& t = r.timeline;
  r.logs = RunLogs(r);
  SimOutput output;
  if (IsTrainer(r)) {
    output = MakeTrainerOutput(r.model, r.input, r.steps, file_base, random_);
  } else if (IsGeneration(r)) {
    output = MakeGenerationOutput(r.model, r.input, Seconds(t.finished - t.started), file_base, random_);
  } else {
    r.logs.push_back({t.started, "INFO", "Running"});
    output = MakeGenericOutput(r.input, Seconds(t.finished - t.started));
  }
  r.output_json = std::move(output.json);
  for (auto& file : output.files) storage_.AddFile(std::move(file));
}

void SimCore::PlanWebhook(SimRequest& r) {
  if (r.webhook_url.empty() || !options_.webhook_simulation) return;
  if (TakeSubmitFault(SimFaultKind::kWebhookDrop, r)) {
    Emit(fmt::format("fault webhook_drop: the webhook of {} will never be sent", r.id));
    return;
  }
  auto delay = TakeSubmitFault(SimFaultKind::kWebhookDelay, r);
  auto out_of_order = TakeSubmitFault(SimFaultKind::kWebhookOutOfOrder, r);
  auto duplicate = TakeSubmitFault(SimFaultKind::kWebhookDuplicate, r);
  r.webhook_payload_error = TakeSubmitFault(SimFaultKind::kWebhookPayloadError, r).has_value();
  milliseconds wait = delay ? delay->delay : milliseconds(0);
  if (out_of_order) wait = out_of_order->delay.count() > 0 ? out_of_order->delay : std::chrono::minutes(1);
  ScheduleWebhook(r, wait, out_of_order.has_value(), duplicate.has_value());
}

HttpResponse SimCore::Enqueue(SimRequest r) {
  JsonWriter w;
  w.BeginObject()
      .Field("status", "IN_QUEUE")
      .Field("request_id", r.id)
      .Field("gateway_request_id", r.id);
  WriteUrls(w, r);
  w.Field("queue_position", r.timeline.QueuePositionAt(r.timeline.submitted)).EndObject();
  Emit(fmt::format("submit {} -> {}{}", r.endpoint_id, r.id,
                   r.webhook_url.empty() ? std::string() : " (webhook " + r.webhook_url + ")"));
  std::string id = r.id;
  requests_.emplace(id, std::move(r));
  return JsonResponse(200, std::move(w).str(), id);
}

bool WantsLogs(const SimUrl& url) {
  std::string logs_flag = url.Query("logs");
  return logs_flag == "1" || logs_flag == "true" || logs_flag == "True";
}

HttpResponse SimCore::Status(const Call& call, const SimUrl& url) {
  SimRequest* r = FindRequest(call);
  if (r == nullptr) return DetailResponse(404, "Request not found");
  const Clock::steady_time now = clock_->Now();
  SimPhase phase = r->timeline.PhaseAt(now);
  return JsonResponse(phase == SimPhase::kCompleted ? 200 : 202, StatusJson(*r, now, WantsLogs(url), 0), r->id);
}

std::string StatusJson(const SimRequest& request, Clock::steady_time now, bool with_logs, std::size_t first_log) {
  const SimRequest* r = &request;
  const SimTimeline& t = r->timeline;
  SimPhase phase = t.PhaseAt(now);
  JsonWriter w;
  w.BeginObject().Field("status", SimPhaseName(phase)).Field("request_id", r->id);
  WriteUrls(w, *r);
  // Asked for, `logs` is always there (an empty list while queued): fal_client reads it unguarded.
  if (with_logs) {
    w.Key("logs").BeginArray();
    std::size_t visible = 0;
    for (const auto& line : r->logs) {
      if (phase == SimPhase::kInQueue || line.at > now) continue;
      if (visible++ < first_log) continue;  // sent before (a stream's earlier events)
      w.BeginObject()
          .Field("message", line.message)
          .Field("level", line.level)
          .Field("source", "USER")
          .Field("timestamp", t.TimestampAt(line.at))
          .EndObject();
    }
    w.EndArray();
  }
  if (phase == SimPhase::kInQueue) {
    w.Field("queue_position", t.QueuePositionAt(now));
  } else {
    w.Key("metrics").BeginObject();
    if (phase == SimPhase::kCompleted) w.Field("inference_time", Seconds(t.finished - t.started));
    w.EndObject();
    if (phase == SimPhase::kCompleted && r->outcome != SimOutcome::kSuccess) {
      w.Field("error", r->error_text);
      if (!r->error_type.empty()) w.Field("error_type", r->error_type);
    }
  }
  w.EndObject();
  return std::move(w).str();
}

std::size_t VisibleLogs(const SimRequest& r, Clock::steady_time now) {
  return static_cast<std::size_t>(
      std::count_if(r.logs.begin(), r.logs.end(), [&](const SimLogLine& l) { return l.at <= now; }));
}

HttpResponse SimCore::Result(const Call& call) {
  SimRequest* r = FindRequest(call);
  if (r == nullptr) return DetailResponse(404, "Request not found");
  if (r->timeline.PhaseAt(clock_->Now()) != SimPhase::kCompleted) {
    HttpResponse response = DetailResponse(400, "Request is still in progress");
    response.headers.Add("x-fal-request-id", r->id);
    return response;
  }
  if (r->outcome == SimOutcome::kSuccess) return JsonResponse(200, r->output_json, r->id);
  // The request ran and failed: asking again cannot change that (fal's X-Fal-Retryable verdict).
  HttpResponse response = JsonResponse(r->error_status, r->error_body, r->id);
  response.headers.Add("x-fal-retryable", "false");
  if (!r->error_type.empty()) response.headers.Add("X-Fal-Error-Type", r->error_type);
  return response;
}

HttpResponse SimCore::Cancel(const Call& call) {
  SimRequest* r = FindRequest(call);
  if (r == nullptr) {
    JsonWriter w;
    w.BeginObject().Field("status", "NOT_FOUND").Field("detail", "Request not found").EndObject();
    return JsonResponse(404, std::move(w).str());
  }
  const Clock::steady_time now = clock_->Now();
  SimTimeline& t = r->timeline;
  SimPhase phase = t.PhaseAt(now);
  if (phase == SimPhase::kCompleted) {
    return JsonResponse(400, R"({"status":"ALREADY_COMPLETED"})", r->id);
  }
  auto cancelled_error = [&] {
    r->outcome = SimOutcome::kCancelled;
    r->output_json.clear();
    r->error_status = 400;
    // fal's documented type for a cancelled request (reference §9; documented with 499, kept at 400
    // here, which the official-client check expects of a cancelled request's result).
    r->error_type = "client_cancelled";
    JsonWriter body;
    body.BeginObject().Field("detail", "Request was cancelled").Field("error_type", r->error_type).EndObject();
    r->error_body = std::move(body).str();
    r->error_text = "Request was cancelled";
  };
  if (!r->cancel_requested) {
    r->cancel_requested = true;
    if (phase == SimPhase::kInQueue) {
      // Never started: it leaves the queue completed, at once.
      t.started = now;
      t.finished = now;
      r->logs.clear();
      cancelled_error();
    } else {
      r->logs.push_back({now, "WARN", "Cancellation requested"});
      Clock::steady_time stop = now + options_.cancel_grace;
      if (options_.cancel_stops_running && stop < t.finished) {
        TruncateLogs(r->logs, stop);
        r->logs.push_back({stop, "ERROR", "Run stopped: request cancelled"});
        t.finished = stop;
        cancelled_error();
      }
    }
    std::sort(r->logs.begin(), r->logs.end(),
              [](const SimLogLine& a, const SimLogLine& b) { return a.at < b.at; });
    RescheduleWebhook(*r);
    Emit(fmt::format("cancel {} while {}", r->id, SimPhaseName(phase)));
  }
  return JsonResponse(202, R"({"status":"CANCELLATION_REQUESTED"})", r->id);
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
