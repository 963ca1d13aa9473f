#pragma once
// Checks that a public enum's to_string(X) and ParseX(text) are inverses, as every faltrain enum's
// must be: each name parses back (in any case, with surrounding whitespace), and an unknown or
// empty name fails with errc::invalid_argument listing the valid names.

#include <faltrain/client/error.hpp>

#include <doctest/doctest.h>

#include <cctype>
#include <initializer_list>
#include <string>

namespace faltrain_testing {

template <class E, class Parse>
void CheckEnumRoundTrip(std::initializer_list<E> values, Parse parse) {
  for (E value : values) {
    std::string name(to_string(value));
    CAPTURE(name);
    CHECK(parse(name).value() == value);
    std::string flipped;
    for (char c : name) {
      auto u = static_cast<unsigned char>(c);
      flipped.push_back(static_cast<char>(std::isupper(u) ? std::tolower(u) : std::toupper(u)));
    }
    CHECK(parse(" " + flipped + "\n").value() == value);
  }
  auto bad = parse("no-such-name");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == faltrain::errc::invalid_argument);
  CHECK(bad.error().message.find("'no-such-name'") != std::string::npos);
  CHECK(bad.error().message.find(std::string(to_string(*values.begin()))) != std::string::npos);
  CHECK_FALSE(parse(""));
}

}  // namespace faltrain_testing
