// The bot's building blocks on their own: Bot API decoding, JSON and multipart writing, message
// catalogues, flood control and the bot's SQLite store. No network, no subprocess.

#include "bot_store.hpp"
#include "data_uri.hpp"
#include "flood_guard.hpp"
#include "messages.hpp"
#include "multipart.hpp"
#include "telegram_api.hpp"
#include "telegram_types.hpp"

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
#include <faltrain/preflight/report.hpp>
#endif

#include <doctest/doctest.h>
#include <simdjson.h>

#include <unistd.h>

#include <filesystem>

namespace faltrain_bot {
namespace {

TEST_CASE("an inline keyboard becomes reply_markup JSON that parses back") {
  std::string json = KeyboardJson({{{"Portrait \"P\"", "style:portrait"}, {"Art", "style:artistic"}},
                                   {{"Go", "train"}}});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string_view text, data;
  REQUIRE(doc["inline_keyboard"].at(0).at(0)["text"].get(text) == simdjson::SUCCESS);
  CHECK(text == "Portrait \"P\"");
  REQUIRE(doc["inline_keyboard"].at(1).at(0)["callback_data"].get(data) == simdjson::SUCCESS);
  CHECK(data == "train");
}

TEST_CASE("getUpdates answers decode messages, photos, documents and button presses") {
  const char* body = R"({"ok":true,"result":[
    {"update_id":10,"message":{"message_id":1,"from":{"id":7,"is_bot":false,"first_name":"A","language_code":"ru"},
      "chat":{"id":7,"type":"private"},"text":"/new Анна"}},
    {"update_id":11,"message":{"message_id":2,"from":{"id":7,"is_bot":false},"chat":{"id":7},
      "media_group_id":"g1","photo":[{"file_id":"s","file_unique_id":"us","width":90,"height":90,"file_size":100},
                                     {"file_id":"l","file_unique_id":"ul","width":800,"height":800,"file_size":5000}]}},
    {"update_id":12,"message":{"message_id":3,"from":{"id":7},"chat":{"id":7},
      "document":{"file_id":"d","file_unique_id":"ud","file_name":"x.png","mime_type":"image/png","file_size":42}}},
    {"update_id":13,"callback_query":{"id":"q1","from":{"id":8,"language_code":"en"},
      "message":{"message_id":9,"chat":{"id":8}},"data":"style:portrait"}},
    {"update_id":14,"edited_message":{"message_id":4}},
    {"message":{"message_id":5}},
    {"update_id":15,"message":{"message_id":6,"from":{"id":7},"chat":{"id":7},"sticker":{"file_id":"st"}}}
  ]})";
  auto updates = ParseUpdates(body);
  REQUIRE(updates.has_value());
  auto& u = updates.value();
  REQUIRE(u.size() == 6);  // the item without update_id cannot even be skipped by id
  CHECK(u[0].message->text == "/new Анна");
  CHECK(u[0].message->from.language_code == "ru");
  CHECK(u[1].message->media_group_id == "g1");
  REQUIRE(u[1].message->photo.size() == 2);
  CHECK(u[1].message->photo.back().file_id == "l");
  CHECK(u[2].message->document->mime_type == "image/png");
  CHECK(u[2].message->document->file_size == 42);
  CHECK(u[3].callback_query->data == "style:portrait");
  CHECK(u[3].callback_query->chat_id == 8);
  CHECK(!u[4].message.has_value());  // an edit: not asked for, still advances the offset
  CHECK(!u[4].callback_query.has_value());
  CHECK(u[5].message->has_other_media);

  CHECK(!ParseUpdates(R"({"ok":false,"error_code":401,"description":"Unauthorized"})").has_value());
  CHECK(!ParseUpdates("<html>502</html>").has_value());
}

TEST_CASE("error answers carry the code, the description and retry_after") {
  ApiFailure failure;
  CHECK(!ParseOk(R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})",
                 429, failure));
  CHECK(failure.error_code == 429);
  CHECK(failure.retry_after == 7);
  CHECK(!ParseOk("<html>Bad Gateway</html>", 502, failure));
  CHECK(failure.error_code == 502);
  CHECK(ParseOk(R"({"ok":true,"result":true})", 200, failure));
  auto file = ParseFile(R"({"ok":true,"result":{"file_id":"f","file_unique_id":"u","file_size":9,"file_path":"photos/f.jpg"}})");
  REQUIRE(file.has_value());
  CHECK(file.value().file_path == "photos/f.jpg");
}

TEST_CASE("multipart bodies hold each part between boundaries") {
  MultipartBody body;
  body.AddField("chat_id", "42");
  body.AddFile("photo", "a\"b.jpg", "image/jpeg", std::string("\xff\xd8\x00\x01", 4));
  std::string text = body.Finish();
  std::string boundary = body.ContentType().substr(std::string("multipart/form-data; boundary=").size());
  CHECK(text.find("--" + boundary + "\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n") == 0);
  CHECK(text.find("filename=\"ab.jpg\"") != std::string::npos);  // the quote cannot break the header
  CHECK(text.find(std::string("\xff\xd8\x00\x01", 4)) != std::string::npos);
  CHECK(text.size() >= boundary.size() + 6);
  CHECK(text.substr(text.size() - boundary.size() - 6) == "--" + boundary + "--\r\n");
}

TEST_CASE("data: URIs decode to their bytes and type") {
  auto png = DecodeDataUri("data:image/png;base64,iVBORw0KGgo=");
  REQUIRE(png.has_value());
  CHECK(png.value().content_type == "image/png");
  CHECK(png.value().bytes == std::string("\x89PNG\r\n\x1a\n", 8));
  auto two = DecodeDataUri("data:image/jpeg;base64,/9g=");
  REQUIRE(two.has_value());
  CHECK(two.value().bytes == "\xff\xd8");
  CHECK(!DecodeDataUri("https://v3.fal.media/x.png").has_value());
  CHECK(!DecodeDataUri("data:image/png,rawtext").has_value());
  CHECK(!DecodeDataUri("data:image/png;base64,abc").has_value());
  CHECK(!DecodeDataUri("data:image/png;base64,@@@@").has_value());
}

TEST_CASE("the catalogue follows language_code") {
  CHECK(&MessagesFor("ru") == &RussianMessages());
  CHECK(&MessagesFor("ru-RU") == &RussianMessages());
  CHECK(&MessagesFor("RU") == &RussianMessages());
  CHECK(&MessagesFor("en") == &EnglishMessages());
  CHECK(&MessagesFor("") == &EnglishMessages());
  CHECK(&MessagesFor("rus") == &EnglishMessages());
  CHECK(RussianMessages().Completed("Анна", faltrain::AvatarStyle::kPortrait) ==
        "🎉 Ваш аватар готов!\n🎭 **Анна** (Портретный стиль)\n✅ Обучение завершено успешно\n"
        "Теперь вы можете использовать аватар для генерации изображений!");
  CHECK(RussianMessages().Completed("X", faltrain::AvatarStyle::kArtistic).find("(Художественный стиль)") !=
        std::string::npos);
  auto estimate = StyleEstimate(faltrain::AvatarStyle::kArtistic);
  CHECK(estimate.min.count() == 5);
  CHECK(estimate.max.count() == 45);
}

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
TEST_CASE("every reason the photo check gives a photo is told in words, in both languages") {
  for (int i = 0; i <= static_cast<int>(faltrain::Reason::kFaceTooSmall); ++i) {
    const std::string code(faltrain::to_string(static_cast<faltrain::Reason>(i)));
    CAPTURE(code);
    for (const Messages* m : {&EnglishMessages(), &RussianMessages()}) {
      CHECK(m->Reason(code, "a.jpg") != code);  // not the bare code
    }
  }
  PhotoFinding finding{"b.jpg", true, {"blurry", "duplicate"}, "a.jpg"};
  CHECK(ReasonsText(EnglishMessages(), finding) == "it is blurry, it is almost the same as a.jpg");
  CHECK(ReasonsText(RussianMessages(), finding) == "фото размыто, оно почти такое же, как a.jpg");
  SetFinding set{{{"a.jpg", false, {}, ""}, finding}, 1, ""};
  CHECK_FALSE(set.passed());
  CHECK(RejectedLines(EnglishMessages(), set) ==
        std::vector<std::string>{"b.jpg — it is blurry, it is almost the same as a.jpg"});
}
#endif

TEST_CASE("the flood guard lets a burst through, warns once, then drops until it refills") {
  FloodGuard guard(3, 1);
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) CHECK(guard.Check(1, t0) == FloodGuard::Verdict::kAllow);
  CHECK(guard.Check(1, t0) == FloodGuard::Verdict::kWarn);
  CHECK(guard.Check(1, t0) == FloodGuard::Verdict::kDrop);
  CHECK(guard.Check(2, t0) == FloodGuard::Verdict::kAllow);  // per user
  CHECK(guard.Check(1, t0 + std::chrono::milliseconds(1500)) == FloodGuard::Verdict::kAllow);
  CHECK(guard.Check(1, t0 + std::chrono::milliseconds(1500)) == FloodGuard::Verdict::kWarn);
}

TEST_CASE("the bot store keeps the offset, isolates drafts and claims each notification once") {
  auto path = std::filesystem::temp_directory_path() /
              ("faltrain-bot-store-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto store = BotStore::Open(path);
    REQUIRE(store.has_value());
    auto& s = *store.value();
    CHECK(s.LoadOffset().value() == 0);
    REQUIRE(s.SaveOffset(1234).has_value());

    auto draft = s.CreateDraft(7, 7, "Anna");
    REQUIRE(draft.has_value());
    CHECK(s.FindDraft(7, draft.value()).has_value());
    CHECK(s.FindDraft(8, draft.value()).error().code == faltrain::errc::not_found);
    CHECK(s.AddPhoto(draft.value(), "u1", "photo_001.png", "bytes").value());
    CHECK(!s.AddPhoto(draft.value(), "u1", "photo_002.png", "bytes").value());
    CHECK(s.CountPhotos(draft.value()).value() == 1);

    REQUIRE(s.AddJob({55, 7, 7}).has_value());
    CHECK(s.FindJob(8, 55).error().code == faltrain::errc::not_found);
    CHECK(s.ListUnnotifiedJobs().value().size() == 1);
    CHECK(s.ClaimNotification(55).value());
    CHECK(!s.ClaimNotification(55).value());
    CHECK(s.ListUnnotifiedJobs().value().empty());
    // Killed before Telegram confirmed: a restart sends it again; once confirmed, never again.
    REQUIRE(s.AddJob({56, 7, 7}).has_value());
    CHECK(s.ClaimNotification(56).value());
    REQUIRE(s.ConfirmNotification(56).has_value());
    REQUIRE(s.ReleaseUnconfirmedNotifications().has_value());
    auto again = s.ListUnnotifiedJobs().value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].job_id == 55);
    CHECK(s.ClaimNotification(55).value());
    REQUIRE(s.ConfirmNotification(55).has_value());
    REQUIRE(s.ReleaseUnconfirmedNotifications().has_value());
    CHECK(s.ListUnnotifiedJobs().value().empty());

    Session session;
    session.user_id = 7;
    session.chat_id = 7;
    session.language = "ru";
    session.state = ChatState::kCollecting;
    session.draft_avatar = draft.value();
    REQUIRE(s.SaveSession(session).has_value());
  }
  auto reopened = BotStore::Open(path);
  REQUIRE(reopened.has_value());
  CHECK(reopened.value()->LoadOffset().value() == 1234);
  auto session = reopened.value()->LoadSession(7);
  REQUIRE(session.has_value());
  CHECK(session.value().state == ChatState::kCollecting);
  CHECK(session.value().language == "ru");
  CHECK(reopened.value()->UserLanguage(7).value() == "ru");
  reopened.value().reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

}  // namespace
}  // namespace faltrain_bot
