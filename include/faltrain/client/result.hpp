#pragma once
// `faltrain::result<T>`: a value or a `faltrain::error`, built on Boost.Outcome.

#include <faltrain/client/error.hpp>

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace faltrain {
inline namespace v1 {

namespace outcome = BOOST_OUTCOME_V2_NAMESPACE;

/// A `T` or an `error`. Test with `if (r)`, read with `r.value()` / `r.error()`.
template <class T>
using result = outcome::std_result<T, error>;

/// `return success();` from a function returning `result<void>`.
using outcome::success;

/// Builds a failed result: `return fail(errc::invalid_argument, "steps must be positive");`
inline outcome::failure_type<error> fail(errc code, std::string message) {
  return outcome::failure(error{code, std::move(message)});
}
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
