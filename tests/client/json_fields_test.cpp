#include <faltrain/client/json_fields.hpp>

#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

using namespace faltrain;

namespace {

std::string ValueOf(const JsonFields& f, std::string_view key) {
  for (const auto& [k, v] : f.items()) {
    if (k == key) return v;
  }
  return "<missing>";
}

/// The fields as one JSON object, the way a request body embeds them.
std::string AsObject(const JsonFields& f) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : f.items()) w.Key(k).Raw(v);
  w.EndObject();
  return std::move(w).str();
}

}  // namespace

TEST_CASE("JsonFields starts empty") {
  JsonFields f;
  CHECK(f.empty());
  CHECK(f.items().empty());
  CHECK_FALSE(f.Has("x"));
  CHECK_FALSE(f.Erase("x"));
}

TEST_CASE("JsonFields stores each type as JSON text") {
  JsonFields f;
  f.SetString("s", "say \"hi\"\n")
      .SetInt("i", -42)
      .SetUint("u", 17454220438242315174ull)
      .SetDouble("d", 0.0003)
      .SetBool("t", true)
      .SetBool("f", false)
      .SetNull("n")
      .SetRaw("r", R"({"width":512,"height":768})");
  CHECK_FALSE(f.empty());
  CHECK(ValueOf(f, "s") == R"("say \"hi\"\n")");
  CHECK(ValueOf(f, "i") == "-42");
  CHECK(ValueOf(f, "u") == "17454220438242315174");
  CHECK(ValueOf(f, "d") == "0.0003");
  CHECK(ValueOf(f, "t") == "true");
  CHECK(ValueOf(f, "f") == "false");
  CHECK(ValueOf(f, "n") == "null");
  CHECK(ValueOf(f, "r") == R"({"width":512,"height":768})");
  CHECK(detail::IsValidJson(AsObject(f)));
}

TEST_CASE("JsonFields keeps insertion order and replaces existing keys in place") {
  JsonFields f;
  f.SetInt("a", 1).SetString("b", "x").SetBool("c", true);
  f.SetDouble("a", 2.5);
  f.SetNull("b");
  REQUIRE(f.items().size() == 3);
  CHECK(f.items()[0] == std::make_pair(std::string("a"), std::string("2.5")));
  CHECK(f.items()[1] == std::make_pair(std::string("b"), std::string("null")));
  CHECK(f.items()[2] == std::make_pair(std::string("c"), std::string("true")));
  CHECK(AsObject(f) == R"({"a":2.5,"b":null,"c":true})");
}

TEST_CASE("JsonFields Erase and Has") {
  JsonFields f;
  f.SetInt("a", 1).SetInt("b", 2);
  CHECK(f.Has("a"));
  CHECK(f.Erase("a"));
  CHECK_FALSE(f.Has("a"));
  CHECK_FALSE(f.Erase("a"));
  CHECK(f.Has("b"));
  CHECK(f.items().size() == 1);
  CHECK(f.Erase("b"));
  CHECK(f.empty());
}

TEST_CASE("JsonFields edge values") {
  JsonFields f;
  f.SetInt("min", std::numeric_limits<std::int64_t>::min())
      .SetUint("max", std::numeric_limits<std::uint64_t>::max())
      .SetDouble("nan", std::numeric_limits<double>::quiet_NaN())
      .SetDouble("inf", std::numeric_limits<double>::infinity())
      .SetString("empty", "")
      .SetString("", "empty key")
      .SetString("utf8", "Ваш аватар 🎉");
  CHECK(ValueOf(f, "min") == "-9223372036854775808");
  CHECK(ValueOf(f, "max") == "18446744073709551615");
  CHECK(ValueOf(f, "nan") == "null");  // JSON has no NaN
  CHECK(ValueOf(f, "inf") == "null");
  CHECK(ValueOf(f, "empty") == R"("")");
  CHECK(ValueOf(f, "") == R"("empty key")");
  CHECK(ValueOf(f, "utf8") == "\"Ваш аватар 🎉\"");
  CHECK(detail::IsValidJson(AsObject(f)));
}

TEST_CASE("JsonFields SetRaw keeps the text as given, validation happens when sent") {
  JsonFields f;
  f.SetRaw("bad", "{not json");
  CHECK(ValueOf(f, "bad") == "{not json");
  CHECK_FALSE(detail::IsValidJson(ValueOf(f, "bad")));
}
