#include <faltrain/client/transport.hpp>

#include "client/detail/enum_text.hpp"

#include <algorithm>
#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(HttpMethod m) noexcept {
  switch (m) {
    case HttpMethod::kGet: return "GET";
    case HttpMethod::kPost: return "POST";
    case HttpMethod::kPut: return "PUT";
    case HttpMethod::kDelete: return "DELETE";
  }
  return "GET";
}

result<HttpMethod> ParseHttpMethod(std::string_view text) {
  return detail::ParseEnum(text, "HTTP method",
                           {HttpMethod::kGet, HttpMethod::kPost, HttpMethod::kPut, HttpMethod::kDelete});
}

void HttpHeaders::Add(std::string name, std::string value) {
  items_.push_back({std::move(name), std::move(value)});
}

void HttpHeaders::Set(std::string name, std::string value) {
  items_.erase(std::remove_if(items_.begin(), items_.end(),
                              [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); }),
               items_.end());
  Add(std::move(name), std::move(value));
}

std::string_view HttpHeaders::Get(std::string_view name) const {
  for (const auto& h : items_) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

result<HttpResponse> Transport::SendStreaming(const HttpRequest& request, const StreamControl& control) {
  if (control.cancel.cancelled()) return fail(errc::cancelled, "request cancelled before it was sent");
  FALTRAIN_TRY(HttpResponse response, Send(request));
  if (response.status >= 200 && response.status < 300 && control.on_body) {
    std::string body = std::move(response.body);
    response.body.clear();
    if (!body.empty()) control.on_body(body);
  }
  return response;
}

void Transport::SendAsync(HttpRequest request, SendCallback done) { done(Send(request)); }

std::size_t Transport::Drive(std::chrono::milliseconds) { return 0; }

void Transport::Wakeup() {}

std::size_t Transport::in_flight() const { return 0; }

bool HttpHeaders::Has(std::string_view name) const {
  return std::any_of(items_.begin(), items_.end(),
                     [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

}  // namespace v1
}  // namespace faltrain
