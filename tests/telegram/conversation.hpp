#pragma once
// One user's side of a scripted conversation: say things, press buttons, and expect the bot's
// answers in order (each expectation searches forward from the last one matched).

#include "telegram_standin.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace faltrain_bot_test {

class Chat {
 public:
  Chat(TelegramStandin& tg, std::int64_t user, std::string lang) : tg_(tg), user_(user), lang_(std::move(lang)) {}

  std::int64_t user() const { return user_; }
  void Say(const std::string& text) { tg_.PushText(user_, text, lang_); }
  void Photo(const std::string& bytes, const std::string& media_group = "") {
    tg_.PushPhoto(user_, bytes, media_group, lang_);
  }
  void Document(const std::string& bytes, const std::string& name, const std::string& mime,
                std::int64_t declared_size = -1) {
    tg_.PushDocument(user_, bytes, name, mime, declared_size, lang_);
  }
  void Sticker() { tg_.PushSticker(user_, lang_); }
  /// Presses a button: some message to this chat must offer `callback_data`.
  void Press(const std::string& callback_data);

  /// The next message (after the last matched) containing `needle`; fails the test on timeout.
  SentMessage Expect(std::string_view needle, std::chrono::seconds timeout = std::chrono::seconds(60));
  /// The next photo sent to this chat.
  SentPhoto ExpectPhoto(std::chrono::seconds timeout = std::chrono::seconds(60));
  /// How many messages to this chat contain `needle` (all of them, not only after the cursor).
  std::size_t Count(std::string_view needle) const;
  /// Every message text, for failure output.
  std::string Transcript() const;

 private:
  TelegramStandin& tg_;
  std::int64_t user_;
  std::string lang_;
  std::size_t cursor_ = 0;
  std::size_t photo_cursor_ = 0;
};

}  // namespace faltrain_bot_test
