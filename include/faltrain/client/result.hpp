#pragma once
/// @file
/// `faltrain::result<T>`: a value or a `faltrain::error`, built on Boost.Outcome.

#include <faltrain/client/error.hpp>

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/success_failure.hpp>

#include <memory>
#include <utility>

namespace faltrain {
inline namespace v1 {

namespace outcome = BOOST_OUTCOME_V2_NAMESPACE;

/// A `T` or an `error`: Boost.Outcome's `std_result<T, error>` plus `*` and `->`.
///
/// Test with `if (r)` (or `r.has_value()`), read the value with `*r`, `r->member` or `r.value()`,
/// the failure with `r.error()`. `*r` and `r->` check like `r.value()` does (Outcome's policy for
/// `error`): on a failed result they throw `std::system_error` carrying `error::to_string()` (see
/// `outcome_throw_as_system_error_with_payload`), never undefined behaviour. faltrain itself never
/// throws: a program that checks before reading never sees that exception.
///
/// @code
///   auto job = client.SubmitTraining(request);
///   if (!job) return report(job.error());
///   std::cout << job->trainer.endpoint_id;   // same as job.value().trainer.endpoint_id
/// @endcode
///
/// Everything of `std_result` works as before (it is the public base): `outcome::success()`,
/// `fail(...)`, conversions from `outcome::failure_type<error>` and from compatible results,
/// `FALTRAIN_TRY` and `FALTRAIN_TRYV`.
template <class T>
class result : public outcome::std_result<T, error> {
 public:
  using outcome::std_result<T, error>::std_result;

  /// The value; fails like `value()` on an error.
  T& operator*() & { return this->value(); }
  /// The value; fails like `value()` on an error.
  const T& operator*() const& { return this->value(); }
  /// The value, moved out; fails like `value()` on an error.
  T&& operator*() && { return std::move(*this).value(); }
  /// The value (rvalue); fails like `value()` on an error.
  const T&& operator*() const&& { return std::move(*this).value(); }

  /// Member access to the value: `job->trainer`; fails like `value()` on an error.
  T* operator->() { return std::addressof(this->value()); }
  /// Member access to the value; fails like `value()` on an error.
  const T* operator->() const { return std::addressof(this->value()); }
};

/// `result<void>`: success or an `error`; there is no value to dereference.
template <>
class result<void> : public outcome::std_result<void, ::faltrain::v1::error> {
 public:
  using outcome::std_result<void, ::faltrain::v1::error>::std_result;
};

/// `return success();` from a function returning `result<void>`.
using outcome::success;

/// Builds a failed result: `return fail(errc::invalid_argument, "steps must be positive");`
inline outcome::failure_type<error> fail(errc code, std::string message) {
  return outcome::failure(error{code, std::move(message)});
}
/// Builds a failed result from a complete `error` (status, request id, ... kept).
inline outcome::failure_type<error> fail(error e) { return outcome::failure(std::move(e)); }

}  // namespace v1
}  // namespace faltrain

// Works on Boost 1.74, whose BOOST_OUTCOME_TRY cannot declare a variable.
#define FALTRAIN_DETAIL_CAT2(a, b) a##b
#define FALTRAIN_DETAIL_CAT(a, b) FALTRAIN_DETAIL_CAT2(a, b)
#define FALTRAIN_DETAIL_TRY(tmp, decl, ...)                        \
  auto&& tmp = (__VA_ARGS__);                                      \
  if (!tmp) return ::faltrain::outcome::failure(std::move(tmp).error()); \
  decl = std::move(tmp).value()

/// `FALTRAIN_TRY(auto handle, client.Submit(...));` declares `handle` or returns the error.
#define FALTRAIN_TRY(decl, ...) \
  FALTRAIN_DETAIL_TRY(FALTRAIN_DETAIL_CAT(faltrain_try_, __LINE__), decl, __VA_ARGS__)

/// `FALTRAIN_TRYV(client.Cancel(h));` returns the error of a `result<void>` (or ignores a value).
#define FALTRAIN_TRYV(...)                                                                   \
  do {                                                                                       \
    auto&& faltrain_tryv_ = (__VA_ARGS__);                                                   \
    if (!faltrain_tryv_) return ::faltrain::outcome::failure(std::move(faltrain_tryv_).error()); \
  } while (false)
