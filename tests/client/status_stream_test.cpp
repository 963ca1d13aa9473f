// Following fal's status stream (server-sent events) over a ScriptedTransport: the same progress
// reports as polling, polling when the stream is refused, and no final state lost when it drops.

#include <faltrain/client/training_client.hpp>
#include <faltrain/testing/scripted_transport.hpp>

#include "support/scripted_client.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace faltrain;
using namespace std::chrono_literals;

namespace {

constexpr const char* kBase = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/req-1";

RequestHandle Handle() {
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = "req-1";
  h.response_url = kBase;
  h.status_url = h.response_url + "/status";
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

struct Fixture : test_support::ScriptedClient {
  TrainingClient client = Make([](ClientOptions& c) { c.api_key = "key-id:secret"; });
  std::vector<Progress> reports;
  WatchOptions Options() {
    WatchOptions o;
    o.on_progress = [this](const Progress& p) { reports.push_back(p); };
    return o;
  }
};

std::string Log(const std::string& message, int second) {
  return R"({"message":")" + message + R"(","level":"INFO","source":"USER","timestamp":"2026-01-01T00:00:0)" +
         std::to_string(second) + R"(.000000"})";
}

const std::vector<std::string> kLogs = {Log("Preprocessing images", 1), Log("step 10/100", 2),
                                        Log("step 60/100", 3), Log("step 100/100", 4)};

// The run: status text, queue position (-1: none), log lines visible so far.
struct Step {
  const char* status;
  int position;
  std::size_t logs;
};
const std::vector<Step> kRun = {{"IN_QUEUE", 2, 0},    {"IN_QUEUE", 0, 0},    {"IN_PROGRESS", -1, 1},
                                {"IN_PROGRESS", -1, 2}, {"IN_PROGRESS", -1, 3}, {"COMPLETED", -1, 4}};

// A status body with the log lines [first, step.logs): a poll sends all (first 0), an event the new.
std::string StatusJson(const Step& step, std::size_t first) {
  std::string json = std::string(R"({"status":")") + step.status + R"(","request_id":"req-1")";
  if (step.position >= 0) json += R"(,"queue_position":)" + std::to_string(step.position);
  if (std::string(step.status) != "IN_QUEUE") {
    json += R"(,"logs":[)";
    for (std::size_t i = first; i < step.logs; ++i) json += (i > first ? "," : "") + kLogs[i];
    json += "]";
  }
  return json + "}";
}

std::string Event(std::size_t i) {
  return "data: " + StatusJson(kRun[i], i == 0 ? 0 : kRun[i - 1].logs) + "\n\n";
}

void ExpectPoll(ScriptedTransport& t, std::size_t i) {
  t.ExpectResponse(std::string(kRun[i].status) == "COMPLETED" ? 200 : 202, StatusJson(kRun[i], 0));
}

void ExpectResult(ScriptedTransport& t) { t.ExpectResponse(200, R"({"ok":true})"); }

std::vector<std::string> Messages(const std::vector<Progress>& reports) {
  std::vector<std::string> out;
  for (const auto& p : reports) {
    for (const auto& log : p.new_logs) out.push_back(log.message);
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

const std::vector<std::string> kMessages = {"Preprocessing images", "step 10/100", "step 60/100", "step 100/100"};

}  // namespace

TEST_CASE("a full stream gives the same progress reports as polling the same statuses") {
  Fixture polled;
  for (std::size_t i = 0; i < kRun.size(); ++i) ExpectPoll(*polled.transport, i);
  ExpectResult(*polled.transport);
  auto by_poll = polled.client.WaitForResultJson(Handle(), polled.Options());
  REQUIRE(by_poll.has_value());

  Fixture streamed;
  // Events split anywhere, with keep-alives and CRLF line ends on the way.
  std::string all = ": ping\r\n\r\n";
  for (std::size_t i = 0; i < kRun.size(); ++i) all += Event(i);
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < all.size(); at += 37) pieces.push_back(all.substr(at, 37));
  streamed.transport->ExpectStream(200, pieces, std::nullopt, {{"content-type", "text/event-stream"}});
  ExpectResult(*streamed.transport);
  auto by_stream = streamed.client.WaitForResultJson(Handle(), streamed.Options());
  REQUIRE(by_stream.has_value());
  CHECK(by_stream.value() == by_poll.value());

  REQUIRE(streamed.reports.size() == polled.reports.size());
  for (std::size_t i = 0; i < polled.reports.size(); ++i) {
    const Progress& a = polled.reports[i];
    const Progress& b = streamed.reports[i];
    CAPTURE(i);
    CHECK(a.phase == b.phase);
    CHECK(a.phase_text == b.phase_text);
    CHECK(a.percent == b.percent);
    CHECK(a.queue_position == b.queue_position);
    CHECK(a.step == b.step);
    CHECK(a.total_steps == b.total_steps);
    CHECK(Messages({a}) == Messages({b}));
  }
  CHECK(streamed.reports.back().phase_text == "completed");
  CHECK(Messages(streamed.reports) == kMessages);

  auto sent = streamed.transport->requests();
  REQUIRE(sent.size() == 2);  // one stream, then the result: not a single poll
  CHECK(sent[0].url == std::string(kBase) + "/status/stream?logs=1");
  CHECK(sent[0].headers.Get("Accept") == "text/event-stream");
  CHECK(sent[0].headers.Get("Authorization") == "Key key-id:secret");
  CHECK(sent[1].url == kBase);
}

TEST_CASE("a refused stream (404, 405, 500) falls back to polling") {
  for (int status : {404, 405, 500}) {
    CAPTURE(status);
    Fixture f;
    f.transport->SetCanStream(true);
    f.transport->ExpectResponse(status, R"({"detail":"Not Found"})");
    ExpectPoll(*f.transport, 4);
    ExpectPoll(*f.transport, 5);
    ExpectResult(*f.transport);
    auto json = f.client.WaitForResultJson(Handle(), f.Options());
    REQUIRE(json.has_value());
    auto sent = f.transport->requests();
    REQUIRE(sent.size() == 4);  // no second stream attempt
    CHECK(EndsWith(sent[0].url, "/status/stream?logs=1"));
    CHECK(EndsWith(sent[1].url, "/status?logs=1"));
    CHECK(EndsWith(sent[2].url, "/status?logs=1"));
    CHECK(f.reports.back().phase_text == "completed");
    CHECK(Messages(f.reports) == kMessages);
  }
}

TEST_CASE("a stream that drops mid-way: one poll, a reconnect, and every log exactly once") {
  Fixture f;
  f.transport->ExpectStream(200, {Event(0), Event(1), Event(2)}, error(errc::network_error, "connection reset"));
  ExpectPoll(*f.transport, 3);  // the resync: logs 1..2
  f.transport->ExpectStream(200, {Event(4), Event(5)});
  ExpectResult(*f.transport);
  auto json = f.client.WaitForResultJson(Handle(), f.Options());
  REQUIRE(json.has_value());
  auto sent = f.transport->requests();
  REQUIRE(sent.size() == 4);
  CHECK(EndsWith(sent[1].url, "/status?logs=1"));
  CHECK(EndsWith(sent[2].url, "/status/stream?logs=1"));
  CHECK(Messages(f.reports) == kMessages);
  CHECK(f.reports.back().phase_text == "completed");
  CHECK(f.reports.back().percent == 100);
}

TEST_CASE("a stream that ends just before COMPLETED: the poll after it finds the final state") {
  Fixture f;
  f.transport->ExpectStream(200, {Event(0), Event(2), Event(3), Event(4)});  // closed, no COMPLETED
  ExpectPoll(*f.transport, 5);
  ExpectResult(*f.transport);
  auto json = f.client.WaitForResultJson(Handle(), f.Options());
  REQUIRE(json.has_value());
  CHECK(f.transport->requests().size() == 3);  // stream, poll, result: no reconnect needed
  CHECK(f.reports.back().phase_text == "completed");
  CHECK(Messages(f.reports) == kMessages);
}

TEST_CASE("a server that sends all logs in every event is read leniently") {
  Fixture f;
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < kRun.size(); ++i) pieces.push_back("data: " + StatusJson(kRun[i], 0) + "\n\n");
  f.transport->ExpectStream(200, pieces);
  ExpectResult(*f.transport);
  REQUIRE(f.client.WaitForResultJson(Handle(), f.Options()).has_value());
  CHECK(Messages(f.reports) == kMessages);
}

TEST_CASE("a stream that cannot connect at all, or a transport that cannot stream, means polling") {
  Fixture f;
  f.transport->SetCanStream(true);
  f.transport->ExpectFailure(errc::connect_failed, "no route");
  ExpectPoll(*f.transport, 5);
  ExpectResult(*f.transport);
  REQUIRE(f.client.WaitForResultJson(Handle(), f.Options()).has_value());
  CHECK(f.transport->requests().size() == 3);

  Fixture plain;  // CanStream() false: never a stream request
  ExpectPoll(*plain.transport, 5);
  ExpectResult(*plain.transport);
  REQUIRE(plain.client.WaitForResultJson(Handle(), plain.Options()).has_value());
  CHECK(EndsWith(plain.transport->requests()[0].url, "/status?logs=1"));
}

TEST_CASE("use_status_stream = false forces polling") {
  Fixture f;
  f.transport->SetCanStream(true);
  ExpectPoll(*f.transport, 5);
  ExpectResult(*f.transport);
  WatchOptions o = f.Options();
  o.use_status_stream = false;
  REQUIRE(f.client.WaitForResultJson(Handle(), o).has_value());
  CHECK(EndsWith(f.transport->requests()[0].url, "/status?logs=1"));
}

TEST_CASE("StreamStatus follows one connection to the final status, or says why not") {
  Fixture f;
  f.transport->ExpectStream(200, {Event(0), Event(2), Event(3), Event(4), Event(5)});
  std::vector<RequestStatus> seen;
  StreamStatusOptions options;
  options.on_status = [&](const RequestStatus& s) { seen.push_back(s); };
  auto final_status = f.client.StreamStatus(Handle(), options);
  REQUIRE(final_status.has_value());
  CHECK(final_status.value().phase == RequestPhase::kCompleted);
  CHECK(final_status.value().http_status == 200);
  CHECK(final_status.value().logs.size() == 4);  // accumulated like a poll's
  REQUIRE(seen.size() == 5);
  CHECK(seen[1].logs.size() == 1);
  CHECK(seen[3].logs.size() == 3);

  f.transport->ExpectResponse(404, R"({"detail":"Not Found"})");
  auto refused = f.client.StreamStatus(Handle());
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == errc::not_found);
  CHECK(refused.error().request_id == "req-1");

  f.transport->ExpectStream(200, {Event(0)});
  auto ended = f.client.StreamStatus(Handle());
  REQUIRE_FALSE(ended.has_value());
  CHECK(ended.error().code == errc::network_error);
}

TEST_CASE("a cancelled wait stops the stream") {
  Fixture f;
  WatchOptions o = f.Options();
  o.on_progress = [&](const Progress&) { o.cancel.Cancel(); };
  f.transport->ExpectStream(200, {Event(0), Event(1), Event(2)});
  auto r = f.client.WaitForResultJson(Handle(), o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::cancelled);
  CHECK(f.transport->requests().size() == 1);
}
