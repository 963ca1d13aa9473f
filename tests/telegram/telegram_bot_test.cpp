// Scripted conversations against the real faltrain-telegram-bot binary (test mode, simulator) and a
// local Bot API stand-in. Waits are bounded by generous deadlines; nothing asserts on timing.

#include "bot_process.hpp"
#include "conversation.hpp"
#include "telegram_standin.hpp"
#include "test_images.hpp"
#include "webhook_sink.hpp"

#include <faltrain/testing/sim_transport.hpp>
#include <faltrain/client/training_set.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <regex>

namespace faltrain_bot_test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kToken = "7777777:AAE-stand-in-secret-token_x9";

// One bot against one stand-in, with its own databases.
struct Stand {
  explicit Stand(const std::string& name, std::map<std::string, std::string> extra = {})
      : tg(kToken), dir(FreshDir(name)) {
    env = {{"TELEGRAM_TOKEN", kToken},
           {"TELEGRAM_API_URL", tg.url()},
           {"TELEGRAM_POLL_TIMEOUT", "1"},
           {"AVATAR_TEST_MODE", "true"},
           {"FAL_MOCK_TRAINING_DURATION", "3"},
           {"FAL_ENABLE_WEBHOOK_SIMULATION", "false"},
           {"FAL_WEBHOOK_URL", ""},
           {"FALTRAIN_SIM_QUEUE_MS", "200"},
           {"FALTRAIN_SIM_FAULTS", ""},
           {"BOT_JOB_POLL_MS", "200"},
           {"BOT_VERBOSE", "true"},
           {"BOT_STATE_DB", (dir / "bot.db").string()},
           {"FALTRAIN_JOBS_DB", (dir / "jobs.db").string()}};
    for (auto& [k, v] : extra) env[k] = v;
  }
  ~Stand() {
    StopBot();
    // Kept for a look after a failure when FALTRAIN_KEEP_TEST_DIRS is set.
    if (std::getenv("FALTRAIN_KEEP_TEST_DIRS") == nullptr) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
      fs::remove(dir.parent_path(), ignored);  // only succeeds once empty
    }
  }

  void StartBot() { bot = std::make_unique<BotProcess>(env, dir / "bot.log"); }
  void StopBot() {
    if (!bot) return;
    CHECK(bot->Stop() == 0);
    std::string log = bot->Log();
    // The token never reaches the log, whatever failed.
    CHECK(log.find(kToken) == std::string::npos);
    CHECK(log.find("stopped") != std::string::npos);
    bot.reset();
    CHECK(tg.WrongTokenRequests() == 0);
  }

  TelegramStandin tg;
  fs::path dir;
  std::map<std::string, std::string> env;
  std::unique_ptr<BotProcess> bot;
};

// The job id offered by a "gen:<id>" button in `m`.
std::string GenerateButton(const SentMessage& m) {
  std::smatch match;
  std::regex pattern("\"callback_data\":\"(gen:[0-9]+)\"");
  REQUIRE(std::regex_search(m.reply_markup, match, pattern));
  return match[1];
}

std::string CancelButton(const SentMessage& m) {
  std::smatch match;
  std::regex pattern("\"callback_data\":\"(cancel:[0-9]+)\"");
  REQUIRE(std::regex_search(m.reply_markup, match, pattern));
  return match[1];
}

void SendAlbum(Chat& chat, const std::string& group, int first_seed, int count) {
  for (int i = 0; i < count; ++i) chat.Photo(GoodPhoto(first_seed + i), group);
}

// An English user creates a portrait/fast avatar with ten photos and starts training.
SentMessage CreateAndTrainEnglish(Chat& chat, const std::string& name, const std::string& style,
                                  const std::string& preset, int photos, int seed) {
  chat.Say("/new " + name);
  chat.Expect("Choose a style");
  chat.Press("style:" + style);
  chat.Expect("Choose the quality");
  chat.Press("preset:" + preset);
  chat.Expect("Now send at least");
  SendAlbum(chat, "album-" + name, seed, photos);
  chat.Expect("from the album received");
  chat.Say("/train");
  chat.Expect("Packing and uploading");
  return chat.Expect("started (status TRAINING)");
}

}  // namespace

TEST_CASE("happy path, portrait style, in Russian: the seed's completion message exactly") {
  Stand stand("portrait-ru", {{"FAL_MOCK_TRAINING_DURATION", "6"}});
  stand.StartBot();
  Chat chat(stand.tg, 101, "ru");

  chat.Say("/start");
  chat.Expect("Привет");
  chat.Say("/new Анна");
  auto styles = chat.Expect("Выберите стиль");
  CHECK(styles.text.find(std::string(faltrain::GetStyleInfo(faltrain::AvatarStyle::kPortrait).description_ru)) !=
        std::string::npos);
  CHECK(styles.text.find("3–30 мин") != std::string::npos);   // portrait: fast min .. quality max
  CHECK(styles.text.find("5–45 мин") != std::string::npos);   // artistic
  chat.Press("style:portrait");
  auto presets = chat.Expect("Выберите качество");
  CHECK(presets.text.find("500 шагов") != std::string::npos);
  CHECK(presets.text.find("2500 шагов") != std::string::npos);
  chat.Press("preset:fast");
  chat.Expect("не меньше 10 фото");

  chat.Photo(GoodPhoto(0));
  chat.Expect("Фото 1 получено, нужно ещё 9.");
  SendAlbum(chat, "alb-1", 1, 9);
  chat.Expect("Из альбома получено фото: 9 (всего 10)");
  chat.Press("train");
  chat.Expect("Упаковываю");
  auto started = chat.Expect("Обучение «Анна» началось (статус TRAINING)");
  CHECK(started.text.find("3–5 мин") != std::string::npos);

  chat.Say("/status");
  auto status = chat.Expect("Анна — ⏳ обучается");
  CHECK(status.text.find("%") != std::string::npos);

  auto done = chat.Expect("🎉 Ваш аватар готов!");
  CHECK(done.text ==
        "🎉 Ваш аватар готов!\n🎭 **Анна** (Портретный стиль)\n✅ Обучение завершено успешно\n"
        "Теперь вы можете использовать аватар для генерации изображений!");

  chat.Press(GenerateButton(done));
  chat.Expect("Каким нарисовать «Анна»?");
  chat.Say("на пляже на закате");
  chat.Expect("Рисую");
  auto photo = chat.ExpectPhoto();
  CHECK(!photo.bytes.empty());  // the simulator's file exists only in the bot: uploaded as bytes
  CHECK(!faltrain::DetectImageType(photo.bytes).empty());
  CHECK(photo.caption == "на пляже на закате");

  chat.Say("/avatars");
  auto list = chat.Expect("Ваши аватары:");
  CHECK(list.text.find("Анна (Портретный, Быстро) — ✅ готов") != std::string::npos);
  CHECK(chat.Count("Ваш аватар готов") == 1);
  CHECK(stand.tg.CallbackAnswers() >= 4);
}

TEST_CASE("happy path, artistic style, in English, photos sent as files") {
  Stand stand("artistic-en");
  stand.StartBot();
  Chat chat(stand.tg, 102, "en-US");

  chat.Say("/new");
  chat.Expect("How should the new avatar be called?");
  chat.Say("Picasso Me");
  chat.Expect("Avatar \"Picasso Me\". Choose a style");
  chat.Press("style:artistic");
  auto presets = chat.Expect("Artistic style. Choose the quality");
  CHECK(presets.text.find("1000 steps, ⏱ 20–45 min") != std::string::npos);
  chat.Press("preset:quality");
  chat.Expect("send at least 4 photos");
  for (int i = 0; i < 4; ++i) chat.Document(GoodPhoto(40 + i), "me" + std::to_string(i) + ".jpg", "image/jpeg");
  chat.Expect("Photo 3 received, 1 more needed.");
  auto enough = chat.Expect("Photo 4 received. That's enough to train");
  CHECK(enough.reply_markup.find("\"callback_data\":\"train\"") != std::string::npos);
  chat.Press("train");
  auto started = chat.Expect("Training of \"Picasso Me\" started (status TRAINING)");
  CHECK(started.text.find("Quality") != std::string::npos);
  CHECK(started.text.find("20–45 min") != std::string::npos);

  auto done = chat.Expect("🎉 Your avatar is ready!");
  CHECK(done.text ==
        "🎉 Your avatar is ready!\n🎭 **Picasso Me** (Artistic style)\n✅ Training completed "
        "successfully\nYou can now use the avatar to generate images!");
  chat.Say("/generate as a cubist painting");
  chat.Expect("Drawing with \"Picasso Me\"");
  auto photo = chat.ExpectPhoto();
  CHECK(!faltrain::DetectImageType(photo.bytes).empty());
  CHECK(chat.Count("Your avatar is ready") == 1);
}

TEST_CASE("photo validation and bad input are answered politely") {
  Stand stand("validation");
  stand.StartBot();
  Chat chat(stand.tg, 103, "en");

  chat.Photo(MakePng(1));
  chat.Expect("Create an avatar first with /new");
  chat.Sticker();
  chat.Expect("I can only use photos and text");
  chat.Say("/frobnicate now");
  chat.Expect("I don't know the command /frobnicate");
  chat.Say("hello there");
  chat.Expect("I'm not waiting for text right now");
  chat.Say("/new " + std::string(70, 'x'));
  chat.Expect("The name must be 1 to 64 characters");
  chat.Say("Val");
  chat.Expect("Avatar \"Val\". Choose a style");
  chat.Photo(MakePng(2));
  chat.Expect("Please choose the style and the quality with the buttons first");
  chat.Press("style:portrait");
  chat.Expect("Choose the quality");
  chat.Press("preset:balanced");
  chat.Expect("send at least 10 photos");

  std::size_t get_file_before = stand.tg.GetFileCalls();
  chat.Document(NotAnImage(), "notes.txt", "text/plain");
  chat.Expect("This is not a photo I can use");
  chat.Document(std::string(64, 'z'), "fake.jpg", "image/jpeg", 50 << 20);
  chat.Expect("This file is too large; photos can be at most 20 MB");
  CHECK(stand.tg.GetFileCalls() == get_file_before);  // neither was downloaded
  chat.Document(NotAnImage(), "disguised.jpg", "image/jpeg");
  chat.Expect("This is not a photo I can use");        // checked by content after download

  for (int i = 0; i < 3; ++i) chat.Photo(GoodPhoto(10 + i));
  chat.Expect("Photo 3 received, 7 more needed.");
  chat.Say("/train");
  chat.Expect("I have 3 photos; this style needs at least 10. Please send 7 more.");
  chat.Say("/cancel");
  chat.Expect("Avatar \"Val\" was discarded with its photos");
  chat.Say("/train");
  chat.Expect("There is no avatar being created");
  chat.Say("/generate a cat");
  chat.Expect("You have no ready avatar yet");
  chat.Say("/status");
  chat.Expect("Nothing is training right now");
  CHECK(stand.tg.Downloads() == 4);  // the disguised text file and three photos
}

TEST_CASE("status shows progress, and cancel stops a training") {
  Stand stand("cancel", {{"FAL_MOCK_TRAINING_DURATION", "300"}});
  stand.StartBot();
  Chat chat(stand.tg, 104, "en");

  auto started = CreateAndTrainEnglish(chat, "Slow", "portrait", "quality", 10, 100);
  chat.Press("status");
  auto status = chat.Expect("Slow — ⏳ training");
  CHECK(status.text.find("%") != std::string::npos);
  chat.Press(CancelButton(started));
  chat.Expect("Training of \"Slow\" was cancelled.");
  chat.Say("/status");
  chat.Expect("Nothing is training right now");
  chat.Say("/avatars");
  auto list = chat.Expect("Your avatars:");
  CHECK(list.text.find("Slow (Portrait, Quality) — 🚫 cancelled") != std::string::npos);
  chat.Say("/cancel");
  chat.Expect("There is nothing to cancel");
  CHECK(chat.Count("was cancelled") == 1);
  CHECK(chat.Count("ready!") == 0);
}

TEST_CASE("a failed training gets a clear failure message, once") {
  Stand stand("failure", {{"FALTRAIN_SIM_FAULTS", "training_failure:count=-1"}});
  stand.StartBot();
  Chat chat(stand.tg, 105, "en");

  CreateAndTrainEnglish(chat, "Doomed", "artistic", "fast", 4, 200);
  auto failed = chat.Expect("❌ Training of \"Doomed\" failed:");
  CHECK(failed.text.find("You can try again with /new") != std::string::npos);
  chat.Say("/avatars");
  auto list = chat.Expect("Your avatars:");
  CHECK(list.text.find("Doomed (Artistic, Fast) — ❌ failed") != std::string::npos);
  chat.Say("/generate anything");
  chat.Expect("You have no ready avatar yet");
  CHECK(chat.Count("failed:") == 1);
}

TEST_CASE("duplicate webhooks and a restart never notify twice") {
  // The simulator signs webhooks with a key derived from its seed; the sink verifies with it.
  faltrain::SimOptions sim_options;
  sim_options.seed = 4242;
  std::string jwks = faltrain::SimTransport(sim_options).JwksJson();
  Stand stand("duplicate", {{"FAL_ENABLE_WEBHOOK_SIMULATION", "true"},
                            {"FALTRAIN_SIM_SEED", "4242"},
                            {"FALTRAIN_SIM_FAULTS", "webhook_duplicate:count=-1"},
                            // Poll only at submission: the outcome has to come by webhook.
                            {"BOT_JOB_POLL_MS", "3600000"}});
  WebhookSink sink(jwks, stand.dir / "jobs.db");
  stand.env["FAL_WEBHOOK_URL"] = sink.url();
  stand.StartBot();
  Chat chat(stand.tg, 106, "en");

  CreateAndTrainEnglish(chat, "Twice", "portrait", "fast", 10, 300);
  chat.Expect("🎉 Your avatar is ready!");
  stand.tg.WaitForActivity([&] { return sink.duplicates() >= 1; }, seconds(60));
  CHECK(sink.accepted() == 1);
  CHECK(sink.duplicates() >= 1);
  CHECK(sink.rejected() == 0);

  stand.StopBot();
  stand.StartBot();
  chat.Say("/avatars");
  auto list = chat.Expect("Your avatars:");
  CHECK(list.text.find("Twice (Portrait, Fast) — ✅ ready") != std::string::npos);
  CHECK(chat.Count("Your avatar is ready") == 1);
}

TEST_CASE("two users at once: each gets their own avatar, language and nothing of the other's") {
  Stand stand("two-users");
  stand.StartBot();
  Chat anna(stand.tg, 201, "ru");
  Chat bob(stand.tg, 202, "en");

  anna.Say("/new Анна");
  bob.Say("/new Bob");
  anna.Expect("Выберите стиль");
  bob.Expect("Choose a style");
  anna.Press("style:portrait");
  bob.Press("style:artistic");
  anna.Expect("Выберите качество");
  bob.Expect("Choose the quality");
  anna.Press("preset:fast");
  bob.Press("preset:fast");
  for (int i = 0; i < 10; ++i) {
    anna.Photo(GoodPhoto(500 + i), "anna-album");
    if (i < 4) bob.Photo(GoodPhoto(600 + i), "bob-album");
  }
  anna.Expect("всего 10");
  bob.Expect("4 in total");
  anna.Say("/train");
  bob.Say("/train");
  anna.Expect("Обучение «Анна» началось");
  bob.Expect("Training of \"Bob\" started");

  auto anna_done = anna.Expect("🎉 Ваш аватар готов!");
  auto bob_done = bob.Expect("🎉 Your avatar is ready!");
  CHECK(anna_done.text.find("**Анна** (Портретный стиль)") != std::string::npos);
  CHECK(bob_done.text.find("**Bob** (Artistic style)") != std::string::npos);

  // Bob presses a forged button for Anna's avatar: refused.
  stand.tg.PushCallback(202, GenerateButton(anna_done), "en");
  bob.Expect("I can't find that avatar");
  bob.Say("/avatars");
  auto bobs = bob.Expect("Your avatars:");
  CHECK(bobs.text.find("Анна") == std::string::npos);
  CHECK(bobs.text.find("Bob") != std::string::npos);
  CHECK(anna.Count("Bob") == 0);
  CHECK(bob.Count("Анна") == 0);
}

TEST_CASE("a Telegram outage, and a restart, lose no update and repeat none") {
  Stand stand("outage");
  stand.StartBot();
  Chat chat(stand.tg, 301, "en");
  chat.Say("/start");
  chat.Expect("👋 Hi");

  stand.tg.SetOutage(true);
  stand.tg.WaitForActivity([&] { return stand.tg.OutageFailures() >= 2; }, seconds(60));
  chat.Say("/new Outage");
  chat.Say("/avatars");
  stand.tg.WaitForActivity([&] { return stand.tg.OutageFailures() >= 4; }, seconds(60));
  REQUIRE(stand.tg.OutageFailures() >= 4);
  stand.tg.SetOutage(false);

  chat.Expect("Avatar \"Outage\". Choose a style");
  auto list = chat.Expect("Your avatars:");
  CHECK(list.text.find("Outage — 📝 collecting photos") != std::string::npos);

  // While the bot is down, a message arrives; after the restart it is answered, and nothing
  // answered before is answered again.
  stand.StopBot();
  chat.Say("/help");
  stand.StartBot();
  chat.Expect("/help — this text");
  chat.Say("/status");
  chat.Expect("Nothing is training right now");
  CHECK(chat.Count("👋 Hi") == 1);
  CHECK(chat.Count("Choose a style") == 1);
  CHECK(chat.Count("Your avatars:") == 1);
  auto offsets = stand.tg.PollOffsets();
  for (std::size_t i = 1; i < offsets.size(); ++i) CHECK(offsets[i] >= offsets[i - 1]);
}

TEST_CASE("an avatar that finishes while Telegram is down is announced after it, once") {
  Stand stand("outage-outcome");
  stand.StartBot();
  Chat chat(stand.tg, 302, "en");
  CreateAndTrainEnglish(chat, "Patient", "artistic", "fast", 4, 700);
  stand.tg.SetOutage(true);
  // The bot records the outcome in the job store whatever Telegram does; wait for that.
  stand.tg.WaitForActivity([&] { return stand.bot->Log().find("is COMPLETED") != std::string::npos; },
                           seconds(60));
  REQUIRE(stand.bot->Log().find("is COMPLETED") != std::string::npos);
  // The message is retried until the sender gives up, then handed back for a later tick.
  stand.tg.WaitForActivity([&] { return stand.bot->Log().find("(will retry)") != std::string::npos; },
                           seconds(90));
  CHECK(stand.bot->Log().find("(will retry)") != std::string::npos);
  CHECK(chat.Count("Your avatar is ready") == 0);
  stand.tg.SetOutage(false);
  chat.Expect("🎉 Your avatar is ready!\n🎭 **Patient** (Artistic style)");
  chat.Say("/avatars");
  chat.Expect("Patient (Artistic, Fast) — ✅ ready");
  CHECK(chat.Count("Your avatar is ready") == 1);
}

TEST_CASE("against a fal-compatible server, a restart resumes the training and images go by URL") {
  // faltrain-sim serves fal's queue and storage over HTTP on 127.0.0.1: the bot runs as it would
  // against fal (no test mode), so its requests survive its own restart.
  auto dir = FreshDir("sim-server");
  BotProcess sim({}, dir / "sim.log", FALTRAIN_SIM_BINARY,
                 {"--port", "0", "--duration", "6", "--queue-duration", "0.2", "--generation-duration",
                  "0.5", "--no-webhooks", "--quiet"});
  std::string sim_url;
  Stand stand("real-mode");
  stand.tg.WaitForActivity([&] {
    std::smatch match;
    std::string log = sim.Log();
    if (!std::regex_search(log, match, std::regex("listening on (http://127\\.0\\.0\\.1:[0-9]+)"))) return false;
    sim_url = match[1];
    return true;
  }, seconds(30));
  REQUIRE(!sim_url.empty());
  stand.env["AVATAR_TEST_MODE"] = "false";
  stand.env["FAL_KEY"] = "sim-key-id:sim-key-secret";
  stand.env["FALTRAIN_QUEUE_URL"] = sim_url;
  stand.env["FALTRAIN_REST_URL"] = sim_url;
  stand.StartBot();
  Chat chat(stand.tg, 501, "en");

  CreateAndTrainEnglish(chat, "Resumed", "portrait", "fast", 10, 800);
  stand.StopBot();   // mid-training
  stand.StartBot();
  stand.tg.WaitForActivity([&] { return stand.bot->Log().find("resuming job") != std::string::npos; },
                           seconds(30));
  CHECK(stand.bot->Log().find("resuming job") != std::string::npos);
  chat.Expect("🎉 Your avatar is ready!\n🎭 **Resumed** (Portrait style)");
  chat.Say("/generate in a forest");
  auto photo = chat.ExpectPhoto();
  CHECK(photo.bytes.empty());
  CHECK(photo.url.rfind(sim_url + "/files/", 0) == 0);  // Telegram fetches it itself
  CHECK(photo.caption == "in a forest");
  CHECK(chat.Count("Your avatar is ready") == 1);
  stand.StopBot();
  CHECK(sim.Stop() == 0);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST_CASE("a flood gets one slow-down notice instead of a reply to every message") {
  Stand stand("flood");
  stand.StartBot();
  Chat chat(stand.tg, 401, "en");
  for (int i = 0; i < 60; ++i) chat.Say("/help");
  chat.Expect("That's a lot of messages at once");
  chat.Say("/status");  // probably dropped too; wait for the stand-in to quiet down instead
  stand.tg.WaitForActivity([&] { return chat.Count("Commands:") >= 30; }, seconds(60));
  CHECK(chat.Count("That's a lot of messages") == 1);
  CHECK(chat.Count("Commands:") >= 30);
  CHECK(chat.Count("Commands:") < 60);
}

TEST_CASE("a token Telegram rejects stops the bot, and the log never shows it") {
  Stand stand("bad-token");
  const std::string wrong = "999:wrong-token-value";
  stand.env["TELEGRAM_TOKEN"] = wrong;
  BotProcess bot(stand.env, stand.dir / "bot.log");
  auto code = bot.WaitForExit(seconds(60));
  REQUIRE(code.has_value());
  CHECK(*code == 1);
  CHECK(stand.tg.WrongTokenRequests() >= 1);
  std::string log = bot.Log();
  CHECK(log.find("Telegram rejected the token") != std::string::npos);
  CHECK(log.find(wrong) == std::string::npos);
}

TEST_CASE("while Telegram is unreachable the bot retries, and its errors show no token") {
  // A port on 127.0.0.1 that nothing listens on any more.
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
  }
  REQUIRE(port > 0);
  Stand stand("unreachable");
  stand.env["TELEGRAM_API_URL"] = "http://127.0.0.1:" + std::to_string(port);
  stand.StartBot();
  BotProcess& bot = *stand.bot;
  stand.tg.WaitForActivity([&] {
    std::string log = bot.Log();
    return log.find("retrying in 1000 ms") != std::string::npos;
  }, seconds(60));
  std::string log = bot.Log();
  CHECK(log.find("getUpdates failed") != std::string::npos);
  CHECK(log.find("/bot<token>/getUpdates") != std::string::npos);  // the URL, redacted
  CHECK(log.find(kToken) == std::string::npos);
  CHECK(bot.WaitForExit(seconds(1)) == std::nullopt);  // still running, still trying
}

#ifdef FALTRAIN_BOT_WITH_PHOTO_CHECKS
// What one user of a language sees while the photo check runs.
struct PhotoCheckWords {
  std::string lang, avatar, styles, presets, send, first, rejected, not_added, blurry, tiny, second,
      other_language;
};

TEST_CASE("photo check: a bad photo gets its reason in Russian and in English, a good one no complaint") {
  Stand stand("photo-check-languages");
  stand.StartBot();
  const PhotoCheckWords languages[] = {
      {"ru", "Анна", "Выберите стиль", "Выберите качество", "не меньше 10 фото",
       "Фото 1 получено, нужно ещё 9.", "❌ Это фото не подойдёт: ", "Я его не добавил", "фото размыто",
       "слишком низкое разрешение", "Фото 2 получено, нужно ещё 8.", "I can't use"},
      {"en", "Bob", "Choose a style", "Choose the quality", "send at least 10 photos",
       "Photo 1 received, 9 more needed.", "❌ I can't use this photo: ", "I didn't add it",
       "it is blurry", "the resolution is too low", "Photo 2 received, 8 more needed.", "не подойдёт"},
  };
  std::int64_t user = 301;
  for (const auto& words : languages) {
    CAPTURE(words.lang);
    Chat chat(stand.tg, user++, words.lang);
    chat.Say("/new " + words.avatar);
    chat.Expect(words.styles);
    chat.Press("style:portrait");
    chat.Expect(words.presets);
    chat.Press("preset:fast");
    chat.Expect(words.send);

    chat.Photo(GoodPhoto(0));
    chat.Expect(words.first);
    chat.Photo(Blurred(1));
    auto blurry = chat.Expect(words.rejected);
    CHECK(blurry.text.find(words.blurry) != std::string::npos);
    CHECK(blurry.text.find(words.not_added) != std::string::npos);
    chat.Photo(TinyJpeg());
    auto tiny = chat.Expect(words.rejected);
    CHECK(tiny.text.find(words.tiny) != std::string::npos);
    chat.Photo(GoodPhoto(1));
    chat.Expect(words.second);  // the rejected photos were not added

    // Exactly the two bad photos were complained about, in the user's language; the good ones got
    // no remark.
    CHECK(chat.Count("❌") == 2);
    CHECK(chat.Count("⚠️") == 0);
    CHECK(chat.Count(words.other_language) == 0);
  }
}

TEST_CASE("photo check before training: the contact sheet comes as a photo, a rejected photo is never trained with") {
  Stand stand("photo-check-sheet");
  stand.StartBot();
  Chat chat(stand.tg, 303, "en");
  chat.Say("/new Sheet");
  chat.Expect("Choose a style");
  chat.Press("style:portrait");
  chat.Expect("Choose the quality");
  chat.Press("preset:fast");
  chat.Expect("send at least 10 photos");
  SendAlbum(chat, "sheet-album", 0, 10);
  chat.Expect("(10 in total)");

  chat.Say("/check");
  chat.Expect("Checking your photos");
  auto sheet = chat.ExpectPhoto();
  CHECK(sheet.content_type == "image/png");
  CHECK(faltrain::DetectImageType(sheet.bytes) == "image/png");
  CHECK(sheet.caption.find("green frame") != std::string::npos);
  auto passed = chat.Expect("All 10 photos passed the check.");
  CHECK(passed.reply_markup.find("\"train\"") != std::string::npos);

  // A near-copy of photo 1 (other bytes, the same picture) passes on its own; the set check before
  // training finds it.
  chat.Photo(NearCopy(0));
  chat.Expect("Photo 11 received.");
  chat.Say("/train");
  chat.Expect("Checking your photos");
  auto problem_sheet = chat.ExpectPhoto();
  CHECK(faltrain::DetectImageType(problem_sheet.bytes) == "image/png");
  auto problems = chat.Expect("These can't be used for training:");
  CHECK(problems.text.find("photo_011.jpg — it is almost the same as photo_001.jpg") != std::string::npos);
  CHECK(problems.text.find("Train with 10 photos") != std::string::npos);
  CHECK(problems.reply_markup.find("\"trainok:11\"") != std::string::npos);
  CHECK(chat.Count("Packing and uploading") == 0);  // nothing started, nothing paid

  chat.Press("trainok:11");
  chat.Expect("Packing and uploading");
  chat.Expect("started (status TRAINING)");
  CHECK(stand.bot->Log().find("training with 10 of 11 photos") != std::string::npos);
  chat.Expect("Your avatar is ready");
}
#endif

TEST_CASE("photo check off (BOT_PHOTO_CHECK=false, or a build without faltrain::preflight): photos as before") {
  Stand stand("photo-check-off", {{"BOT_PHOTO_CHECK", "false"}});
  stand.StartBot();
  Chat chat(stand.tg, 305, "en");
  chat.Say("/new Plain");
  chat.Expect("Choose a style");
  chat.Press("style:portrait");
  chat.Expect("Choose the quality");
  chat.Press("preset:fast");
  chat.Expect("send at least 10 photos");
  chat.Photo(MakePng(1));  // 8x8: the check would reject it
  chat.Expect("Photo 1 received, 9 more needed.");
  chat.Say("/check");
  chat.Expect("Photo checks are not available in this bot");
  CHECK(chat.Count("❌") == 0);
  CHECK(stand.bot->Log().find("photo checks: off") != std::string::npos);
}

}  // namespace faltrain_bot_test
