// WebhookEvent::Parse: fal's webhook bodies with simdjson on-demand, no exceptions.

#include "faltrain/webhooks/event.hpp"

#include "client/detail/enum_text.hpp"
#include "client/detail/json_reader.hpp"

#include <fmt/format.h>

#include <simdjson.h>

namespace faltrain {
inline namespace v1 {
namespace {

namespace od = simdjson::ondemand;

auto Bad(std::string_view what) {
  return fail(errc::invalid_argument, fmt::format("webhook body: {}", what));
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

auto BadJson(simdjson::error_code code) {
  return Bad(fmt::format("not valid JSON ({})", simdjson::error_message(code)));
}

// Reads a string-or-null field; `name` for the message.
result<void> ReadOptionalString(od::value v, std::string_view name, std::string& out) {
  od::json_type type;
  if (auto code = v.type().get(type)) return BadJson(code);
  if (type == od::json_type::null) {
    bool is_null = false;
    if (auto code = v.is_null().get(is_null); code || !is_null) return Bad(fmt::format("bad null in \"{}\"", name));
    out.clear();
    return success();
  }
  if (type != od::json_type::string) return Bad(fmt::format("\"{}\" must be a string or null", name));
  std::string_view s;
  if (auto code = v.get_string().get(s)) return BadJson(code);
  out.assign(s);
  return success();
}

result<std::string> ReadRequiredString(od::value v, std::string_view name) {
  std::string out;
  od::json_type type;
  if (auto code = v.type().get(type)) return BadJson(code);
  if (type != od::json_type::string) return Bad(fmt::format("\"{}\" must be a string", name));
  std::string_view s;
  if (auto code = v.get_string().get(s)) return BadJson(code);
  out.assign(s);
  return out;
}

// A detail[].loc entry: strings stay, integers (array indexes) become their decimal text.
result<void> ReadLoc(od::value v, std::vector<std::string>& loc) {
  od::array items;
  if (v.get_array().get(items)) return Bad("\"detail[].loc\" must be an array");
  for (auto item : items) {
    od::value element;
    if (auto code = item.get(element)) return BadJson(code);
    od::json_type type;
    if (auto code = element.type().get(type)) return BadJson(code);
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto code = element.get_string().get(s)) return BadJson(code);
      loc.emplace_back(s);
    } else if (type == od::json_type::number) {
      loc.emplace_back(TrimRight(element.raw_json_token()));
    } else {
      return Bad("\"detail[].loc\" entries must be strings or numbers");
    }
  }
  return success();
}

// payload = {"detail": [{"loc": [...], "msg": "...", "type": "..."}] | "text", ...}.
result<void> ReadDetail(std::string_view payload_json, WebhookEvent& event) {
  simdjson::padded_string padded(payload_json);
  thread_local od::parser parser;  // separate from Parse's: that document is still alive
  od::document doc;
  if (auto code = parser.iterate(padded).get(doc)) return BadJson(code);
  od::object payload;
  if (doc.get_object().get(payload)) return success();  // not an object: nothing to decode
  for (auto field : payload) {
    std::string_view key;
    if (auto code = field.unescaped_key().get(key)) return BadJson(code);
    od::value value;
    if (auto code = field.value().get(value)) return BadJson(code);
    if (key != "detail") continue;
    od::json_type type;
    if (auto code = value.type().get(type)) return BadJson(code);
    if (type == od::json_type::string) {
      FALTRAIN_TRYV(ReadOptionalString(value, "detail", event.detail_message));
      continue;
    }
    if (type != od::json_type::array) continue;  // some other shape: keep only the raw payload
    od::array entries;
    if (auto code = value.get_array().get(entries)) return BadJson(code);
    for (auto entry_result : entries) {
      od::object entry;
      if (entry_result.get_object().get(entry)) return Bad("\"detail\" entries must be objects");
      field_error fe;
      for (auto entry_field : entry) {
        std::string_view name;
        if (auto code = entry_field.unescaped_key().get(name)) return BadJson(code);
        od::value v;
        if (auto code = entry_field.value().get(v)) return BadJson(code);
        if (name == "loc") {
          FALTRAIN_TRYV(ReadLoc(v, fe.loc));
        } else if (name == "msg") {
          FALTRAIN_TRYV(ReadOptionalString(v, "detail[].msg", fe.msg));
        } else if (name == "type") {
          FALTRAIN_TRYV(ReadOptionalString(v, "detail[].type", fe.type));
        }
      }
      event.field_errors.push_back(std::move(fe));
    }
  }
  return success();
}

}  // namespace

std::string_view to_string(WebhookStatus s) noexcept {
  switch (s) {
    case WebhookStatus::kOk: return "OK";
    case WebhookStatus::kError: return "ERROR";
    case WebhookStatus::kUnknown: break;
  }
  return "UNKNOWN";
}

result<WebhookStatus> ParseWebhookStatus(std::string_view text) {
  return detail::ParseEnum(text, "webhook status",
                           {WebhookStatus::kOk, WebhookStatus::kError, WebhookStatus::kUnknown});
}

std::string WebhookEvent::FailureSummary() const {
  std::string out = error;
  auto append = [&out](std::string_view part) {
    if (part.empty()) return;
    if (!out.empty()) out += "; ";
    out += part;
  };
  append(payload_error);
  append(detail_message);
  for (const auto& fe : field_errors) {
    std::string where;
    for (const auto& part : fe.loc) {
      if (!where.empty()) where += '.';
      where += part;
    }
    append(fmt::format("{}: {}", where, fe.msg));
  }
  if (out.empty() && status == WebhookStatus::kUnknown) out = fmt::format("unknown status \"{}\"", status_text);
  return out;
}

result<WebhookEvent> WebhookEvent::Parse(std::string_view body, const WebhookParseOptions& options) {
  if (body.size() > options.max_bytes) {
    return fail(errc::payload_too_large,
                fmt::format("webhook body: {} bytes exceeds the {} byte limit", body.size(), options.max_bytes));
  }
  // Parsers are reused per thread: webhook bodies are small and arrive one at a time per thread.
  thread_local simdjson::dom::parser validator;
  thread_local od::parser parser;
  simdjson::padded_string padded(body);
  // On-demand reads lazily and skips what it does not need, so first validate the whole text
  // (structure, atoms, UTF-8, trailing content). The one error let through is NUMBER_ERROR: an
  // integer beyond 64 bits is legal JSON and fal sends such seeds; the on-demand walk keeps it raw.
  if (auto code = validator.parse(padded).error(); code && code != simdjson::NUMBER_ERROR) {
    return BadJson(code);
  }
  od::document doc;
  if (auto code = parser.iterate(padded).get(doc)) return BadJson(code);
  od::object root;
  if (auto code = doc.get_object().get(root)) {
    return code == simdjson::INCORRECT_TYPE ? Bad("not a JSON object") : BadJson(code);
  }

  WebhookEvent event;
  bool have_request_id = false, have_status = false, payload_is_null = true;
  for (auto field : root) {
    std::string_view key;
    if (auto code = field.unescaped_key().get(key)) return BadJson(code);
    od::value value;
    if (auto code = field.value().get(value)) return BadJson(code);
    if (key == "request_id") {
      FALTRAIN_TRY(event.request_id, ReadRequiredString(value, key));
      have_request_id = true;
    } else if (key == "gateway_request_id") {
      FALTRAIN_TRYV(ReadOptionalString(value, key, event.gateway_request_id));
    } else if (key == "status") {
      FALTRAIN_TRY(event.status_text, ReadRequiredString(value, key));
      have_status = true;
    } else if (key == "error") {
      FALTRAIN_TRYV(ReadOptionalString(value, key, event.error));
    } else if (key == "payload_error") {
      FALTRAIN_TRYV(ReadOptionalString(value, key, event.payload_error));
    } else if (key == "payload") {
      od::json_type type;
      if (auto code = value.type().get(type)) return BadJson(code);
      if (type == od::json_type::null) {
        if (!detail::IsNull(value)) return Bad("bad null in \"payload\"");
        event.payload_json.clear();
        payload_is_null = true;
      } else {
        auto raw = detail::ReadRaw(value);
        if (!raw) return Bad("\"payload\" is not valid JSON");
        event.payload_json = std::move(*raw);
        payload_is_null = false;
      }
    }
    // Unknown fields are skipped (the whole text was validated above).
  }
  if (!have_request_id || event.request_id.empty()) return Bad("missing \"request_id\"");
  if (!have_status) return Bad("missing \"status\"");

  if (event.status_text == "OK") {
    event.status = WebhookStatus::kOk;
  } else if (event.status_text == "ERROR") {
    event.status = WebhookStatus::kError;
  } else {
    event.status = WebhookStatus::kUnknown;
  }

  if (!payload_is_null) {
    if (event.status == WebhookStatus::kOk) {
      auto output = TrainingOutput::Parse(event.payload_json);
      if (output) event.output = std::move(output).value();  // other endpoints' outputs stay raw
    } else {
      FALTRAIN_TRYV(ReadDetail(event.payload_json, event));
    }
  }
  return event;
}

}  // namespace v1
}  // namespace faltrain
