#pragma once
// Shared helpers for the simulator's unit tests: raw HTTP calls through a SimTransport, JSON
// lookups by JSON pointer, and a capturing Transport that stands in for webhook receivers.

#include "support/error_text.hpp"

#include <faltrain/testing/sim_transport.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace sim_test {

using namespace faltrain;
using test_support::ErrorText;

inline HttpResponse Call(Transport& t, HttpMethod method, std::string url, std::string body = {},
                         HttpHeaders headers = {}) {
  HttpRequest request;
  request.method = method;
  request.url = std::move(url);
  request.body = std::move(body);
  request.headers = std::move(headers);
  auto response = t.Send(request);
  REQUIRE_MESSAGE(response.has_value(), ErrorText(response));
  return response.value();
}

/// The JSON value at `pointer` ("/images/0/url") as text: strings unquoted, others minified.
inline std::string At(const std::string& json, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
  simdjson::dom::element e;
  if (root.at_pointer(pointer).get(e) != simdjson::SUCCESS) return "<missing>";
  if (e.is_string()) return std::string(e.get_string().value());
  return simdjson::minify(e);
}

inline std::size_t ArraySize(const std::string& json, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array array;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return 0;
  if (root.at_pointer(pointer).get_array().get(array) != simdjson::SUCCESS) return 0;
  return array.size();
}

/// A webhook receiver: records every request, answers from a script (default 200).
class CapturingTransport final : public Transport {
 public:
  result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      int status = script_.front();
      script_.pop_front();
      if (status < 0) return fail(errc::connect_failed, "receiver down");
      return HttpResponse{status, {}, ""};
    }
    return HttpResponse{200, {}, "ok"};
  }
  /// Next answers: an HTTP status, or -1 for a connection failure.
  void Script(std::initializer_list<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.insert(script_.end(), statuses);
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<int> script_;
  std::vector<HttpRequest> requests_;
};

inline const char* kQueue = "https://queue.fal.run";

}  // namespace sim_test
