// faltrain::result<T>: Outcome's std_result plus `*` and `->`, checked like `value()`.

#include <faltrain/client/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <ostream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

using namespace faltrain;

namespace {

struct Job {
  std::string trainer;
  int steps = 0;
};

result<Job> Found() { return Job{"fal-ai/flux-lora-portrait-trainer", 1000}; }
result<Job> Missing() { return fail(errc::not_found, "no such job"); }

result<int> Half(int n) {
  if (n % 2 != 0) return fail(errc::invalid_argument, "odd");
  return n / 2;
}

result<int> Quarter(int n) {
  FALTRAIN_TRY(int half, Half(n));
  FALTRAIN_TRY(auto quarter, Half(half));
  return quarter;
}

result<void> CheckEven(int n) {
  FALTRAIN_TRYV(Half(n));
  return success();
}

result<void> CheckBoth(int a, int b) {
  FALTRAIN_TRYV(CheckEven(a));
  FALTRAIN_TRYV(CheckEven(b));
  return outcome::success();
}

template <class R, class = void>
struct has_deref : std::false_type {};
template <class R>
struct has_deref<R, std::void_t<decltype(*std::declval<R&>())>> : std::true_type {};

template <class R, class = void>
struct has_arrow : std::false_type {};
template <class R>
struct has_arrow<R, std::void_t<decltype(std::declval<R&>().operator->())>> : std::true_type {};

}  // namespace

// The value categories follow `value()`'s.
static_assert(std::is_same_v<decltype(*std::declval<result<Job>&>()), Job&>);
static_assert(std::is_same_v<decltype(*std::declval<const result<Job>&>()), const Job&>);
static_assert(std::is_same_v<decltype(*std::declval<result<Job>>()), Job&&>);
static_assert(std::is_same_v<decltype(*std::declval<const result<Job>>()), const Job&&>);
static_assert(std::is_same_v<decltype(std::declval<result<Job>&>().operator->()), Job*>);
static_assert(std::is_same_v<decltype(std::declval<const result<Job>&>().operator->()), const Job*>);
// result<void> has nothing to dereference.
static_assert(has_deref<result<int>>::value && has_arrow<result<Job>>::value);
static_assert(!has_deref<result<void>>::value && !has_arrow<result<void>>::value);
// Still Outcome's result underneath.
static_assert(std::is_base_of_v<outcome::std_result<Job, error>, result<Job>>);
static_assert(std::is_base_of_v<outcome::std_result<void, error>, result<void>>);

TEST_CASE("-> and * read the value of a successful result") {
  auto job = Found();
  REQUIRE(job);
  CHECK(job->trainer == "fal-ai/flux-lora-portrait-trainer");
  CHECK((*job).steps == 1000);
  CHECK(&*job == &job.value());
  CHECK(job.operator->() == &job.value());

  const auto& same = job;
  CHECK(same->steps == 1000);
  CHECK((*same).trainer == job.value().trainer);
}

TEST_CASE("-> and * give write access on a non-const result") {
  auto job = Found();
  job->steps = 2500;
  CHECK(job.value().steps == 2500);
  (*job).trainer = "fal-ai/flux-pro-trainer";
  CHECK(job->trainer == "fal-ai/flux-pro-trainer");
}

TEST_CASE("* on an rvalue moves the value out") {
  result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> owned = *std::move(r);
  REQUIRE(owned);
  CHECK(*owned == 7);

  std::string trainer = (*Found()).trainer;
  CHECK(trainer == "fal-ai/flux-lora-portrait-trainer");
}

TEST_CASE("-> and * on a failed result fail like value(): std::system_error, never UB") {
  auto job = Missing();
  REQUIRE_FALSE(job);
  CHECK_THROWS_AS(job.value(), std::system_error);
  CHECK_THROWS_AS((void)*job, std::system_error);
  CHECK_THROWS_AS((void)job->trainer, std::system_error);
  const auto& same = job;
  CHECK_THROWS_AS((void)*same, std::system_error);
  CHECK_THROWS_AS((void)same->steps, std::system_error);
  CHECK_THROWS_AS((void)*Missing(), std::system_error);
  try {
    (void)job->trainer;
    FAIL("no exception");
  } catch (const std::system_error& e) {
    CHECK(e.code() == errc::not_found);
    CHECK(std::string(e.what()).find("no such job") != std::string::npos);
  }
  // The error itself is untouched.
  CHECK(job.error().code == errc::not_found);
  CHECK(job.error().message == "no such job");
}

TEST_CASE("what compiled before still compiles: fail, success, TRY, TRYV, value, error") {
  CHECK(Quarter(8).value() == 2);
  CHECK(*Quarter(8) == 2);
  CHECK(Quarter(6).error().code == errc::invalid_argument);
  CHECK(Quarter(6).has_error());
  CHECK_FALSE(Quarter(7).has_value());

  CHECK(CheckEven(4));
  CHECK(CheckEven(3).error().message == "odd");
  CHECK(CheckBoth(2, 4).has_value());
  CHECK(CheckBoth(2, 5).error().code == errc::invalid_argument);
  CheckBoth(2, 4).value();  // result<void>::value() is still there

  outcome::failure_type<error> failure = fail(error{errc::timeout, "slow"});
  result<int> from_failure = failure;
  CHECK(from_failure.error().code == errc::timeout);
  result<void> void_from_failure = fail(errc::cancelled, "stop");
  CHECK(void_from_failure.error().code == errc::cancelled);

  result<int> from_success = outcome::success(5);
  CHECK(*from_success == 5);

  // Compatible results convert (explicitly), as with std_result.
  result<long> widened(Half(10));
  CHECK(*widened == 5L);
  result<long> widened_error(Half(3));
  CHECK(widened_error.error().message == "odd");

  // Results are still copyable.
  auto a = Half(4);
  auto b = a;
  CHECK(*b == 2);
  CHECK(*a == 2);
}
