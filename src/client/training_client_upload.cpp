// TrainingClient's uploads to fal storage: initiate + PUT, multipart for large files (fal-js flavour).

#include <faltrain/client/training_client.hpp>

#include "client/detail/client_impl.hpp"
#include "client/detail/json_reader.hpp"
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

result<std::string> TrainingClient::Upload(std::string bytes, std::string_view content_type,
                                           std::string_view file_name) {
  if (bytes.empty()) return fail(errc::invalid_argument, "nothing to upload: the data is empty");
  const ClientOptions& config = impl_->config;
  std::string type = content_type.empty() ? "application/octet-stream" : std::string(content_type);
  std::string name = file_name.empty()
                         ? fmt::format("{}.bin", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     impl_->clock->WallNow().time_since_epoch()).count())
                         : std::string(file_name);
  const bool multipart = bytes.size() > config.multipart_threshold;

  HttpRequest initiate;
  initiate.method = HttpMethod::kPost;
  const std::string initiate_url = detail::JoinUrl(
      config.endpoints.rest_url, multipart ? "storage/upload/initiate-multipart" : "storage/upload/initiate");
  auto with_type = detail::AddQuery(initiate_url, "storage_type", "fal-cdn-v3");
  if (!with_type) return fail(errc::invalid_argument, "not a URL: " + detail::UrlForLog(initiate_url));
  initiate.url = std::move(*with_type);
  initiate.headers = impl_->BaseHeaders();
  initiate.headers.Add("Content-Type", "application/json");
  JsonWriter w;
  w.BeginObject().Field("content_type", type).Field("file_name", name).EndObject();
  initiate.body = std::move(w).str();
  FALTRAIN_TRY(auto initiated, impl_->Execute(std::move(initiate), Repeatable::kYes));
  FALTRAIN_TRY(auto target, ParseUploadTarget(initiated.body));

  // The signed upload URL carries its own authorisation: never send the fal key to it.
  HttpHeaders put_headers;
  put_headers.Add("User-Agent", config.UserAgent());
  put_headers.Add("Content-Type", type);

  if (!multipart) {
    HttpRequest put;
    put.method = HttpMethod::kPut;
    put.url = target.upload_url;
    put.headers = put_headers;
    put.body = std::move(bytes);
    const std::size_t size = put.body.size();
    FALTRAIN_TRYV(impl_->Execute(std::move(put), Repeatable::kYes));
    impl_->Log(LogLevel::kInfo, fmt::format("uploaded {} ({} bytes)", name, size));
    return std::move(target.file_url);
  }

  JsonWriter parts;
  parts.BeginObject().Key("parts").BeginArray();
  const std::size_t part_size = config.multipart_part_size;
  int part_number = 0;
  for (std::size_t offset = 0; offset < bytes.size(); offset += part_size) {
    ++part_number;
    HttpRequest put;
    put.method = HttpMethod::kPut;
    FALTRAIN_TRY(put.url, MultipartUrl(target.upload_url, std::to_string(part_number)));
    put.headers = put_headers;
    put.body = bytes.substr(offset, part_size);
    FALTRAIN_TRY(auto response, impl_->Execute(std::move(put), Repeatable::kYes));
    std::string etag(response.headers.Get("ETag"));
    detail::JsonDocument doc(response.body);
    detail::od::object root;
    if (doc.error() == simdjson::SUCCESS && doc.Object().get(root) == simdjson::SUCCESS) {
      for (auto field : root) {
        std::string_view key;
        detail::od::value v;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) break;
        if (key == "etag") {
          if (auto s = detail::ReadString(v)) etag = std::move(*s);
        }
      }
    }
    if (etag.empty()) {
      return fail(errc::malformed_response, fmt::format("upload part {} returned no etag", part_number));
    }
    parts.BeginObject().Field("partNumber", part_number).Field("etag", etag).EndObject();
  }
  parts.EndArray().EndObject();

  HttpRequest complete;
  complete.method = HttpMethod::kPost;
  FALTRAIN_TRY(complete.url, MultipartUrl(target.upload_url, "complete"));
  complete.headers = put_headers;
  complete.headers.Set("Content-Type", "application/json");
  complete.body = std::move(parts).str();
  FALTRAIN_TRYV(impl_->Execute(std::move(complete), Repeatable::kYes));
  impl_->Log(LogLevel::kInfo, fmt::format("uploaded {} ({} bytes in {} parts)", name, bytes.size(), part_number));
  return std::move(target.file_url);
}

result<std::string> TrainingClient::UploadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errc::io_error, "cannot open " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fail(errc::io_error, "cannot read " + path.string());
  return Upload(std::move(buffer).str(), ContentTypeFor(path), path.filename().string());
}

result<std::string> TrainingClient::UploadTrainingSet(const TrainingSet& set, AvatarStyle style) {
  FALTRAIN_TRY(auto spec, impl_->trainers.ForStyle(style));
  FALTRAIN_TRY(auto zip, set.ToZip(spec.min_images));
  return Upload(std::move(zip), "application/zip", "training_set.zip");
}

}  // namespace v1
}  // namespace faltrain
