// WebhookHandler: method, headers and raw body in; status, JSON reply and the recorded event out.

#include "faltrain/webhooks/handler.hpp"

#include "faltrain/webhooks/job_token.hpp"

#include <faltrain/client/json_writer.hpp>

#include "client/detail/enum_text.hpp"

#include <cctype>
#include <cstdlib>

namespace faltrain {
inline namespace v1 {
namespace {

std::string ErrorBody(std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("error", message).EndObject();
  return std::move(w).str();
}

WebhookReply Reject(int status, std::string_view short_error, std::string reason = {}) {
  WebhookReply reply;
  reply.status = status;
  reply.body = ErrorBody(short_error);
  reply.reason = reason.empty() ? std::string(short_error) : std::move(reason);
  return reply;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "application/json" with optional parameters ("; charset=utf-8"), any case.
bool IsJsonContentType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return IEquals(value, "application/json");
}

}  // namespace

std::string_view to_string(JobTokenCheck check) noexcept {
  switch (check) {
    case JobTokenCheck::kVerified: return "verified";
    case JobTokenCheck::kRejected: return "rejected";
    case JobTokenCheck::kAbsent: break;
  }
  return "absent";
}

result<JobTokenCheck> ParseJobTokenCheck(std::string_view text) {
  return detail::ParseEnum(text, "job token check",
                           {JobTokenCheck::kAbsent, JobTokenCheck::kVerified, JobTokenCheck::kRejected});
}

WebhookHandler::WebhookHandler(std::shared_ptr<WebhookVerifier> verifier,
                               std::shared_ptr<WebhookInbox> inbox, WebhookHandlerOptions options,
                               std::shared_ptr<Clock> clock)
    : verifier_(std::move(verifier)), inbox_(std::move(inbox)), options_(options),
      clock_(clock ? std::move(clock) : MakeSystemClock()) {}

WebhookReply WebhookHandler::Handle(std::string_view method, const HttpHeaders& headers,
                                    std::string_view body) const {
  return Handle(method, std::string_view(), headers, body);
}

WebhookReply WebhookHandler::Handle(std::string_view method, std::string_view target,
                                    const HttpHeaders& headers, std::string_view body) const {
  if (method != "POST") {
    auto reply = Reject(405, "method not allowed");
    reply.allow = "POST";
    return reply;
  }
  if (!IsJsonContentType(headers.Get("Content-Type"))) {
    return Reject(415, "content type must be application/json");
  }
  if (body.size() > options_.max_body_bytes) return Reject(413, "payload too large");

  auto event = verifier_->VerifyAndParse(headers, body);
  if (!event) {
    const error& e = event.error();
    switch (e.code) {
      case errc::signature_invalid: return Reject(401, "invalid signature", e.message);
      case errc::invalid_argument: return Reject(400, "invalid payload", e.message);
      case errc::payload_too_large: return Reject(413, "payload too large", e.message);
      default:
        // The keys could not be fetched: ask fal to retry later rather than reject for good.
        return Reject(503, "webhook keys unavailable", e.message);
    }
  }

  InboxEvent record;
  record.request_id = event.value().request_id;
  record.gateway_request_id = event.value().gateway_request_id;
  record.body = std::string(body);
  record.user_id = std::string(headers.Get(kWebhookUserIdHeader));
  const auto ts = headers.Get(kWebhookTimestampHeader);
  record.signed_at = std::strtoll(std::string(ts).c_str(), nullptr, 10);
  record.received_at = clock_->WallNow();
  // The token only helps find a job; one that fails changes nothing else (fal signed the body).
  JobTokenCheck token_check = JobTokenCheck::kAbsent;
  const std::string_view token = JobTokenFromTarget(target);
  if (!token.empty() && !options_.job_token_secret.empty()) {
    record.job_id = VerifyJobToken(token, options_.job_token_secret);
    token_check = record.job_id ? JobTokenCheck::kVerified : JobTokenCheck::kRejected;
  }
  auto inserted = inbox_->RecordWebhook(record);
  if (!inserted) return Reject(503, "storage unavailable", inserted.error().message);

  WebhookReply reply;
  reply.status = 200;
  reply.duplicate = !inserted.value();
  JsonWriter w;
  w.BeginObject().Field("status", reply.duplicate ? "duplicate" : "accepted").EndObject();
  reply.body = std::move(w).str();
  reply.event = std::move(event).value();
  reply.job_token = token_check;
  reply.job_id = record.job_id;
  return reply;
}

}  // namespace v1
}  // namespace faltrain
