#include "client/detail/json_reader.hpp"

#include <faltrain/client/json_fields.hpp>
#include <faltrain/client/json_writer.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <map>

using namespace faltrain::detail;
using faltrain::JsonFields;
using faltrain::JsonNumber;
using faltrain::JsonQuote;
using faltrain::JsonWriter;

TEST_CASE("JsonQuote escapes quotes, backslashes and control characters") {
  CHECK(JsonQuote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(JsonQuote("line\nnext\ttab") == R"("line\nnext\ttab")");
  CHECK(JsonQuote(std::string("\x01", 1)) == R"("\u0001")");
  CHECK(JsonQuote("Ваш аватар 🎉") == "\"Ваш аватар 🎉\"");
}

TEST_CASE("JsonQuote replaces invalid UTF-8 so the output stays valid JSON") {
  std::string quoted = JsonQuote(std::string("a\xff" "b\xc0\xaf", 5));
  CHECK(quoted == "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(IsValidJson(quoted));
}

TEST_CASE("JsonNumber writes the shortest text that round-trips") {
  CHECK(JsonNumber(0.0003) == "0.0003");
  CHECK(JsonNumber(2e-4) == "0.0002");
  CHECK(JsonNumber(5e-5) == "0.00005");
  CHECK(JsonNumber(1e-9) == "1e-09");
  CHECK(JsonNumber(-2.5) == "-2.5");
  CHECK(JsonNumber(1.0) == "1");
  CHECK(JsonNumber(0.1 + 0.2) == "0.30000000000000004");
  CHECK(JsonNumber(std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("JsonWriter places commas and nests") {
  JsonWriter w;
  w.BeginObject().Field("a", 1).Key("b").BeginArray().Int(1).String("x").Null().EndArray();
  w.Key("c").BeginObject().Field("d", true).EndObject().Key("e").Raw(R"({"f":2})").EndObject();
  CHECK(w.str() == R"({"a":1,"b":[1,"x",null],"c":{"d":true},"e":{"f":2}})");
  CHECK(IsValidJson(w.str()));
}

TEST_CASE("JsonWriter writes JsonFields as members, in their order") {
  JsonFields fields;
  fields.SetString("name", "Ана \"A\"").SetInt("n", -3).SetRaw("size", R"({"w":1})");
  auto text = JsonWriter().BeginObject().Field("first", true).Fields(fields).EndObject().str();
  CHECK(text == R"({"first":true,"name":"Ана \"A\"","n":-3,"size":{"w":1}})");
  CHECK(JsonWriter().BeginObject().Fields(JsonFields()).EndObject().str() == "{}");
}

TEST_CASE("ReadRaw keeps numbers beyond int64 and whole sub-objects verbatim") {
  JsonDocument d(R"({"seed": 17454220438242315174, "big": 123456789012345678901234, "o": {"x": [1, 2]} })");
  REQUIRE(d.error() == simdjson::SUCCESS);
  od::object root;
  REQUIRE(d.Object().get(root) == simdjson::SUCCESS);
  std::map<std::string, std::string> raw;
  for (auto field : root) {
    std::string_view key;
    REQUIRE(field.unescaped_key().get(key) == simdjson::SUCCESS);
    auto text = ReadRaw(field.value());
    REQUIRE(text.has_value());
    raw[std::string(key)] = *text;
  }
  CHECK(raw["seed"] == "17454220438242315174");
  CHECK(raw["big"] == "123456789012345678901234");
  CHECK(raw["o"] == R"({"x": [1, 2]})");
}

TEST_CASE("typed readers are lenient about types") {
  JsonDocument d(R"({"s":"x","n":1.5,"i":-3,"b":true,"z":null})");
  od::object root;
  REQUIRE(d.Object().get(root) == simdjson::SUCCESS);
  for (auto field : root) {
    std::string_view key;
    REQUIRE(field.unescaped_key().get(key) == simdjson::SUCCESS);
    od::value v = field.value();
    if (key == "s") {
      CHECK(ReadString(v) == "x");
    } else if (key == "n") {
      CHECK(ReadDouble(v) == 1.5);
    } else if (key == "i") {
      CHECK(ReadInt(v) == -3);
    } else if (key == "b") {
      CHECK(ReadBool(v) == true);
    } else if (key == "z") {
      CHECK(IsNull(v));
    }
  }
  CHECK_FALSE(IsValidJson("{\"a\":"));
  CHECK_FALSE(IsValidJson(""));
  CHECK(IsValidJson("[]"));
}

namespace {

std::string FirstString(JsonDocument& d, std::string_view name) {
  od::object root;
  if (d.Object().get(root) != simdjson::SUCCESS) return "<not an object>";
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) == simdjson::SUCCESS && key == name) {
      return ReadString(field.value()).value_or("<not a string>");
    }
  }
  return "<missing>";
}

}  // namespace

TEST_CASE("documents reuse parsers: one after the other, nested, and after a big one") {
  for (int i = 0; i < 10; ++i) {  // one after the other: the same parser comes back
    JsonDocument d(R"({"status":"IN_PROGRESS","n":)" + std::to_string(i) + "}");
    CHECK(FirstString(d, "status") == "IN_PROGRESS");
  }
  // Alive at the same time: each has a parser of its own, the outer one is still readable.
  JsonDocument outer(R"({"a":"outer"})");
  {
    JsonDocument inner(R"({"a":"inner"})");
    JsonDocument third(R"({"a":"third"})");
    CHECK(FirstString(inner, "a") == "inner");
    CHECK(FirstString(third, "a") == "third");
  }
  CHECK(FirstString(outer, "a") == "outer");
  // A parser grown for a big document is not kept; the next small one parses as before.
  std::string big = R"({"pad":")" + std::string(200 * 1024, 'x') + R"(","a":"big"})";
  {
    JsonDocument d(big);
    CHECK(FirstString(d, "a") == "big");
  }
  {
    JsonDocument broken(R"({"a":)");  // a parser back from a failed document works as well
    CHECK(FirstString(broken, "a") == "<not an object>");
  }
  JsonDocument small(R"({"a":"small"})");
  CHECK(FirstString(small, "a") == "small");
}
