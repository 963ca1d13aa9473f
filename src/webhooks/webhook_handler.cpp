// WebhookHandler: method, headers and raw body in; status, JSON reply and the recorded event out.

#include "faltrain/webhooks/handler.hpp"

#include "faltrain/webhooks/job_token.hpp"

#include <faltrain/client/json_writer.hpp>

#include "client/detail/enum_text.hpp"

#include <cctype>
#include <charconv>
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

// A verified event on its way to the inbox, and what the reply will say about it.
struct WebhookHandler::Verified {
  InboxEvent record;
  WebhookEvent event;
  JobTokenCheck job_token = JobTokenCheck::kAbsent;
};

namespace {

WebhookReply Accepted(bool duplicate, WebhookEvent event, JobTokenCheck job_token,
                      std::optional<std::int64_t> job_id) {
  WebhookReply reply;
  reply.status = 200;
  reply.duplicate = duplicate;
  reply.body = duplicate ? R"({"status":"duplicate"})" : R"({"status":"accepted"})";
  reply.event = std::move(event);
  reply.job_token = job_token;
  reply.job_id = job_id;
  return reply;
}

WebhookReply Busy() {
  return Reject(503, "busy: too many webhooks waiting for storage",
                "too many webhooks waiting for storage (max_pending_records)");
}

}  // namespace

WebhookHandler::WebhookHandler(std::shared_ptr<WebhookVerifier> verifier,
                               std::shared_ptr<WebhookInbox> inbox, WebhookHandlerOptions options,
                               std::shared_ptr<Clock> clock)
    : verifier_(std::move(verifier)), inbox_(std::move(inbox)), options_(options),
      clock_(clock ? std::move(clock) : MakeSystemClock()),
      pending_(std::make_shared<std::atomic<std::size_t>>(0)) {}

WebhookReply WebhookHandler::Handle(std::string_view method, const HttpHeaders& headers,
                                    std::string_view body) const {
  return Handle(method, std::string_view(), headers, body);
}

std::optional<WebhookReply> WebhookHandler::Check(std::string_view method, std::string_view target,
                                                  const HttpHeaders& headers, std::string_view body,
                                                  Verified& out) const {
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
  out.event = std::move(event).value();
  InboxEvent& record = out.record;
  record.request_id = out.event.request_id;
  record.gateway_request_id = out.event.gateway_request_id;
  record.user_id = std::string(headers.Get(kWebhookUserIdHeader));
  const auto ts = headers.Get(kWebhookTimestampHeader);
  std::from_chars(ts.data(), ts.data() + ts.size(), record.signed_at);  // verified: an integer
  record.received_at = clock_->WallNow();
  // The token only helps find a job; one that fails changes nothing else (fal signed the body).
  const std::string_view token = JobTokenFromTarget(target);
  if (!token.empty() && !options_.job_token_secret.empty()) {
    record.job_id = VerifyJobToken(token, options_.job_token_secret);
    out.job_token = record.job_id ? JobTokenCheck::kVerified : JobTokenCheck::kRejected;
  }
  return std::nullopt;
}

// Takes a slot for one more event waiting for the inbox, unless all are taken.
bool WebhookHandler::TryReserve() const noexcept {
  const std::size_t limit = options_.max_pending_records;
  std::size_t now = pending_->load(std::memory_order_relaxed);
  do {
    if (limit != 0 && now >= limit) return false;
  } while (!pending_->compare_exchange_weak(now, now + 1, std::memory_order_relaxed));
  return true;
}

WebhookReply WebhookHandler::Handle(std::string_view method, std::string_view target,
                                    const HttpHeaders& headers, std::string_view body) const {
  Verified v;
  if (auto rejected = Check(method, target, headers, body, v)) return *std::move(rejected);
  if (!TryReserve()) return Busy();
  v.record.body = std::string(body);
  auto inserted = inbox_->RecordWebhook(v.record);
  pending_->fetch_sub(1, std::memory_order_relaxed);
  if (!inserted) return Reject(503, "storage unavailable", inserted.error().message);
  return Accepted(!inserted.value(), std::move(v.event), v.job_token, v.record.job_id);
}

void WebhookHandler::HandleAsync(std::string_view method, std::string_view target,
                                 const HttpHeaders& headers, std::string body,
                                 WebhookReplyCallback done) const {
  Verified v;
  if (auto rejected = Check(method, target, headers, body, v)) return done(*std::move(rejected));
  if (!TryReserve()) return done(Busy());
  v.record.body = std::move(body);
  const std::optional<std::int64_t> job_id = v.record.job_id;
  inbox_->RecordWebhookAsync(
      std::move(v.record),
      [pending = pending_, done = std::move(done), event = std::move(v.event), token = v.job_token,
       job_id](result<bool> inserted) mutable {
        pending->fetch_sub(1, std::memory_order_relaxed);
        if (!inserted) return done(Reject(503, "storage unavailable", inserted.error().message));
        done(Accepted(!inserted.value(), std::move(event), token, job_id));
      });
}

}  // namespace v1
}  // namespace faltrain
