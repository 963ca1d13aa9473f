// TrainingClient's uploads to fal storage: initiate + PUT, multipart for large files (fal-js flavour).

#include <faltrain/client/training_client.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/json_reader.hpp"
#include "client/detail/json_validate.hpp"
#include <faltrain/client/json_writer.hpp>
#include "client/detail/url.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace faltrain {
inline namespace v1 {
namespace {

struct UploadTarget {
  std::string upload_url;
  std::string file_url;
};

result<UploadTarget> ParseUploadTarget(std::string_view body) {
  detail::JsonDocument doc(body);
  detail::od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
    return fail(errc::malformed_response, "upload initiate response is not a JSON object");
  }
  UploadTarget target;
  for (auto field : root) {
    std::string_view key;
    detail::od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      return fail(errc::malformed_response, "upload initiate response is malformed JSON");
    }
    if (key == "upload_url") {
      if (auto s = detail::ReadString(v)) target.upload_url = std::move(*s);
    } else if (key == "file_url") {
      if (auto s = detail::ReadString(v)) target.file_url = std::move(*s);
    }
  }
  if (!detail::IsHttpUrl(target.upload_url) || !detail::IsHttpUrl(target.file_url)) {
    return fail(errc::malformed_response, "upload initiate response lacks upload_url or file_url");
  }
  return target;
}

// "<path>/<suffix>?<query>" for a multipart upload URL "<path>?<query>".
result<std::string> MultipartUrl(std::string_view upload_url, std::string_view suffix) {
  auto url = detail::AppendPath(upload_url, suffix);
  if (!url) return fail(errc::malformed_response, "upload initiate response has an unusable upload_url");
  return std::move(*url);
}

std::string ContentTypeFor(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".zip") return "application/zip";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".webp") return "image/webp";
  if (ext == ".json") return "application/json";
  if (ext == ".txt") return "text/plain";
  if (ext == ".safetensors") return "application/octet-stream";
  return "application/octet-stream";
}

}  // namespace

namespace {

// An upload body's PUT (or the multipart completion): no total timeout, a low-speed guard instead.
HttpRequest UploadRequest(HttpMethod method, std::string url, HttpHeaders headers, std::string body,
                          const ClientOptions& config) {
  HttpRequest put;
  put.method = method;
  put.url = std::move(url);
  put.headers = std::move(headers);
  put.body = std::move(body);
  put.no_total_timeout = true;
  put.low_speed_limit = config.upload_low_speed_limit;
  put.low_speed_time = config.upload_low_speed_time;
  return put;
}

// The part's etag: the JSON body's "etag" (fal-js), else the ETag header (S3 style).
std::string PartEtag(const HttpResponse& response) {
  std::string etag(response.headers.Get("ETag"));
  detail::JsonDocument doc(response.body);
  detail::od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) return etag;
  for (auto field : root) {
    std::string_view key;
    detail::od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) break;
    if (key == "etag") {
      if (auto s = detail::ReadString(v)) etag = std::move(*s);
    }
  }
  return etag;
}

// Whether `state` describes an unfinished multipart upload of these bytes, so it can resume.
bool CanResume(const MultipartUploadState& state, std::size_t total, std::size_t part_size) {
  const std::size_t parts = (total + part_size - 1) / part_size;
  return state.total_bytes == total && state.part_size == part_size && detail::IsHttpUrl(state.upload_url) &&
         detail::IsHttpUrl(state.file_url) && state.etags.size() <= parts;
}

}  // namespace

result<std::string> TrainingClient::Upload(std::string bytes, std::string_view content_type,
                                           std::string_view file_name, const UploadOptions& options) {
  if (bytes.empty()) return fail(errc::invalid_argument, "nothing to upload: the data is empty");
  if (!options.object_lifecycle_json.empty() && !detail::IsValidJsonAnyNumber(options.object_lifecycle_json)) {
    return fail(errc::invalid_argument, "object_lifecycle_json is not valid JSON");
  }
  const ClientOptions& config = impl_->config;
  std::string type = content_type.empty() ? "application/octet-stream" : std::string(content_type);
  std::string name = file_name.empty()
                         ? fmt::format("{}.bin", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     impl_->clock->WallNow().time_since_epoch()).count())
                         : std::string(file_name);
  const bool multipart = bytes.size() > config.multipart_threshold;

  auto initiate = [&]() -> result<UploadTarget> {
    HttpRequest request;
    request.method = HttpMethod::kPost;
    const std::string url = detail::JoinUrl(
        config.endpoints.rest_url, multipart ? "storage/upload/initiate-multipart" : "storage/upload/initiate");
    auto with_type = detail::AddQuery(url, "storage_type", "fal-cdn-v3");
    if (!with_type) return fail(errc::invalid_argument, "not a URL: " + detail::UrlForLog(url));
    request.url = std::move(*with_type);
    request.headers = impl_->BaseHeaders();
    request.headers.Add("Content-Type", "application/json");
    if (!options.object_lifecycle_json.empty()) {
      request.headers.Add("X-Fal-Object-Lifecycle", options.object_lifecycle_json);
    }
    JsonWriter w;
    w.BeginObject().Field("content_type", type).Field("file_name", name).EndObject();
    request.body = std::move(w).str();
    FALTRAIN_TRY(auto initiated, impl_->Execute(std::move(request), Repeatable::kUnlessAppAnswered, nullptr,
                                                std::nullopt, options.cancel));
    return ParseUploadTarget(initiated.body);
  };

  // The signed upload URL carries its own authorisation: never send the fal key to it.
  HttpHeaders put_headers;
  put_headers.Add("User-Agent", config.UserAgent());
  put_headers.Add("Content-Type", type);
  auto send = [&](HttpRequest request) {
    return impl_->Execute(std::move(request), Repeatable::kUnlessAppAnswered, nullptr, std::nullopt,
                          options.cancel);
  };

  if (!multipart) {
    FALTRAIN_TRY(auto target, initiate());
    const std::size_t size = bytes.size();
    FALTRAIN_TRYV(send(UploadRequest(HttpMethod::kPut, target.upload_url, put_headers, std::move(bytes), config)));
    impl_->Log(LogLevel::kInfo, fmt::format("uploaded {} ({} bytes)", name, size));
    return std::move(target.file_url);
  }

  MultipartUploadState local;
  MultipartUploadState& state = options.multipart_state ? *options.multipart_state : local;
  const std::size_t part_size = config.multipart_part_size;
  if (CanResume(state, bytes.size(), part_size)) {
    impl_->Log(LogLevel::kInfo, fmt::format("resuming the upload of {} at part {}", name, state.etags.size() + 1));
  } else {
    FALTRAIN_TRY(auto target, initiate());
    state = MultipartUploadState{};
    state.upload_url = std::move(target.upload_url);
    state.file_url = std::move(target.file_url);
    state.total_bytes = bytes.size();
    state.part_size = part_size;
  }
  for (std::size_t offset = state.etags.size() * part_size; offset < bytes.size(); offset += part_size) {
    const std::size_t part_number = state.etags.size() + 1;
    FALTRAIN_TRY(auto url, MultipartUrl(state.upload_url, std::to_string(part_number)));
    FALTRAIN_TRY(auto response,
                 send(UploadRequest(HttpMethod::kPut, std::move(url), put_headers, bytes.substr(offset, part_size), config)));
    std::string etag = PartEtag(response);
    if (etag.empty()) {
      return fail(errc::malformed_response, fmt::format("upload part {} returned no etag", part_number));
    }
    state.etags.push_back(std::move(etag));
  }

  JsonWriter parts;
  parts.BeginObject().Key("parts").BeginArray();
  for (std::size_t i = 0; i < state.etags.size(); ++i) {
    parts.BeginObject().Field("partNumber", static_cast<std::int64_t>(i + 1)).Field("etag", state.etags[i]).EndObject();
  }
  parts.EndArray().EndObject();
  HttpHeaders complete_headers = put_headers;
  complete_headers.Set("Content-Type", "application/json");
  FALTRAIN_TRY(auto complete_url, MultipartUrl(state.upload_url, "complete"));
  FALTRAIN_TRYV(send(UploadRequest(HttpMethod::kPost, std::move(complete_url), std::move(complete_headers),
                                   std::move(parts).str(), config)));
  impl_->Log(LogLevel::kInfo, fmt::format("uploaded {} ({} bytes in {} parts)", name, bytes.size(), state.etags.size()));
  std::string file_url = state.file_url;
  state = MultipartUploadState{};  // finished: nothing left to resume
  return file_url;
}

result<std::string> TrainingClient::UploadFile(const std::filesystem::path& path, const UploadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errc::io_error, "cannot open " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fail(errc::io_error, "cannot read " + path.string());
  return Upload(std::move(buffer).str(), ContentTypeFor(path), path.filename().string(), options);
}

result<std::string> TrainingClient::UploadTrainingSet(const TrainingSet& set, AvatarStyle style) {
  FALTRAIN_TRY(auto spec, impl_->trainers.ForStyle(style));
  if (spec.max_images && set.images().size() > *spec.max_images) {
    return fail(errc::invalid_argument,
                fmt::format("{} takes at most {} images; the set has {}", spec.endpoint_id,
                            *spec.max_images, set.images().size()));
  }
  FALTRAIN_TRY(auto zip, set.ToZip(spec.min_images));
  return Upload(std::move(zip), "application/zip", "training_set.zip");
}

}  // namespace v1
}  // namespace faltrain
