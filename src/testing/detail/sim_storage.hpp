#pragma once
// fal storage, simulated: upload initiation hands out an upload URL and a file URL; a PUT (or
// multipart parts + complete, fal-js flavour) stores the bytes; GET on the file path serves them.
// Not thread-safe (the simulator holds its lock). Private.

#include "testing/detail/sim_outputs.hpp"

#include <faltrain/client/result.hpp>

#include <map>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimRandom;

struct SimUploadTicket {
  std::string upload_url;
  std::string file_url;
};

class SimStorage {
 public:
  /// `upload_origin` is the scheme+host upload URLs use; `file_base` the one file URLs use.
  SimUploadTicket Initiate(std::string_view upload_origin, std::string_view file_base,
                           std::string_view content_type, std::string_view file_name,
                           bool multipart, std::string_view query, SimRandom& random);
  /// Stores the bytes of a single-part upload. Fails with not_found for an unknown token.
  result<void> Put(std::string_view token, std::string bytes, std::string_view content_type);
  /// Stores one part (1-based); returns its ETag.
  result<std::string> PutPart(std::string_view token, int part_number, std::string bytes);
  /// Joins the parts listed in `body` ({"parts":[{"partNumber":n,"etag":".."}]}) in order.
  result<std::string> Complete(std::string_view token, std::string_view body);

  void AddFile(SimFile file);
  const SimFile* Find(std::string_view path) const;

 private:
  struct Pending {
    std::string path;
    std::string content_type;
    std::string file_url;
    bool multipart = false;
    std::map<int, std::pair<std::string, std::string>> parts;  // number → (etag, bytes)
  };
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::string, SimFile, std::less<>> files_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
