#include "conversation.hpp"

#include <doctest/doctest.h>

namespace faltrain_bot_test {

void Chat::Press(const std::string& callback_data) {
  std::string needle = "\"callback_data\":\"" + callback_data + "\"";
  bool offered = false;
  for (const auto& m : tg_.Messages(user_)) offered = offered || m.reply_markup.find(needle) != std::string::npos;
  INFO("no button with callback_data ", callback_data, " in:\n", Transcript());
  REQUIRE(offered);
  tg_.PushCallback(user_, callback_data, lang_);
}

SentMessage Chat::Expect(std::string_view needle, std::chrono::seconds timeout) {
  std::optional<SentMessage> found;
  tg_.WaitForActivity(
      [&] {
        auto messages = tg_.Messages(user_);
        for (std::size_t i = cursor_; i < messages.size(); ++i) {
          if (messages[i].text.find(needle) != std::string::npos) {
            found = messages[i];
            cursor_ = i + 1;
            return true;
          }
        }
        return false;
      },
      timeout);
  INFO("user ", user_, " expected a message containing: ", std::string(needle), "\ntranscript:\n", Transcript());
  REQUIRE(found.has_value());
  return *found;
}

SentPhoto Chat::ExpectPhoto(std::chrono::seconds timeout) {
  std::optional<SentPhoto> found;
  tg_.WaitForActivity(
      [&] {
        auto photos = tg_.Photos(user_);
        if (photos.size() > photo_cursor_) {
          found = photos[photo_cursor_++];
          return true;
        }
        return false;
      },
      timeout);
  INFO("user ", user_, " expected a photo\ntranscript:\n", Transcript());
  REQUIRE(found.has_value());
  return *found;
}

std::size_t Chat::Count(std::string_view needle) const {
  std::size_t n = 0;
  for (const auto& m : tg_.Messages(user_)) n += m.text.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

std::string Chat::Transcript() const {
  std::string out;
  for (const auto& m : tg_.Messages(user_)) out += "  > " + m.text + "\n";
  return out;
}

}  // namespace faltrain_bot_test
