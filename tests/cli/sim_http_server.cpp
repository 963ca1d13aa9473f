// Test fixture: faltrain's SimTransport behind a tiny HTTP server on 127.0.0.1, so separate `faltrain`
// processes (train, then status/watch/result/cancel) share one simulated fal.
//   sim_http_server TRAINING_SECONDS   -> prints "port N" on stdout; runs until stdin closes.

#include <faltrain/testing/sim_transport.hpp>

#include <httplib.h>
#include <strings.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  faltrain::SimOptions options;
  options.training_duration = std::chrono::milliseconds(
      static_cast<long long>(1000 * (argc > 1 ? std::stod(argv[1]) : 4.0)));
  options.queue_duration = std::chrono::milliseconds(800);
  options.initial_queue_position = 2;
  options.cdn_base_url.clear();  // file URLs on this server
  options.seed = 7;
  auto sim = std::make_shared<faltrain::SimTransport>(options);

  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  int port = 0;
  auto handle = [&](const httplib::Request& req, httplib::Response& res) {
    faltrain::HttpRequest request;
    if (req.method == "GET") request.method = faltrain::HttpMethod::kGet;
    else if (req.method == "POST") request.method = faltrain::HttpMethod::kPost;
    else if (req.method == "PUT") request.method = faltrain::HttpMethod::kPut;
    else request.method = faltrain::HttpMethod::kDelete;
    request.url = "http://127.0.0.1:" + std::to_string(port) + req.target;
    for (const auto& [name, value] : req.headers) request.headers.Add(name, value);
    request.body = req.body;
    if (auto stream = sim->OpenStatusStream(request); stream && stream.value()->head().status == 200) {
      // A status stream: events as the simulated request changes (what `watch` follows).
      std::shared_ptr<faltrain::SimStatusStream> events = std::move(stream).value();
      res.set_chunked_content_provider("text/event-stream", [events](std::size_t, httplib::DataSink& sink) {
        auto piece = events->Next(std::chrono::seconds(1));
        if (!piece) {
          sink.done();
          return !events->dropped();
        }
        return sink.write(piece->data(), piece->size());
      });
      return;
    }
    auto response = sim->Send(request);
    if (!response) {
      res.status = 500;
      res.set_content(response.error().to_string(), "text/plain");
      return;
    }
    res.status = response.value().status;
    std::string content_type = "application/json";
    for (const auto& h : response.value().headers) {
      if (strcasecmp(h.name.c_str(), "content-type") == 0) content_type = h.value;
      else if (strcasecmp(h.name.c_str(), "content-length") != 0) res.set_header(h.name, h.value);
    }
    res.set_content(response.value().body, content_type);
  };
  server.Get(".*", handle);
  server.Post(".*", handle);
  server.Put(".*", handle);
  server.Delete(".*", handle);

  port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "sim_http_server: cannot bind 127.0.0.1\n");
    return 1;
  }
  std::thread listener([&] { server.listen_after_bind(); });
  std::cout << "port " << port << std::endl;
  // The test script keeps stdin open; EOF (the script ended or was killed) stops the server.
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  server.stop();
  listener.join();
  return 0;
}
