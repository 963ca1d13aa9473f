#include "client/detail/json_validate.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faltrain::detail;

TEST_CASE("IsJsonNumberToken follows the RFC 8259 grammar") {
  for (const char* ok : {"0", "-0", "7", "-12", "1.5", "0.0003", "2e-4", "1E+9", "1e400",
                         "17454220438242315174", "123456789012345678901234567890", " 5 \n"}) {
    CAPTURE(ok);
    CHECK(IsJsonNumberToken(ok));
  }
  for (const char* bad : {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "1,5", "NaN",
                          "Infinity", "1 2", "--1", "1.2.3"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsJsonNumberToken(bad));
  }
}

TEST_CASE("IsValidJsonAnyNumber accepts valid JSON with numbers of any size") {
  for (const char* ok : {R"({"seed":17454220438242315174})", R"({"seed":18446744073709551616})",
                         R"([123456789012345678901234567890, -1e400])", R"({})", "[]", " {\"a\":[1,{\"b\":null}],\"c\":true} \n",
                         R"("text")", "null", "true", "42", "99999999999999999999999",
                         R"({"s":"esc \" \\ \u00e9 Ваш 🎉"})"}) {
    CAPTURE(ok);
    CHECK(IsValidJsonAnyNumber(ok));
  }
}

TEST_CASE("IsValidJsonAnyNumber rejects invalid JSON anywhere in the text") {
  for (const char* bad : {"", " ", "{", "}", R"({"a":1} x)", R"({"a":1}})", R"({"a":1} {})",
                          R"({"a":[1,2})", R"({"a":tru})", R"({"a":nul})", R"({"a":01})",
                          R"({"a":1.})", R"({"a":"\x"})", R"({"a" 1})", R"({a:1})", R"([1,])",
                          R"({"a":1,})", "[1 2]", "12 13", "nulll", R"({"deep":{"a":[1,{"b":-}]}})",
                          "{\"a\":\"\xff\"}"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsValidJsonAnyNumber(bad));
  }
}

TEST_CASE("IsValidJsonAnyNumber limits nesting depth without crashing") {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  CHECK_FALSE(IsValidJsonAnyNumber(deep));
  std::string ok(500, '[');
  ok += std::string(500, ']');
  CHECK(IsValidJsonAnyNumber(ok));
  std::string deep_objects;
  for (int i = 0; i < 3000; ++i) deep_objects += R"({"a":)";
  deep_objects += "1" + std::string(3000, '}');
  CHECK_FALSE(IsValidJsonAnyNumber(deep_objects));
}
