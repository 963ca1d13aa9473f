// WebhookEvent::Parse against every payload shape of fal-protocol.md §4.2 and hostile input.

#include "support/webhook_test_signer.hpp"

#include <faltrain/webhooks/event.hpp>

#include <doctest/doctest.h>

using faltrain::errc;
using faltrain::WebhookEvent;
using faltrain::WebhookStatus;

TEST_CASE("OK with a trainer payload decodes the LoRA and config files") {
  auto r = WebhookEvent::Parse(webhook_test::kOkBody);
  REQUIRE(r.has_value());
  const auto& e = r.value();
  CHECK(e.request_id == "123e4567-e89b-12d3-a456-426614174000");
  CHECK(e.gateway_request_id == "123e4567-e89b-12d3-a456-426614174000");
  CHECK(e.status == WebhookStatus::kOk);
  CHECK(e.status_text == "OK");
  CHECK(e.error.empty());
  CHECK(e.succeeded());
  CHECK(e.payload_json.find("\"diffusers_lora_file\"") != std::string::npos);
  CHECK(e.payload_json.front() == '{');
  CHECK(e.payload_json.back() == '}');
  REQUIRE(e.output.has_value());
  REQUIRE(e.output->lora_file.has_value());
  CHECK(e.output->lora_file->url == "https://v3.fal.media/files/koala/w.safetensors");
  CHECK(e.output->lora_file->file_size == 89745224u);
  REQUIRE(e.output->config_file.has_value());
  CHECK(e.output->config_file->url == "https://v3.fal.media/files/koala/c.json");
}

TEST_CASE("ERROR with a 422 detail gives the error text and field errors") {
  auto r = WebhookEvent::Parse(webhook_test::kErrorBody);
  REQUIRE(r.has_value());
  const auto& e = r.value();
  CHECK(e.status == WebhookStatus::kError);
  CHECK_FALSE(e.succeeded());
  CHECK(e.error == "Invalid status code: 422");
  CHECK_FALSE(e.output.has_value());
  REQUIRE(e.field_errors.size() == 1);
  CHECK(e.field_errors[0].loc == std::vector<std::string>{"body", "prompt"});
  CHECK(e.field_errors[0].msg == "field required");
  CHECK(e.field_errors[0].type == "value_error.missing");
  CHECK(e.FailureSummary() == "Invalid status code: 422; body.prompt: field required");
}

TEST_CASE("ERROR detail with numeric loc entries and a string detail") {
  auto r = WebhookEvent::Parse(
      R"({"request_id":"r","status":"ERROR","error":"bad","payload":{"detail":[{"loc":["body","images",3],"msg":"m","type":"t"}]}})");
  REQUIRE(r.has_value());
  REQUIRE(r.value().field_errors.size() == 1);
  CHECK(r.value().field_errors[0].loc == std::vector<std::string>{"body", "images", "3"});

  auto s = WebhookEvent::Parse(R"({"request_id":"r","status":"ERROR","error":null,"payload":{"detail":"Not enough images"}})");
  REQUIRE(s.has_value());
  CHECK(s.value().detail_message == "Not enough images");
  CHECK(s.value().FailureSummary() == "Not enough images");
}

TEST_CASE("payload_error with a null payload") {
  auto r = WebhookEvent::Parse(webhook_test::kPayloadErrorBody);
  REQUIRE(r.has_value());
  const auto& e = r.value();
  CHECK(e.status == WebhookStatus::kOk);
  CHECK(e.payload_json.empty());
  CHECK_FALSE(e.succeeded());
  CHECK_FALSE(e.output.has_value());
  CHECK(e.payload_error.rfind("Response payload is not JSON serializable", 0) == 0);
}

TEST_CASE("numbers beyond int64 and uint64 stay exact in the raw payload, unknown fields are ignored") {
  auto r = WebhookEvent::Parse(webhook_test::kCapturedStyleBody);
  REQUIRE(r.has_value());
  CHECK(r.value().request_id == "req-77");
  CHECK(r.value().gateway_request_id == "gw-77");
  CHECK(r.value().payload_json.find("\"seed\": 17454220438242315174") != std::string::npos);
  CHECK_FALSE(r.value().output.has_value());  // an image output, not a trainer output

  auto big = WebhookEvent::Parse(
      R"({"request_id":"r","status":"OK","extra":{"n":123456789012345678901234567890,"list":[1,2,{"x":null}]},)"
      R"("payload":{"finetune_id":"ft-1","seed":123456789012345678901234567890},"version":2})");
  REQUIRE(big.has_value());
  CHECK(big.value().payload_json.find("123456789012345678901234567890") != std::string::npos);
  REQUIRE(big.value().output.has_value());
  CHECK(big.value().output->finetune_id == "ft-1");
}

TEST_CASE("request_id and gateway_request_id are kept apart") {
  auto r = WebhookEvent::Parse(R"({"gateway_request_id":"gw","request_id":"rq","status":"OK","payload":{}})");
  REQUIRE(r.has_value());
  CHECK(r.value().request_id == "rq");
  CHECK(r.value().gateway_request_id == "gw");
  CHECK_FALSE(r.value().output.has_value());
  CHECK(r.value().payload_json == "{}");
}

TEST_CASE("an unknown status is kept, never success") {
  auto r = WebhookEvent::Parse(R"({"request_id":"r","status":"PARTIAL","payload":{"finetune_id":"x"}})");
  REQUIRE(r.has_value());
  CHECK(r.value().status == WebhookStatus::kUnknown);
  CHECK(r.value().status_text == "PARTIAL");
  CHECK_FALSE(r.value().succeeded());
}

TEST_CASE("malformed, truncated and wrong-typed bodies are clear errors") {
  const std::string ok = webhook_test::kOkBody;
  std::vector<std::string> bad = {
      "",
      "   ",
      "{",
      "[]",
      "null",
      "\"request_id\"",
      R"({"request_id":"r","status":"OK"} trailing)",
      R"({"request_id":"r","status":"OK",})",
      R"({"request_id":"r","status":"OK","x":tru})",
      R"({"request_id":5,"status":"OK"})",
      R"({"request_id":"r","status":true})",
      R"({"request_id":"r","status":"OK","error":{"a":1}})",
      R"({"request_id":"r","status":"OK","payload_error":7})",
      R"({"request_id":"r","status":"ERROR","payload":{"detail":[7]}})",
      R"({"request_id":"r","status":"ERROR","payload":{"detail":[{"loc":"body"}]}})",
      R"({"status":"OK","payload":null})",
      R"({"request_id":"","status":"OK"})",
      R"({"request_id":"r","payload":null})",
      std::string("{\"request_id\":\"r\xff\",\"status\":\"OK\"}"),
  };
  // Every prefix of a real body is truncated JSON.
  for (std::size_t n = 1; n < ok.size(); n += 7) bad.push_back(ok.substr(0, n));
  for (const auto& body : bad) {
    CAPTURE(body);
    auto r = WebhookEvent::Parse(body);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().message.rfind("webhook body: ", 0) == 0);
  }
}

TEST_CASE("oversized bodies are rejected before parsing") {
  faltrain::WebhookParseOptions options;
  options.max_bytes = 64;
  auto r = WebhookEvent::Parse(webhook_test::kOkBody, options);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::payload_too_large);
  // Deep nesting is an error, not a stack overflow.
  std::string deep = R"({"request_id":"r","status":"OK","payload":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  auto d = WebhookEvent::Parse(deep);
  CHECK_FALSE(d.has_value());
}
