// The server-sent events parser: the WHATWG event-stream rules, fed in any split.

#include "client/detail/sse_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using faltrain::detail::SseEvent;
using faltrain::detail::SseParser;

namespace {

std::vector<SseEvent> ParseAll(const std::vector<std::string>& pieces, SseParser& parser) {
  std::vector<SseEvent> events;
  for (const auto& piece : pieces) {
    auto fed = parser.Feed(piece, [&](const SseEvent& e) {
      events.push_back(e);
      return true;
    });
    REQUIRE(fed);
  }
  return events;
}

std::vector<SseEvent> ParseAll(const std::vector<std::string>& pieces) {
  SseParser parser;
  return ParseAll(pieces, parser);
}

// Every way of cutting `text` in two gives the same events as the whole.
void CheckAnySplit(const std::string& text, const std::vector<std::string>& data) {
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto events = ParseAll({text.substr(0, cut), text.substr(cut)});
    REQUIRE(events.size() == data.size());
    for (std::size_t i = 0; i < data.size(); ++i) CHECK(events[i].data == data[i]);
  }
}

}  // namespace

TEST_CASE("data lines, blank-line dispatch, event type and id") {
  auto events = ParseAll({"event: status\nid: 7\ndata: {\"a\":1}\n\ndata: second\n\n"});
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "status");
  CHECK(events[0].data == "{\"a\":1}");
  CHECK(events[0].last_event_id == "7");
  CHECK(events[1].type == "message");  // the type does not carry over
  CHECK(events[1].last_event_id == "7");  // the id does
}

TEST_CASE("several data lines join with a line feed") {
  auto events = ParseAll({"data: one\ndata:two\ndata:  three\n\n"});
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "one\ntwo\n three");  // only one leading space is dropped
}

TEST_CASE("comments, unknown fields and events without data are not dispatched") {
  SseParser parser;
  auto events = ParseAll({": ping\n\n: another\nfoo: bar\nevent: x\n\nretry: 1500\nretry: soon\ndata\n\n"}, parser);
  REQUIRE(events.size() == 1);
  CHECK(events[0].data.empty());  // "data" with no colon: an empty data line
  CHECK(events[0].type == "message");
  CHECK(parser.comments() == 2);
  REQUIRE(parser.retry());
  CHECK(parser.retry()->count() == 1500);
}

TEST_CASE("CRLF, CR and LF line ends, split anywhere") {
  CheckAnySplit("data: a\r\n\r\ndata: b\r\rdata: c\n\n", {"a", "b", "c"});
  CheckAnySplit("data: x\r\ndata: y\r\n\r\n", {"x\ny"});
}

TEST_CASE("a byte-order mark at the start is skipped, even split") {
  CheckAnySplit("\xEF\xBB\xBF" "data: bom\n\n", {"bom"});
  // Bytes that only start like a BOM are text.
  auto events = ParseAll({"\xEF", "data: x\n\n"});
  CHECK(events.empty());  // the field name is "\xEFdata": unknown, no data
}

TEST_CASE("an unterminated event at the end is pending, never dispatched") {
  SseParser parser;
  auto events = ParseAll({"data: complete\n\ndata: cut off"}, parser);
  REQUIRE(events.size() == 1);
  CHECK(parser.pending());
  SseParser clean;
  ParseAll({"data: x\n\n"}, clean);
  CHECK_FALSE(clean.pending());
}

TEST_CASE("an id with NUL is ignored") {
  auto events = ParseAll({std::string("id: good\n\nid: b") + '\0' + "d\ndata: x\n\n"});
  REQUIRE(events.size() == 1);
  CHECK(events[0].last_event_id == "good");
}

TEST_CASE("the handler can stop the parser") {
  SseParser parser;
  int seen = 0;
  auto fed = parser.Feed("data: 1\n\ndata: 2\n\n", [&](const SseEvent&) {
    ++seen;
    return false;
  });
  CHECK(fed);
  CHECK(seen == 1);
  CHECK(parser.stopped());
}

TEST_CASE("a line or an event beyond the limit is an error, not unbounded memory") {
  SseParser parser(16);
  auto fed = parser.Feed(std::string(17, 'a'), nullptr);
  REQUIRE_FALSE(fed);
  CHECK(fed.error().code == faltrain::errc::malformed_response);
  SseParser events(16);
  auto many = events.Feed("data: 0123456789\ndata: 0123456789\n", nullptr);
  CHECK_FALSE(many);
}
