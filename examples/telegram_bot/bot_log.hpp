#pragma once
// The bot's log: timestamped lines on stderr, with the Telegram token always replaced by "<token>"
// (a transport error may quote a request URL, and Bot API URLs carry the token).

#include <mutex>
#include <string>
#include <string_view>

namespace faltrain_bot {

class BotLog {
 public:
  explicit BotLog(std::string token) : token_(std::move(token)) {}
  void Info(std::string_view message) { Write("info", message); }
  void Warn(std::string_view message) { Write("warn", message); }
  void Error(std::string_view message) { Write("error", message); }
  std::string Redact(std::string_view text) const;

 private:
  void Write(std::string_view level, std::string_view message);
  std::string token_;
  std::mutex mu_;
};

}  // namespace faltrain_bot
