// The simulator's status stream (server-sent events) on its own and under TrainingClient::Wait,
// on a VirtualClock: events as the status changes, each log line once, the end after COMPLETED,
// faults that cut it, and a client that still reaches the final state.

#include "sim_test_helpers.hpp"

#include "client/detail/sse_parser.hpp"

#include <faltrain/client/training_client.hpp>

#include <atomic>

using namespace faltrain;
using namespace sim_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kApp = "https://queue.fal.run/fal-ai/flux-lora-portrait-trainer";

std::shared_ptr<SimTransport> MakeSim(std::shared_ptr<VirtualClock> clock, std::vector<SimFault> faults = {}) {
  SimOptions o;
  o.seed = 77;
  o.training_duration = 20min;
  o.delivery = SimDelivery::kManual;
  o.faults = std::move(faults);
  return std::make_shared<SimTransport>(o, clock);
}

std::string Submit(SimTransport& sim) {
  auto r = Call(sim, HttpMethod::kPost, kApp,
                R"({"images_data_url":"https://v3.fal.media/files/a/faces.zip","steps":300})");
  REQUIRE(r.status == 200);
  return At(r.body, "/request_id");
}

HttpRequest StreamRequest(const std::string& id, bool logs = true) {
  HttpRequest request;
  request.url = std::string(kApp) + "/requests/" + id + "/status/stream?logs=" + (logs ? "1" : "0");
  return request;
}

// Every event of a stream, pulled to its end.
struct Pulled {
  std::vector<std::string> statuses;
  std::vector<std::string> log_messages;  // concatenated over the events
  int pings = 0;
  bool dropped = false;
};

Pulled PullAll(SimStatusStream& stream, std::chrono::milliseconds keepalive = 1s) {
  Pulled out;
  detail::SseParser parser;
  while (auto piece = stream.Next(keepalive)) {
    if (piece->rfind(": ping", 0) == 0) ++out.pings;
    auto fed = parser.Feed(*piece, [&](const detail::SseEvent& e) {
      out.statuses.push_back(At(e.data, "/status"));
      for (int i = 0;; ++i) {
        std::string m = At(e.data, "/logs/" + std::to_string(i) + "/message");
        if (m == "<missing>") break;
        out.log_messages.push_back(m);
      }
      return true;
    });
    REQUIRE(fed);
  }
  out.dropped = stream.dropped();
  return out;
}

std::vector<std::string> PolledLogs(SimTransport& sim, const std::string& id) {
  auto r = Call(sim, HttpMethod::kGet, std::string(kApp) + "/requests/" + id + "/status?logs=1");
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    std::string m = At(r.body, "/logs/" + std::to_string(i) + "/message");
    if (m == "<missing>") break;
    out.push_back(m);
  }
  return out;
}

// Counts stream and poll requests on their way to the simulator.
class Counting final : public Transport {
 public:
  explicit Counting(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}
  result<HttpResponse> Send(const HttpRequest& r) override {
    Note(r.url);
    return inner_->Send(r);
  }
  result<HttpResponse> SendStreaming(const HttpRequest& r, const StreamControl& c) override {
    Note(r.url);
    return inner_->SendStreaming(r, c);
  }
  bool CanStream() const override { return inner_->CanStream(); }
  std::atomic<int> streams{0}, polls{0};

 private:
  void Note(const std::string& url) {
    if (url.find("/status/stream") != std::string::npos) {
      ++streams;
    } else if (url.find("/status") != std::string::npos) {
      ++polls;
    }
  }
  std::shared_ptr<Transport> inner_;
};

struct Watched {
  result<std::string> json = fail(errc::invalid_argument, "not run");
  std::vector<Progress> reports;
  std::vector<std::string> messages;
  std::string id;
  int streams = 0;  // stream and poll requests the client sent
  int polls = 0;
};

Watched WaitOn(std::shared_ptr<SimTransport> sim, std::shared_ptr<VirtualClock> clock, bool stream = true) {
  auto wrapped = std::make_shared<Counting>(sim);
  ClientOptions config;
  config.test_mode = true;
  auto client = TrainingClient::Create(config, wrapped, clock);
  REQUIRE(client.has_value());
  Watched w;
  w.id = Submit(*sim);
  RequestHandle h;
  h.endpoint_id = "fal-ai/flux-lora-portrait-trainer";
  h.request_id = w.id;
  h.response_url = std::string(kApp) + "/requests/" + w.id;
  h.status_url = h.response_url + "/status";
  h.cancel_url = h.response_url + "/cancel";
  WatchOptions o;
  o.use_status_stream = stream;
  o.expected_steps = 300;
  o.on_progress = [&](const Progress& p) {
    w.reports.push_back(p);
    for (const auto& l : p.new_logs) w.messages.push_back(l.message);
  };
  w.json = client.value().WaitForResultJson(h, o);
  w.streams = wrapped->streams;
  w.polls = wrapped->polls;
  return w;
}

}  // namespace

TEST_CASE("the stream sends an event per change, each log line once, and ends after COMPLETED") {
  auto clock = std::make_shared<VirtualClock>();
  auto sim = MakeSim(clock);
  const std::string id = Submit(*sim);
  auto opened = sim->OpenStatusStream(StreamRequest(id));
  REQUIRE_MESSAGE(opened.has_value(), ErrorText(opened));
  auto& stream = *opened.value();
  CHECK(stream.head().status == 200);
  CHECK(stream.head().headers.Get("content-type") == "text/event-stream");
  CHECK(stream.head().headers.Get("x-fal-request-id") == id);

  Pulled pulled = PullAll(stream);
  CHECK_FALSE(pulled.dropped);
  REQUIRE(pulled.statuses.size() > 5);
  CHECK(pulled.statuses.front() == "IN_QUEUE");
  CHECK(pulled.statuses.back() == "COMPLETED");
  CHECK(std::count(pulled.statuses.begin(), pulled.statuses.end(), "COMPLETED") == 1);
  CHECK(pulled.log_messages == PolledLogs(*sim, id));  // every line, once, in order
  CHECK(pulled.pings > 0);  // twenty quiet minutes are kept alive
  CHECK_FALSE(stream.Next().has_value());
}

TEST_CASE("without logs=1 the events carry no logs, an unknown request is a 404 head") {
  auto clock = std::make_shared<VirtualClock>();
  auto sim = MakeSim(clock);
  const std::string id = Submit(*sim);
  auto opened = sim->OpenStatusStream(StreamRequest(id, /*logs=*/false));
  REQUIRE(opened.has_value());
  Pulled pulled = PullAll(*opened.value());
  CHECK(pulled.statuses.back() == "COMPLETED");
  CHECK(pulled.log_messages.empty());

  auto unknown = sim->OpenStatusStream(StreamRequest("no-such-id"));
  REQUIRE(unknown.has_value());
  CHECK(unknown.value()->head().status == 404);
  CHECK_FALSE(unknown.value()->Next().has_value());

  HttpRequest poll;
  poll.url = std::string(kApp) + "/requests/" + id + "/status";
  CHECK(sim->OpenStatusStream(poll).error().code == errc::invalid_argument);
}

TEST_CASE("drop_connection cuts a stream after its delay, or after its first event") {
  auto clock = std::make_shared<VirtualClock>();
  SimFault at_once;
  at_once.kind = SimFaultKind::kDropConnection;
  at_once.operation = SimOperation::kStatusStream;
  auto sim = MakeSim(clock, {at_once});
  const std::string id = Submit(*sim);
  auto first = sim->OpenStatusStream(StreamRequest(id));
  REQUIRE(first.has_value());
  Pulled cut = PullAll(*first.value());
  CHECK(cut.dropped);
  CHECK(cut.statuses.size() == 1);

  SimFault later = at_once;
  later.delay = 5min;
  sim->AddFault(later);
  auto second = sim->OpenStatusStream(StreamRequest(id));
  REQUIRE(second.has_value());
  Pulled mid = PullAll(*second.value());
  CHECK(mid.dropped);
  CHECK(mid.statuses.back() == "IN_PROGRESS");
}

TEST_CASE("Wait over the simulator follows one stream, no polls, with the same logs polling sees") {
  auto clock = std::make_shared<VirtualClock>();
  auto sim = MakeSim(clock);
  Watched streamed = WaitOn(sim, clock);
  REQUIRE_MESSAGE(streamed.json.has_value(), ErrorText(streamed.json));
  CHECK(streamed.streams == 1);
  CHECK(streamed.polls == 0);
  CHECK(streamed.messages == PolledLogs(*sim, streamed.id));
  CHECK(streamed.reports.back().phase_text == "completed");
  CHECK(streamed.reports.front().phase_text == "queued");

  // The same run, polled: the same output and the same log lines.
  auto clock2 = std::make_shared<VirtualClock>();
  auto sim2 = MakeSim(clock2);
  Watched polled = WaitOn(sim2, clock2, /*stream=*/false);
  REQUIRE(polled.json.has_value());
  CHECK(polled.streams == 0);
  CHECK(polled.json.value() == streamed.json.value());
  CHECK(polled.messages == streamed.messages);
  CHECK(polled.reports.back().percent == streamed.reports.back().percent);
}

TEST_CASE("a stream dropped mid-way: Wait polls, reconnects and still reaches the final state") {
  auto clock = std::make_shared<VirtualClock>();
  SimFault drop;
  drop.kind = SimFaultKind::kDropConnection;
  drop.operation = SimOperation::kStatusStream;
  drop.delay = 8min;
  auto sim = MakeSim(clock, {drop});
  Watched w = WaitOn(sim, clock);
  REQUIRE_MESSAGE(w.json.has_value(), ErrorText(w.json));
  CHECK(w.streams == 2);
  CHECK(w.polls == 1);
  CHECK(w.messages == PolledLogs(*sim, w.id));  // nothing lost, nothing twice
  CHECK(w.reports.back().phase_text == "completed");
}

TEST_CASE("every stream cut after its first event: the final state is still reached") {
  auto clock = std::make_shared<VirtualClock>();
  SimFault drop;
  drop.kind = SimFaultKind::kDropConnection;
  drop.operation = SimOperation::kStatusStream;
  drop.count = -1;
  auto sim = MakeSim(clock, {drop});
  Watched w = WaitOn(sim, clock);
  REQUIRE_MESSAGE(w.json.has_value(), ErrorText(w.json));
  CHECK(w.streams > 2);
  CHECK(w.messages == PolledLogs(*sim, w.id));
  CHECK(w.reports.back().phase_text == "completed");
}
