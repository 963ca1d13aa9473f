// fal storage's HTTP surface, simulated (reference §5.1 and the fal-js flavour of §5.3): upload
// initiation, the PUT to the upload URL, multipart parts and completion, and file downloads.

#include "testing/detail/sim_core.hpp"

#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>
#include "testing/detail/sim_validation.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace detail {

HttpResponse SimCore::Initiate(const HttpRequest& request, const SimUrl& url, bool multipart) {
  if (!request.body.empty() && !IsValidJson(request.body)) {
    return JsonResponse(422, R"({"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]})");
  }
  std::string content_type = SimInputString(request.body, "content_type").value_or("application/octet-stream");
  std::string file_name = SimInputString(request.body, "file_name").value_or("");
  if (file_name.empty()) file_name = "file.bin";
  SimUploadTicket ticket =
      storage_.Initiate(url.origin, FileBase(url), content_type, file_name, multipart, {}, random_);
  JsonWriter w;
  w.BeginObject().Field("upload_url", ticket.upload_url).Field("file_url", ticket.file_url).EndObject();
  Emit(fmt::format("upload initiated{}: {}", multipart ? " (multipart)" : "", ticket.file_url));
  return JsonResponse(200, std::move(w).str());
}

HttpResponse SimCore::UploadPut(const HttpRequest& request, const Call& call) {
  auto stored = storage_.Put(call.token, request.body, request.headers.Get("Content-Type"));
  if (!stored) return DetailResponse(404, "Upload URL not found or already used");
  HttpResponse response;
  response.status = 200;
  response.headers.Add("content-type", "text/plain");
  return response;
}

HttpResponse SimCore::PartPut(const HttpRequest& request, const Call& call) {
  if (call.part <= 0) return DetailResponse(400, "Invalid part number");
  auto etag = storage_.PutPart(call.token, call.part, request.body);
  if (!etag) {
    return DetailResponse(etag.error().code == errc::not_found ? 404 : 400, etag.error().message);
  }
  JsonWriter w;
  w.BeginObject().Field("partNumber", call.part).Field("etag", etag.value()).EndObject();
  HttpResponse response = JsonResponse(200, std::move(w).str());
  response.headers.Add("etag", etag.value());
  return response;
}

HttpResponse SimCore::MultipartComplete(const HttpRequest& request, const Call& call) {
  auto file_url = storage_.Complete(call.token, request.body);
  if (!file_url) {
    return DetailResponse(file_url.error().code == errc::not_found ? 404 : 400, file_url.error().message);
  }
  JsonWriter w;
  w.BeginObject().Field("file_url", file_url.value()).EndObject();
  return JsonResponse(200, std::move(w).str());
}

HttpResponse SimCore::ServeFile(const SimUrl& url) {
  const SimFile* file = storage_.Find(url.path);
  if (file == nullptr) return DetailResponse(404, "File not found");
  HttpResponse response;
  response.status = 200;
  response.headers.Add("content-type", file->content_type);
  response.body = file->bytes;
  return response;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
