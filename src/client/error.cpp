#include <faltrain/client/error.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace faltrain {
inline namespace v1 {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "faltrain"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::ok: return "success";
      case errc::invalid_argument: return "invalid argument";
      case errc::missing_credentials: return "missing fal credentials";
      case errc::connect_failed: return "could not connect";
      case errc::network_error: return "network error";
      case errc::timeout: return "timed out";
      case errc::unauthorized: return "unauthorized";
      case errc::not_found: return "not found";
      case errc::validation_failed: return "validation failed";
      case errc::rate_limited: return "rate limited";
      case errc::server_error: return "server error";
      case errc::http_error: return "HTTP error";
      case errc::malformed_response: return "malformed response";
      case errc::request_failed: return "request failed";
      case errc::already_completed: return "already completed";
      case errc::cancelled: return "cancelled";
      case errc::deadline_exceeded: return "deadline exceeded";
      case errc::io_error: return "I/O error";
      case errc::unsupported: return "unsupported";
      case errc::payload_too_large: return "payload too large";
      case errc::signature_invalid: return "invalid signature";
      case errc::storage_error: return "storage error";
    }
    return "unknown faltrain error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

std::error_code make_error_code(const error& e) noexcept { return make_error_code(e.code); }

std::string error::to_string() const {
  std::string out = make_error_code(code).message();
  if (http_status != 0) out += fmt::format(" (HTTP {})", http_status);
  if (!fal_error_type.empty()) out += fmt::format(" [{}]", fal_error_type);
  if (!message.empty()) out += fmt::format(": {}", message);
  for (const auto& f : field_errors) {
    std::string loc;
    for (const auto& part : f.loc) loc += (loc.empty() ? "" : ".") + part;
    out += fmt::format("; {}: {} ({})", loc, f.msg, f.type);
  }
  if (!request_id.empty()) out += fmt::format(" request_id={}", request_id);
  if (retryable) out += " (retryable)";
  return out;
}

void outcome_throw_as_system_error_with_payload(const error& e) {
  throw std::system_error(make_error_code(e.code), e.to_string());
}

}  // namespace v1
}  // namespace faltrain
