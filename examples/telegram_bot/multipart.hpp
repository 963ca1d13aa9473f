#pragma once
// multipart/form-data bodies, for sendPhoto with the image's own bytes (a data: URI or a file the
// simulator serves only in-process cannot be sent to Telegram as a URL).

#include <string>
#include <string_view>

namespace faltrain_bot {

class MultipartBody {
 public:
  /// The boundary is 96 random bits, so it does not occur in the parts in practice.
  MultipartBody();
  void AddField(std::string_view name, std::string_view value);
  void AddFile(std::string_view name, std::string_view file_name, std::string_view content_type,
               std::string_view bytes);
  /// "multipart/form-data; boundary=..."
  std::string ContentType() const;
  /// The finished body (closing boundary appended).
  std::string Finish() const;

 private:
  std::string boundary_;
  std::string body_;
};

}  // namespace faltrain_bot
