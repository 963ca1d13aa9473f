#pragma once
/// @file
/// TrainingClient: train avatar models on fal and use them. The whole story, runnable, is
/// examples/quickstart/main.cpp; in short:
///
/// @code
///   auto options = faltrain::ClientOptions::FromEnvironment();       // FAL_KEY, AVATAR_TEST_MODE, ...
///   auto client = faltrain::TrainingClient::Create(*options);
///   faltrain::TrainingSet photos;
///   photos.AddDirectory("photos/");                                  // captions from <stem>.txt
///   faltrain::TrainingRequest request;
///   request.images_url = *client->UploadTrainingSet(photos);
///   auto job = client->SubmitTraining(request);                      // trainer + preset from style
///   auto trained = client->Wait(*job, watch_options);                // progress via on_progress
///   auto images = client->Generate(*trained, generate_request);
/// @endcode
///
/// (Check each result before reading it with *, -> or .value(): every call returns
/// faltrain::result<T> and never throws.)

#include <faltrain/client/clock.hpp>
#include <faltrain/client/config.hpp>
#include <faltrain/client/json_fields.hpp>
#include <faltrain/client/outputs.hpp>
#include <faltrain/client/presets.hpp>
#include <faltrain/client/progress.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/trainers.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// A training to start. Only `images_url` is required.
struct TrainingRequest {
  std::string images_url;                      ///< the zip's URL (see `TrainingClient::Upload*`)
  AvatarStyle style = AvatarStyle::kPortrait;  ///< picks the trainer unless `trainer` is set
  QualityPreset preset = QualityPreset::kBalanced;  ///< steps, learning rate and time estimate
  std::string trainer;                         ///< endpoint id override
  std::string trigger;                         ///< empty = the trainer's default
  std::optional<std::int64_t> steps;           ///< overrides the preset
  std::optional<double> learning_rate;         ///< overrides the preset
  JsonFields extra;                            ///< any other input fields; they win over defaults
};

/// An image generation with a trained avatar. Fields marked (LoRA) are sent only with a LoRA,
/// fields marked (finetune) only with a finetune; unset optional fields leave the endpoint's default.
struct GenerateRequest {
  std::string prompt;                          ///< include the trigger phrase
  /// Endpoint override; empty = fal-ai/flux-lora for LoRAs, the finetuned Ultra endpoint for finetunes.
  std::string endpoint;
  std::string image_size;                      ///< (LoRA) "square_hd", "landscape_4_3", ...
  std::optional<int> width;                    ///< (LoRA) pixels, with `height`, instead of `image_size`
  std::optional<int> height;                   ///< (LoRA) pixels, with `width`, instead of `image_size`
  int num_images = 1;                          ///< images to generate, at least 1
  std::optional<std::uint64_t> seed;           ///< the same seed and input give the same images
  std::optional<int> num_inference_steps;      ///< (LoRA) denoising steps
  std::optional<double> guidance_scale;        ///< (LoRA) how closely to follow the prompt
  double lora_scale = 1.0;                     ///< (LoRA) weight of the LoRA, 1 = as trained
  double finetune_strength = 1.0;              ///< (finetune) weight of the finetune, 1 = as trained
  std::string aspect_ratio;                    ///< (finetune) e.g. "16:9"; empty = default
  std::string output_format;                   ///< "jpeg" / "png"; empty = default
  /// fal's NSFW filter on or off; not sent to fal-ai/flux-pro/v1.1-ultra-finetuned, which has no
  /// such field (use `extra` with `safety_tolerance` "1".."6" there).
  std::optional<bool> enable_safety_checker;
  JsonFields extra;                            ///< any other input fields; they win over the above
};

/// What `Generate` would submit: the endpoint and the JSON input (see `BuildGenerationInput`).
struct GenerationInput {
  std::string endpoint_id;  ///< e.g. "fal-ai/flux-lora" or the finetuned Ultra endpoint
  std::string input_json;   ///< the request body, as `Submit` takes it
};

/// How `Wait` follows a request and reports. By default it follows fal's status stream
/// (server-sent events, `GET …/status/stream?logs=1`) when the transport can stream, with the same
/// progress reports as polling; it polls instead when the stream is refused (404, 405, any other
/// error status) or keeps failing, and after a stream that drops before COMPLETED it polls once
/// (so a final state is never missed) and reconnects.
struct WatchOptions {
  /// Follow the status stream (true), or only poll (false; the CLI's `--poll`). The stream is used
  /// only over a transport whose `Transport::CanStream()` is true (`CurlTransport`, `SimTransport`).
  bool use_status_stream = true;
  /// Poll interval at the start and after any change (phase, queue position, new logs).
  std::chrono::milliseconds min_interval{std::chrono::seconds(2)};
  /// The interval grows by half per unchanged poll up to this.
  std::chrono::milliseconds max_interval{std::chrono::seconds(15)};
  /// Give up (errc::deadline_exceeded) after this long; zero = no deadline. A stream notices the
  /// deadline at its next event or keep-alive.
  std::chrono::milliseconds timeout{0};
  /// Cancel the fal request when the deadline passes or `cancel` fires.
  bool cancel_request_on_stop = false;
  /// Stops the wait (errc::cancelled) when fired; the default token never fires.
  CancelToken cancel;
  std::function<void(const Progress&)> on_progress;  ///< called after every poll; may be empty
  /// Total steps, for percent when the logs give no total (0 = unknown; `Wait` then uses the
  /// job's steps).
  std::int64_t expected_steps = 0;
  /// Expected running time, for time-based percent and ETA (0 = unknown; `Wait` then uses the
  /// job's preset midpoint).
  std::chrono::milliseconds estimate{0};
};

/// Where a multipart upload stands: the target fal gave on initiate and the parts already stored.
/// `Upload` fills it as parts finish; pass it back after a failure to resume from the part that
/// failed instead of starting over (same bytes, same part size).
struct MultipartUploadState {
  std::string upload_url;          ///< fal's signed multipart URL (never logged)
  std::string file_url;            ///< the file's public URL once completed
  std::size_t total_bytes = 0;     ///< size of the upload the state belongs to
  std::size_t part_size = 0;       ///< bytes per part when it started
  std::vector<std::string> etags;  ///< etag of parts 1..n that are stored, in order
};

/// Options of one upload.
struct UploadOptions {
  /// `X-Fal-Object-Lifecycle` sent on the upload initiate: a JSON object such as
  /// `{"expiration_duration_seconds":604800}` (fal-js storage.ts). Empty = fal's default.
  std::string object_lifecycle_json;
  /// When set, a multipart upload records its progress here and, when the state already matches
  /// the bytes (see `MultipartUploadState`), resumes instead of initiating a new upload.
  MultipartUploadState* multipart_state = nullptr;
  /// Stops a retry backoff at once (`errc::cancelled`).
  CancelToken cancel;
};

/// How `StreamStatus` follows one status stream.
struct StreamStatusOptions {
  bool with_logs = true;  ///< `logs=1`: events carry the logs that are new since the last event
  /// Called for every status event; its logs are all logs so far, as a poll's would be.
  std::function<void(const RequestStatus&)> on_status;
  /// Stops following (`errc::cancelled`).
  CancelToken cancel;
  /// Fails with `errc::timeout` when nothing (not even a keep-alive) arrives for this long.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
};

/// A submitted training: the handle plus what progress needs to know.
struct TrainingJob {
  RequestHandle handle;                            ///< the request; persist it with `ToJson`
  TrainerSpec trainer;                             ///< the trainer it was submitted to
  AvatarStyle style = AvatarStyle::kPortrait;      ///< as requested
  QualityPreset preset = QualityPreset::kBalanced; ///< as requested
  std::int64_t steps = 0;                          ///< the steps sent (request override or preset)
  DurationEstimate estimate{};                     ///< the preset's expected training time
};

/// The client for fal's queue, storage and the trained avatars. Thread-safe and cheap to copy
/// (copies share one transport, clock and trainer registry).
class TrainingClient {
 public:
  /// Builds a client. `options.connect_timeout` and `options.request_timeout` travel on every request
  /// and so apply to a caller's `transport` too (see `Transport`). With `transport` null: a
  /// `CurlTransport` (test mode then fails with
  /// `errc::invalid_argument`: use `CreateTrainingClient` from <faltrain/testing.hpp>, which puts
  /// the simulator behind the client). Fails with `errc::missing_credentials` when not in test
  /// mode and no key is set.
  static result<TrainingClient> Create(ClientOptions options,
                                       std::shared_ptr<Transport> transport = nullptr,
                                       std::shared_ptr<Clock> clock = nullptr);

  // -- training --------------------------------------------------------------------------------
  /// Picks the trainer (style or override), applies the preset, and submits. Never retried once
  /// the request may have reached fal (a second POST could start a second paid training).
  result<TrainingJob> SubmitTraining(const TrainingRequest& request, const SubmitOptions& options = {});
  /// The JSON input `SubmitTraining` would send, without sending it.
  result<std::string> BuildTrainingInput(const TrainingRequest& request) const;

  // -- any queue endpoint ------------------------------------------------------------------------
  /// Submits `input_json` (a JSON object) to any queue endpoint. Like `SubmitTraining`, retried
  /// only when fal provably never received it (no connection, or a 429).
  result<RequestHandle> Submit(std::string_view endpoint_id, std::string_view input_json,
                               const SubmitOptions& options = {});
  /// One status poll (`with_logs` asks fal for the request's logs so far). Retried per
  /// `ClientOptions::retry` on network errors, 408/409/429 and any 5xx (fal-js retries a status
  /// poll's 500 too); `cancel` stops a retry backoff at once (`errc::cancelled`).
  result<RequestStatus> GetStatus(const RequestHandle& handle, bool with_logs = true,
                                  CancelToken cancel = {});
  /// Follows the request over fal's status stream (`GET <status_url>/stream`, server-sent events)
  /// until it completes, and returns the final status. One connection, no retries and no polling
  /// (`Wait` adds those): fails with the HTTP error when the stream is refused (e.g.
  /// `errc::not_found` for a 404), `errc::network_error` when it ends before COMPLETED, or as
  /// `options` says. Fails with `errc::invalid_argument` when the transport cannot stream.
  result<RequestStatus> StreamStatus(const RequestHandle& handle, const StreamStatusOptions& options = {});
  /// The output JSON of a completed request. A failed request's error (the 4xx/5xx the app
  /// answered, `x-fal-request-id` set) is `errc::request_failed` with fal's detail, at once: it is
  /// the request's outcome, so a 500 is never retried, and 502/503/504 only when fal's ingress
  /// sent them (no `x-fal-request-id`). Network errors, 408/409/429 are retried.
  result<std::string> GetResultJson(const RequestHandle& handle, CancelToken cancel = {});
  /// `GetResultJson` decoded by `TrainingOutput::Parse`.
  result<TrainingOutput> GetTrainingOutput(const RequestHandle& handle, CancelToken cancel = {});
  /// Asks fal to cancel the request. A request that already finished is not an error:
  /// `CancelOutcome::kAlreadyCompleted`. Retried like `GetResultJson` (never on a 500).
  result<CancelOutcome> Cancel(const RequestHandle& handle);
  /// Follows the request until it completes — over the status stream, or polling with an adaptive
  /// interval (see `WatchOptions`) — reporting progress; then fetches the output. Honours
  /// `options.timeout` and `options.cancel`.
  result<TrainingOutput> Wait(const TrainingJob& job, WatchOptions options = {});
  /// `Wait` for any request: follows it until it completes, then returns its output JSON.
  result<std::string> WaitForResultJson(const RequestHandle& handle, WatchOptions options = {});

  // -- files ---------------------------------------------------------------------------------------
  /// Uploads bytes to fal storage; returns the public file URL. Multipart above
  /// `ClientOptions::multipart_threshold` (90 MiB), in parts of `multipart_part_size`. Upload PUTs
  /// have no total timeout: they abort only below `ClientOptions::upload_low_speed_limit` bytes/s
  /// for `upload_low_speed_time`. A failed part is retried (network errors, 408/409/429, 502/503/504
  /// of the storage front end; never a 500) and, with `options.multipart_state`, a later call
  /// resumes from it.
  result<std::string> Upload(std::string bytes, std::string_view content_type,
                             std::string_view file_name, const UploadOptions& options = {});
  /// Uploads a local file; the content type comes from its extension (.zip, .jpg, .png, ...).
  result<std::string> UploadFile(const std::filesystem::path& path, const UploadOptions& options = {});
  /// Zips (validated against the trainer chosen for `style`: its `min_images`, and its
  /// `max_images` when set) and uploads a training set.
  result<std::string> UploadTrainingSet(const TrainingSet& set,
                                        AvatarStyle style = AvatarStyle::kPortrait);

  // -- using the result -------------------------------------------------------------------------
  /// Generates images with a finished training: flux-lora with the LoRA file, or the
  /// finetuned Ultra endpoint with the finetune id. Submits (without a webhook), waits and
  /// parses; with the default intervals it polls every 250 ms to 2 s.
  result<GenerationResult> Generate(const TrainingOutput& trained, const GenerateRequest& request,
                                    WatchOptions options = {});
  /// The endpoint `Generate` would submit to and the JSON input it would send, without sending.
  result<GenerationInput> BuildGenerationInput(const TrainingOutput& trained,
                                               const GenerateRequest& request) const;

  // -- options ---------------------------------------------------------------------------------------
  /// The trainers this client (and its copies) submit to; register more here.
  TrainerRegistry& trainers();
  /// The options the client was created with (key trimmed).
  const ClientOptions& options() const;
  /// The clock every wait of this client sleeps on.
  Clock& clock() const;

 private:
  friend class JobMonitor;  // polls on the transport's asynchronous path
  struct Impl;
  explicit TrainingClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace faltrain
