#include "testing/detail/sim_storage.hpp"

#include "webhooks/detail/encoding.hpp"
#include "client/detail/json_reader.hpp"
#include "testing/detail/sim_random.hpp"

#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

std::string SafeFileName(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out.empty() ? std::string("file.bin") : out;
}

}  // namespace

SimUploadTicket SimStorage::Initiate(std::string_view upload_origin, std::string_view file_base,
                                     std::string_view content_type, std::string_view file_name,
                                     bool multipart, std::string_view query, SimRandom& random) {
  std::string token = random.Hex(32);
  Pending pending;
  pending.path = MakeFilePath(SafeFileName(file_name), random);
  pending.content_type = content_type.empty() ? "application/octet-stream" : std::string(content_type);
  pending.file_url = std::string(file_base) + pending.path;
  pending.multipart = multipart;
  SimUploadTicket ticket;
  ticket.upload_url = std::string(upload_origin) + (multipart ? "/_sim/multipart/" : "/_sim/upload/") + token;
  // Like a signed URL, the upload URL carries its own query (fal-js re-appends it to part URLs).
  ticket.upload_url += "?X-Sim-Signature=" + random.Hex(16);
  if (!query.empty()) ticket.upload_url += "&" + std::string(query);
  ticket.file_url = pending.file_url;
  pending_.emplace(std::move(token), std::move(pending));
  return ticket;
}

result<void> SimStorage::Put(std::string_view token, std::string bytes, std::string_view content_type) {
  auto it = pending_.find(token);
  if (it == pending_.end() || it->second.multipart) return fail(errc::not_found, "unknown upload");
  SimFile file{it->second.path,
               content_type.empty() ? it->second.content_type : std::string(content_type),
               std::move(bytes)};
  files_[file.path] = std::move(file);
  pending_.erase(it);
  return success();
}

result<std::string> SimStorage::PutPart(std::string_view token, int part_number, std::string bytes) {
  auto it = pending_.find(token);
  if (it == pending_.end() || !it->second.multipart) return fail(errc::not_found, "unknown upload");
  if (part_number < 1 || part_number > 10000) return fail(errc::invalid_argument, "bad part number");
  std::string etag = "\"" + Sha256Hex(bytes).substr(0, 32) + "\"";
  it->second.parts[part_number] = {etag, std::move(bytes)};
  return etag;
}

result<std::string> SimStorage::Complete(std::string_view token, std::string_view body) {
  auto it = pending_.find(token);
  if (it == pending_.end() || !it->second.multipart) return fail(errc::not_found, "unknown upload");
  JsonDocument document(body);
  od::object root;
  od::array parts;
  if (document.error() != simdjson::SUCCESS || document.Object().get(root) != simdjson::SUCCESS ||
      root["parts"].get_array().get(parts) != simdjson::SUCCESS) {
    return fail(errc::invalid_argument, "body must be {\"parts\":[...]}");
  }
  std::string joined;
  int expected = 1;
  for (auto element : parts) {
    od::object part;
    if (element.get_object().get(part) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "each part must be an object");
    }
    std::optional<std::int64_t> number;
    std::optional<std::string> etag;
    for (auto field : part) {
      std::string_view key;
      od::value value;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
          field.value().get(value) != simdjson::SUCCESS) {
        return fail(errc::invalid_argument, "malformed part");
      }
      if (key == "partNumber") number = ReadInt(value);
      else if (key == "etag") etag = ReadString(value);
    }
    if (!number || *number != expected) return fail(errc::invalid_argument, "parts must be 1..n in order");
    auto stored = it->second.parts.find(static_cast<int>(*number));
    if (stored == it->second.parts.end() || !etag || *etag != stored->second.first) {
      return fail(errc::invalid_argument, "part " + std::to_string(*number) + " missing or etag mismatch");
    }
    joined += stored->second.second;
    ++expected;
  }
  if (expected == 1) return fail(errc::invalid_argument, "no parts");
  std::string file_url = it->second.file_url;
  files_[it->second.path] = SimFile{it->second.path, it->second.content_type, std::move(joined)};
  pending_.erase(it);
  return file_url;
}

void SimStorage::AddFile(SimFile file) {
  std::string path = file.path;
  files_[std::move(path)] = std::move(file);
}

const SimFile* SimStorage::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
