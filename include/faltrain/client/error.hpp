#pragma once
/// @file
/// The error type every fallible faltrain call reports: a code from `errc` plus everything fal told us
/// about the failure (HTTP status, fal's error type, request id, field errors, retry hints).

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What went wrong, coarsely. Fine detail lives in `error`.
///
/// The one public enum whose enumerators are not `kCamelCase`: an error-code enum (registered
/// with `std::is_error_code_enum`) named like `std::errc`, so `errc::timeout` reads as the standard's.
enum class errc {
  ok = 0,                   ///< no error (the value of a default-constructed `error`)
  invalid_argument = 1,     ///< the caller passed something unusable (message says what)
  missing_credentials,      ///< no fal key configured and not in test mode
  connect_failed,           ///< the request never reached the server (DNS, refused, TLS handshake)
  network_error,            ///< the connection failed after the request may have been sent
  timeout,                  ///< the transport's connect or total timeout expired
  unauthorized,             ///< HTTP 401/403
  not_found,                ///< HTTP 404, or an unknown request id
  validation_failed,        ///< HTTP 422 (see `error::field_errors`)
  rate_limited,             ///< HTTP 429
  server_error,             ///< HTTP 5xx
  http_error,               ///< any other non-success HTTP status
  malformed_response,       ///< the server answered something we cannot parse
  request_failed,           ///< the fal request itself finished with an error
  already_completed,        ///< cancel of a request that has already finished
  cancelled,                ///< the caller cancelled the operation
  deadline_exceeded,        ///< the caller's deadline passed
  io_error,                 ///< reading or writing a local file failed
  unsupported,              ///< the operation does not apply (e.g. a finetune trainer's LoRA)
  payload_too_large,        ///< input or response over a configured size limit
  signature_invalid,        ///< webhook signature, timestamp or headers did not verify
  storage_error,            ///< the job store failed
};

/// The category of `errc`, named "faltrain"; its messages are short English phrases
/// ("rate limited", "invalid signature").
const std::error_category& error_category() noexcept;
/// `code` as a `std::error_code` in `error_category()`, so `errc` compares with `std::error_code`.
std::error_code make_error_code(errc code) noexcept;

/// One entry of a fal 422 `detail` array: where (`loc`, e.g. {"body","steps"}), what and its type.
struct field_error {
  std::vector<std::string> loc;  ///< path to the offending input, outermost first
  std::string msg;               ///< fal's human-readable message, e.g. "field required"
  std::string type;              ///< fal's machine-readable kind, e.g. "value_error.missing"
};

/// A failure with all the context fal gave us. Cheap to move; printable with `to_string()`.
struct error {
  errc code = errc::ok;  ///< the coarse kind; `errc::ok` only in a default-constructed error
  std::string message;   ///< for people; from an HTTP error: fal's `detail` or `message`, else the body's start
  int http_status = 0;                     ///< 0 when no HTTP response was received
  std::string fal_error_type;              ///< `X-Fal-Error-Type` header or body `error_type`
  std::string request_id;                  ///< fal request id, when known
  std::vector<field_error> field_errors;   ///< parsed from a 422 `detail`
  bool retryable = false;                  ///< safe and useful to try again
  std::optional<std::chrono::milliseconds> retry_after;  ///< from `Retry-After`, when sent (delay-seconds or an HTTP-date, capped at 24 hours)

  error() = default;
  /// An error of kind `c` with message `msg`; every other field empty.
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {}

  /// One line for logs: code, status, fal type, request id, message and field errors.
  std::string to_string() const;
};

/// Outcome's payload hook: lets `result<T>` treat `error` like an error code.
std::error_code make_error_code(const error& e) noexcept;

/// Outcome calls this when `.value()` is used on a failed result: throws `std::system_error`
/// carrying `to_string()`. Check results instead of relying on it.
[[noreturn]] void outcome_throw_as_system_error_with_payload(const error& e);

}  // namespace v1
}  // namespace faltrain

namespace std {
/// Makes `faltrain::errc` convert implicitly to `std::error_code` (via `make_error_code`).
template <>
struct is_error_code_enum<faltrain::errc> : true_type {};
}  // namespace std
