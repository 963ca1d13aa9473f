#include "bot.hpp"

#include <faltrain/client/training_set.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace faltrain_bot {
namespace {

using faltrain::errc;
using faltrain::JobStatus;

constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxPromptChars = 1000;
constexpr std::chrono::milliseconds kAlbumQuiet{800};

// Characters, not bytes: names and prompts are UTF-8.
std::size_t Utf8Length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

std::int64_t ParseId(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) return 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string Extension(std::string_view content_type) {
  if (content_type == "image/png") return "png";
  if (content_type == "image/webp") return "webp";
  return "jpg";
}

}  // namespace

Bot::Bot(TelegramApi& api, BotStore& store, TrainingService& training, WorkQueue& work, BotLog& log,
         bool verbose, bool photo_checks)
    : api_(api), store_(store), training_(training), work_(work), log_(log), verbose_(verbose),
      photo_checks_(photo_checks), flood_(30, 1) {}

void Bot::Send(std::int64_t chat_id, const std::string& text, const InlineKeyboard& keyboard) {
  auto sent = api_.SendMessage(chat_id, text, keyboard);
  if (!sent) log_.Error(fmt::format("chat {}: message not delivered: {}", chat_id, sent.error().message));
}

bool Bot::TryBusy(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(busy_mu_);
  return busy_users_.insert(user_id).second;
}

void Bot::DoneBusy(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(busy_mu_);
  busy_users_.erase(user_id);
}

void Bot::Handle(const Update& update) {
  if (verbose_) {
    log_.Info(fmt::format("update {}{}{}", update.update_id, update.message ? " message" : "",
                          update.callback_query ? " callback" : ""));
  }
  if (update.message) HandleMessage(*update.message);
  if (update.callback_query) HandleCallback(*update.callback_query);
}

void Bot::HandleMessage(const Message& message) {
  const TelegramUser& from = message.from;
  if (from.id == 0 || from.is_bot || message.chat_id == 0) return;
  auto verdict = flood_.Check(from.id, std::chrono::steady_clock::now());
  if (verdict == FloodGuard::Verdict::kDrop) return;

  std::lock_guard<std::mutex> lock(session_mu_);
  auto loaded = store_.LoadSession(from.id);
  if (!loaded) {
    log_.Error("loading a session: " + loaded.error().message);
    Send(message.chat_id, MessagesFor(from.language_code).InternalError());
    return;
  }
  Context ctx{loaded.value(), nullptr, message.chat_id};
  ctx.session.chat_id = message.chat_id;
  if (!from.language_code.empty()) ctx.session.language = from.language_code;
  ctx.m = &MessagesFor(ctx.session.language);
  if (verdict == FloodGuard::Verdict::kWarn) {
    Send(ctx.chat_id, ctx.m->SlowDown());
  } else if (!message.text.empty() && message.text.front() == '/') {
    std::string_view text = message.text;
    auto space = text.find_first_of(" \n");
    std::string_view command = text.substr(0, space);
    std::string_view argument = space == std::string_view::npos ? "" : Trim(text.substr(space + 1));
    if (auto at = command.find('@'); at != std::string_view::npos) command = command.substr(0, at);
    HandleCommand(ctx, command, argument, from);
  } else if (!message.photo.empty() || message.document) {
    HandlePhoto(ctx, message);
  } else if (message.has_other_media || message.text.empty()) {
    Send(ctx.chat_id, ctx.m->UnsupportedMedia());
  } else {
    HandleText(ctx, message.text);
  }
  auto saved = store_.SaveSession(ctx.session);
  if (!saved) log_.Error("saving a session: " + saved.error().message);
}

void Bot::HandleCommand(Context& ctx, std::string_view command, std::string_view argument,
                        const TelegramUser& from) {
  if (command == "/start") {
    Send(ctx.chat_id, ctx.m->Welcome(from.first_name), {{{ctx.m->ButtonNewAvatar(), "new"}}});
  } else if (command == "/help") {
    Send(ctx.chat_id, ctx.m->Help());
  } else if (command == "/new") {
    NewAvatar(ctx, argument);
  } else if (command == "/train") {
    Train(ctx);
  } else if (command == "/check") {
    CheckPhotos(ctx);
  } else if (command == "/status") {
    Status(ctx);
  } else if (command == "/cancel") {
    Cancel(ctx, 0);
  } else if (command == "/avatars" || command == "/list") {
    ListAvatars(ctx);
  } else if (command == "/generate") {
    std::int64_t job_id = LatestCompleted(ctx.session.user_id);
    if (job_id == 0) {
      Send(ctx.chat_id, ctx.m->NoCompletedAvatar());
    } else if (argument.empty()) {
      AskPrompt(ctx, job_id);
    } else {
      Generate(ctx, job_id, argument);
    }
  } else {
    std::string shown(command.substr(0, 40));
    Send(ctx.chat_id, ctx.m->UnknownCommand(shown));
  }
}

void Bot::HandleText(Context& ctx, std::string_view text) {
  switch (ctx.session.state) {
    case ChatState::kAwaitName:
      CreateDraft(ctx, text);
      return;
    case ChatState::kAwaitPrompt:
      Generate(ctx, ctx.session.prompt_avatar, text);
      return;
    case ChatState::kAwaitStyle:
    case ChatState::kAwaitPreset:
      Send(ctx.chat_id, ctx.m->ChooseFirst());
      return;
    case ChatState::kCollecting: {
      auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
      if (draft) {
        auto style = faltrain::ParseAvatarStyle(draft.value().style);
        Send(ctx.chat_id, ctx.m->SendPhotos(
                              training_.RequiredPhotos(style ? style.value() : faltrain::AvatarStyle::kPortrait),
                              training_.MaxPhotos()));
        return;
      }
      break;
    }
    case ChatState::kIdle:
      break;
  }
  Send(ctx.chat_id, ctx.m->IdleText());
}

void Bot::HandleCallback(const CallbackQuery& query) {
  const TelegramUser& from = query.from;
  if (from.id == 0 || from.is_bot) return;
  auto verdict = flood_.Check(from.id, std::chrono::steady_clock::now());
  std::lock_guard<std::mutex> lock(session_mu_);
  auto loaded = store_.LoadSession(from.id);
  if (!loaded) {
    log_.Error("loading a session: " + loaded.error().message);
    (void)api_.AnswerCallbackQuery(query.id);
    return;
  }
  Context ctx{loaded.value(), nullptr, query.chat_id != 0 ? query.chat_id : from.id};
  ctx.session.chat_id = ctx.chat_id;
  if (!from.language_code.empty()) ctx.session.language = from.language_code;
  ctx.m = &MessagesFor(ctx.session.language);
  if (verdict != FloodGuard::Verdict::kAllow) {
    (void)api_.AnswerCallbackQuery(query.id, ctx.m->SlowDown());
    return;
  }
  // Answer first: it stops the button's spinner even when the action takes a while.
  auto answered = api_.AnswerCallbackQuery(query.id);
  if (!answered) log_.Warn("answerCallbackQuery: " + answered.error().message);

  std::string_view data = query.data;
  auto colon = data.find(':');
  std::string_view verb = data.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : data.substr(colon + 1);
  if (verb == "new") {
    NewAvatar(ctx, "");
  } else if (verb == "style") {
    ChooseStyle(ctx, arg);
  } else if (verb == "preset") {
    ChoosePreset(ctx, arg);
  } else if (verb == "train") {
    Train(ctx);
  } else if (verb == "trainok") {
    Train(ctx, static_cast<std::size_t>(ParseId(arg)));
  } else if (verb == "check") {
    CheckPhotos(ctx);
  } else if (verb == "status") {
    Status(ctx);
  } else if (verb == "cancel") {
    Cancel(ctx, ParseId(arg));
  } else if (verb == "gen") {
    AskPrompt(ctx, ParseId(arg));
  } else {
    Send(ctx.chat_id, ctx.m->ButtonExpired());
  }
  auto saved = store_.SaveSession(ctx.session);
  if (!saved) log_.Error("saving a session: " + saved.error().message);
}

void Bot::NewAvatar(Context& ctx, std::string_view name) {
  if (ctx.session.draft_avatar != 0) {
    auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
    if (draft) {
      if (auto deleted = store_.DeleteDraft(draft.value().id); deleted) {
        Send(ctx.chat_id, ctx.m->DraftDiscarded(draft.value().name));
      }
    }
    ctx.session.draft_avatar = 0;
  }
  if (name.empty()) {
    ctx.session.state = ChatState::kAwaitName;
    Send(ctx.chat_id, ctx.m->AskName());
    return;
  }
  CreateDraft(ctx, name);
}

void Bot::CreateDraft(Context& ctx, std::string_view raw_name) {
  std::string_view name = Trim(raw_name);
  if (name.empty() || Utf8Length(name) > kMaxNameChars || HasControl(name) || name.front() == '/') {
    ctx.session.state = ChatState::kAwaitName;
    Send(ctx.chat_id, ctx.m->NameInvalid(kMaxNameChars));
    return;
  }
  auto id = store_.CreateDraft(ctx.session.user_id, ctx.chat_id, name);
  if (!id) {
    log_.Error("creating a draft: " + id.error().message);
    Send(ctx.chat_id, ctx.m->InternalError());
    return;
  }
  ctx.session.draft_avatar = id.value();
  ctx.session.state = ChatState::kAwaitStyle;
  InlineKeyboard keyboard = {{{ctx.m->StyleName(faltrain::AvatarStyle::kPortrait), "style:portrait"},
                              {ctx.m->StyleName(faltrain::AvatarStyle::kArtistic), "style:artistic"}}};
  Send(ctx.chat_id, ctx.m->ChooseStyle(name), keyboard);
}

void Bot::ChooseStyle(Context& ctx, std::string_view style_text) {
  auto style = faltrain::ParseAvatarStyle(style_text);
  auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
  if (!style || !draft || (ctx.session.state != ChatState::kAwaitStyle &&
                           ctx.session.state != ChatState::kAwaitPreset)) {
    Send(ctx.chat_id, ctx.m->ButtonExpired());
    return;
  }
  if (auto saved = store_.SetDraftChoice(draft.value().id, faltrain::to_string(style.value()), ""); !saved) {
    log_.Error("saving the style: " + saved.error().message);
    Send(ctx.chat_id, ctx.m->InternalError());
    return;
  }
  ctx.session.state = ChatState::kAwaitPreset;
  InlineKeyboard keyboard;
  for (auto preset : {faltrain::QualityPreset::kFast, faltrain::QualityPreset::kBalanced,
                      faltrain::QualityPreset::kQuality}) {
    auto row = faltrain::GetPreset(style.value(), preset);
    keyboard.push_back({{fmt::format("{} · {}", ctx.m->PresetName(preset), ctx.m->Minutes(row.estimate)),
                         fmt::format("preset:{}", faltrain::to_string(preset))}});
  }
  Send(ctx.chat_id, ctx.m->ChoosePreset(style.value()), keyboard);
}

void Bot::ChoosePreset(Context& ctx, std::string_view preset_text) {
  auto preset = faltrain::ParseQualityPreset(preset_text);
  auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
  if (!preset || !draft || draft.value().style.empty() ||
      (ctx.session.state != ChatState::kAwaitPreset && ctx.session.state != ChatState::kCollecting)) {
    Send(ctx.chat_id, ctx.m->ButtonExpired());
    return;
  }
  if (auto saved = store_.SetDraftChoice(draft.value().id, draft.value().style,
                                         faltrain::to_string(preset.value()));
      !saved) {
    log_.Error("saving the preset: " + saved.error().message);
    Send(ctx.chat_id, ctx.m->InternalError());
    return;
  }
  ctx.session.state = ChatState::kCollecting;
  auto style = StyleFrom(draft.value().style);
  Send(ctx.chat_id, ctx.m->SendPhotos(training_.RequiredPhotos(style), training_.MaxPhotos()),
       {{{ctx.m->ButtonTrain(), "train"}}});
}

// The file of a photo or an image document, as Telegram describes it before any download.
std::optional<Bot::IncomingPhoto> Bot::PhotoOf(const Message& message) {
  if (!message.photo.empty()) {
    const PhotoSize& largest = message.photo.back();
    return IncomingPhoto{largest.file_id,
                         largest.file_unique_id.empty() ? largest.file_id : largest.file_unique_id,
                         largest.file_size};
  }
  const Document& doc = *message.document;
  if (!doc.mime_type.empty() && doc.mime_type.rfind("image/", 0) != 0) return std::nullopt;
  return IncomingPhoto{doc.file_id, doc.file_unique_id.empty() ? doc.file_id : doc.file_unique_id,
                       doc.file_size};
}

// A draft collecting photos and no training being started for the user; else tells the user why.
bool Bot::CollectingPhotos(Context& ctx) {
  if (ctx.session.state != ChatState::kCollecting || ctx.session.draft_avatar == 0) {
    Send(ctx.chat_id, ctx.session.state == ChatState::kAwaitStyle ||
                              ctx.session.state == ChatState::kAwaitPreset
                          ? ctx.m->ChooseFirst()
                          : ctx.m->PhotoWithoutDraft());
    return false;
  }
  std::lock_guard<std::mutex> lock(busy_mu_);
  if (busy_users_.count(ctx.session.user_id) != 0) {
    Send(ctx.chat_id, ctx.m->Busy());
    return false;
  }
  return true;
}

// The photo's bytes, checked to be an image within the size limit; empty after telling the user.
std::optional<std::string> Bot::DownloadPhoto(Context& ctx, const std::string& file_id) {
  const Messages& m = *ctx.m;
  const std::size_t limit_mb = training_.MaxPhotoBytes() >> 20;
  auto file = api_.GetFile(file_id);
  if (!file) {
    log_.Warn("getFile: " + file.error().message);
    Send(ctx.chat_id, m.DownloadFailed());
    return std::nullopt;
  }
  if (file.value().file_path.empty() ||
      static_cast<std::size_t>(std::max<std::int64_t>(0, file.value().file_size)) > training_.MaxPhotoBytes()) {
    Send(ctx.chat_id, m.PhotoTooLarge(limit_mb));
    return std::nullopt;
  }
  auto bytes = api_.DownloadFile(file.value().file_path, training_.MaxPhotoBytes());
  if (!bytes) {
    log_.Warn("file download: " + bytes.error().message);
    Send(ctx.chat_id, bytes.error().code == errc::payload_too_large ? m.PhotoTooLarge(limit_mb)
                                                                    : m.DownloadFailed());
    return std::nullopt;
  }
  if (auto checked = training_.CheckPhoto(bytes.value()); !checked) {
    Send(ctx.chat_id, checked.error().code == errc::payload_too_large ? m.PhotoTooLarge(limit_mb)
                                                                      : m.NotAnImage());
    return std::nullopt;
  }
  return std::move(bytes).value();
}

// Album photos are acknowledged together once the album is quiet (FlushAlbums); a single photo
// at once, with the train button once there are enough.
void Bot::AcknowledgePhoto(Context& ctx, const Message& message, const Draft& draft, std::size_t count) {
  if (!message.media_group_id.empty()) {
    auto& ack = album_acks_[{ctx.chat_id, message.media_group_id}];
    ack.user_id = ctx.session.user_id;
    ack.draft_id = draft.id;
    ack.language = ctx.session.language;
    ack.last = std::chrono::steady_clock::now();
    ++ack.added;
    return;
  }
  const std::size_t required = training_.RequiredPhotos(StyleFrom(draft.style));
  Send(ctx.chat_id, ctx.m->PhotoReceived(count, required), CollectingKeyboard(*ctx.m, count, required));
}

void Bot::HandlePhoto(Context& ctx, const Message& message) {
  const Messages& m = *ctx.m;
  // Cheap checks first: nothing is downloaded for a file that cannot be used.
  auto photo = PhotoOf(message);
  if (!photo) {
    Send(ctx.chat_id, m.NotAnImage());
    return;
  }
  const auto declared = static_cast<std::size_t>(std::max<std::int64_t>(0, photo->declared_size));
  if (declared > training_.MaxPhotoBytes()) {
    Send(ctx.chat_id, m.PhotoTooLarge(training_.MaxPhotoBytes() >> 20));
    return;
  }
  if (!CollectingPhotos(ctx)) return;
  auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
  if (!draft) {
    ctx.session.state = ChatState::kIdle;
    Send(ctx.chat_id, m.PhotoWithoutDraft());
    return;
  }
  auto count = store_.CountPhotos(draft.value().id);
  if (!count) {
    Send(ctx.chat_id, m.InternalError());
    return;
  }
  if (count.value() >= training_.MaxPhotos()) {
    Send(ctx.chat_id, m.TooManyPhotos(training_.MaxPhotos()));
    return;
  }
  auto bytes = DownloadPhoto(ctx, photo->file_id);
  if (!bytes) return;
  std::string name = fmt::format("photo_{:03}.{}", count.value() + 1,
                                 Extension(faltrain::DetectImageType(*bytes)));
  // A photo the check rejects never joins the set: the user hears why and sends another.
  std::optional<PhotoFinding> finding;
  if (photo_checks_) finding = CheckArrival(draft.value(), name, *bytes);
  if (finding && finding->rejected) {
    Send(ctx.chat_id, m.PhotoRejected(ReasonsText(m, *finding)));
    return;
  }
  auto added = store_.AddPhoto(draft.value().id, photo->unique_id, name, *bytes);
  if (!added) {
    log_.Error("storing a photo: " + added.error().message);
    Send(ctx.chat_id, m.InternalError());
    return;
  }
  if (!added.value()) {
    Send(ctx.chat_id, m.PhotoDuplicate());
    return;
  }
  if (finding && !finding->reasons.empty()) {
    Send(ctx.chat_id, m.PhotoNote(count.value() + 1, ReasonsText(m, *finding)));
  }
  AcknowledgePhoto(ctx, message, draft.value(), count.value() + 1);
}

void Bot::FlushAlbums(std::chrono::steady_clock::time_point now) {
  std::vector<std::pair<std::int64_t, AlbumAck>> due;
  for (auto it = album_acks_.begin(); it != album_acks_.end();) {
    if (now - it->second.last >= kAlbumQuiet) {
      due.emplace_back(it->first.first, it->second);
      it = album_acks_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [chat_id, ack] : due) {
    const Messages& m = MessagesFor(ack.language);
    auto draft = store_.FindDraft(ack.user_id, ack.draft_id);
    auto count = store_.CountPhotos(ack.draft_id);
    if (!draft || !count) continue;
    std::size_t required = training_.RequiredPhotos(StyleFrom(draft.value().style));
    Send(chat_id, m.AlbumReceived(ack.added, count.value(), required),
         CollectingKeyboard(m, count.value(), required));
  }
}

std::optional<PhotoFinding> Bot::CheckArrival(const Draft& draft, const std::string& name,
                                              std::string_view bytes) {
  auto trainer = training_.TrainerFor(StyleFrom(draft.style));
  auto finding = trainer ? CheckOnePhoto(name, bytes, trainer.value())
                         : faltrain::result<PhotoFinding>(faltrain::fail(trainer.error()));
  if (!finding) {
    log_.Warn(fmt::format("draft {}: {} not checked: {}", draft.id, name, finding.error().to_string()));
    return std::nullopt;
  }
  return std::move(finding).value();
}

InlineKeyboard Bot::CollectingKeyboard(const Messages& m, std::size_t count, std::size_t required) const {
  InlineKeyboard keyboard;
  if (count >= required) keyboard.push_back({{m.ButtonTrain(), "train"}});
  if (photo_checks_) keyboard.push_back({{m.ButtonCheck(), "check"}});
  return keyboard;
}

void Bot::SendSheet(const SetFinding& finding, const Messages& m, std::int64_t chat) {
  if (finding.sheet_png.empty()) return;
  auto sent = api_.SendPhotoBytes(chat, finding.sheet_png, "photos.png", "image/png", m.SheetCaption());
  if (!sent) log_.Error(fmt::format("chat {}: contact sheet not delivered: {}", chat, sent.error().message));
}

void Bot::ShowProblems(const SetFinding& finding, std::size_t required, const Messages& m,
                       std::int64_t chat) {
  InlineKeyboard keyboard;
  if (finding.usable >= required) {
    // The count pins what was confirmed: a photo added meanwhile is checked and shown first.
    keyboard = {{{m.ButtonTrainWith(finding.usable), fmt::format("trainok:{}", finding.photos.size())}}};
  }
  Send(chat, m.SetProblems(RejectedLines(m, finding), finding.photos.size(), finding.usable, required),
       keyboard);
}

std::optional<std::vector<StoredPhoto>> Bot::CheckBeforeTraining(const Draft& draft,
                                                                 std::vector<StoredPhoto> photos,
                                                                 std::size_t confirmed_photos,
                                                                 const Messages& m, std::int64_t chat) {
  const auto style = StyleFrom(draft.style);
  const std::size_t required = training_.RequiredPhotos(style);
  auto trainer = training_.TrainerFor(style);
  auto finding = trainer ? CheckPhotoSet(photos, trainer.value(), false)
                         : faltrain::result<SetFinding>(faltrain::fail(trainer.error()));
  if (!finding) {
    // The check itself could not run (no photo's fault): train as a build without it would.
    log_.Warn(fmt::format("draft {}: photos not checked: {}", draft.id, finding.error().to_string()));
    return photos;
  }
  if (finding.value().passed()) return photos;
  if (confirmed_photos != photos.size() || finding.value().usable < required) {
    auto with_sheet = CheckPhotoSet(photos, trainer.value(), true);
    const SetFinding& shown = with_sheet ? with_sheet.value() : finding.value();
    SendSheet(shown, m, chat);
    ShowProblems(shown, required, m, chat);
    return std::nullopt;
  }
  std::vector<StoredPhoto> kept;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (!finding.value().photos[i].rejected) kept.push_back(std::move(photos[i]));
  }
  log_.Info(fmt::format("draft {}: training with {} of {} photos, the user confirmed leaving out "
                        "the rejected ones", draft.id, kept.size(), photos.size()));
  return kept;
}

void Bot::CheckPhotos(Context& ctx) {
  const Messages& m = *ctx.m;
  if (!photo_checks_) {
    Send(ctx.chat_id, m.CheckUnavailable());
    return;
  }
  auto draft = ChosenDraft(ctx);
  if (!draft) return;
  const std::size_t required = training_.RequiredPhotos(StyleFrom(draft.value().style));
  auto count = store_.CountPhotos(draft.value().id);
  if (!count) {
    Send(ctx.chat_id, m.InternalError());
    return;
  }
  if (count.value() == 0) {
    Send(ctx.chat_id, m.NeedMorePhotos(0, required));
    return;
  }
  if (!TryBusy(ctx.session.user_id)) {
    Send(ctx.chat_id, m.Busy());
    return;
  }
  Send(ctx.chat_id, m.Checking());
  work_.Post([this, d = draft.value(), required, language = ctx.session.language, chat = ctx.chat_id] {
    const Messages& msg = MessagesFor(language);
    auto photos = store_.LoadPhotos(d.id);
    auto trainer = training_.TrainerFor(StyleFrom(d.style));
    auto finding = !photos    ? faltrain::result<SetFinding>(faltrain::fail(photos.error()))
                   : !trainer ? faltrain::result<SetFinding>(faltrain::fail(trainer.error()))
                              : CheckPhotoSet(photos.value(), trainer.value(), true);
    if (!finding) {
      log_.Error(fmt::format("draft {}: photo check failed: {}", d.id, finding.error().to_string()));
      Send(chat, msg.InternalError());
    } else {
      SendSheet(finding.value(), msg, chat);
      const std::size_t total = finding.value().photos.size();
      if (!finding.value().passed()) {
        ShowProblems(finding.value(), required, msg, chat);
      } else if (total < required) {
        Send(chat, msg.CheckPassed(total) + "\n" + msg.NeedMorePhotos(total, required));
      } else {
        Send(chat, msg.CheckPassed(total), {{{msg.ButtonTrain(), "train"}}});
      }
    }
    DoneBusy(d.user_id);
  });
}

std::optional<Draft> Bot::ChosenDraft(Context& ctx) {
  auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
  if (ctx.session.draft_avatar == 0 || !draft) {
    Send(ctx.chat_id, ctx.m->NoDraft());
    return std::nullopt;
  }
  if (draft.value().style.empty() || draft.value().preset.empty()) {
    Send(ctx.chat_id, ctx.m->ChooseFirst());
    return std::nullopt;
  }
  return std::move(draft).value();
}

void Bot::Train(Context& ctx, std::size_t confirmed_photos) {
  const Messages& m = *ctx.m;
  auto draft = ChosenDraft(ctx);
  if (!draft) return;
  auto style = StyleFrom(draft.value().style);
  std::size_t required = training_.RequiredPhotos(style);
  auto count = store_.CountPhotos(draft.value().id);
  if (!count) {
    Send(ctx.chat_id, m.InternalError());
    return;
  }
  if (count.value() < required) {
    Send(ctx.chat_id, m.NeedMorePhotos(count.value(), required));
    return;
  }
  if (!TryBusy(ctx.session.user_id)) {
    Send(ctx.chat_id, m.Busy());
    return;
  }
  // With photo checks, a training starts only with photos the check passed (or that the user chose
  // to train without the rejected ones): nothing it rejects is paid for.
  Send(ctx.chat_id, photo_checks_ ? m.Checking() : m.TrainingStarting(draft.value().name));
  work_.Post([this, d = draft.value(), language = ctx.session.language, chat = ctx.chat_id,
              confirmed_photos] {
    const Messages& msg = MessagesFor(language);
    auto loaded = store_.LoadPhotos(d.id);
    std::optional<std::vector<StoredPhoto>> photos;
    if (loaded) photos = std::move(loaded).value();
    if (photos && photo_checks_) {
      photos = CheckBeforeTraining(d, std::move(*photos), confirmed_photos, msg, chat);
      if (!photos) {
        DoneBusy(d.user_id);
        return;
      }
      Send(chat, msg.TrainingStarting(d.name));
    }
    // The bot knows the job (and whom to tell) before anything is paid for: a crash mid-submit
    // still ends with the user told, once the webhook or the reconciler settles the job.
    std::int64_t created = 0;
    auto on_created = [&](std::int64_t job_id) {
      created = job_id;
      return store_.AddJob({job_id, d.user_id, chat});
    };
    auto job = photos ? training_.Submit(d, *photos, on_created)
                      : faltrain::result<faltrain::Job>(faltrain::fail(loaded.error()));
    if (!job) {
      log_.Warn(fmt::format("draft {}: training not started: {}", d.id, job.error().to_string()));
      // This reply is the failed job's notification.
      auto claimed = created ? store_.ClaimNotification(created) : faltrain::result<bool>(true);
      if (claimed && claimed.value()) Send(chat, msg.TrainingStartFailed(job.error().message));
      if (created) (void)store_.ConfirmNotification(created);
      DoneBusy(d.user_id);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(session_mu_);
      auto session = store_.LoadSession(d.user_id);
      if (session && session.value().draft_avatar == d.id) {
        session.value().draft_avatar = 0;
        session.value().state = ChatState::kIdle;
        if (auto saved = store_.SaveSession(session.value()); !saved) {
          log_.Error("saving a session: " + saved.error().message);
        }
      }
      // The photos are in fal's storage now; a leftover draft would only take space.
      if (auto deleted = store_.DeleteDraft(d.id); !deleted) {
        log_.Error("deleting a submitted draft: " + deleted.error().message);
      }
    }
    auto preset = PresetFrom(d.preset);
    auto style = StyleFrom(d.style);
    Send(chat,
         msg.TrainingStarted(d.name, training_.TrainerName(job.value().trainer), preset,
                             faltrain::GetPreset(style, preset).estimate),
         {{{msg.ButtonStatus(), "status"}, {msg.ButtonCancel(), fmt::format("cancel:{}", job.value().id)}}});
    DoneBusy(d.user_id);
  });
}

faltrain::result<faltrain::Job> Bot::OwnedJob(std::int64_t user_id, std::int64_t job_id) {
  FALTRAIN_TRYV(store_.FindJob(user_id, job_id));
  FALTRAIN_TRY(auto job, training_.FindJob(job_id));
  if (job.user_id != std::to_string(user_id)) return faltrain::fail(errc::not_found, "no such avatar");
  return job;
}

void Bot::Status(Context& ctx) {
  auto jobs = store_.ListJobs(ctx.session.user_id);
  if (!jobs) {
    Send(ctx.chat_id, ctx.m->InternalError());
    return;
  }
  std::string text;
  for (const auto& bot_job : jobs.value()) {
    auto job = training_.FindJob(bot_job.job_id);
    if (!job || faltrain::IsFinal(job.value().status)) continue;
    Avatar avatar = AvatarOf(job.value());
    std::optional<faltrain::Progress> live;
    if (job.value().status == JobStatus::kTraining) {
      auto progress = training_.LiveProgress(job.value());
      if (progress) {
        live = progress.value();
      } else {
        log_.Warn(fmt::format("job {}: live status: {}", bot_job.job_id, progress.error().message));
      }
    }
    if (!text.empty()) text += "\n\n";
    text += ctx.m->Status(avatar, live ? &*live : nullptr);
  }
  if (text.empty()) {
    Send(ctx.chat_id, ctx.m->NothingTraining());
    return;
  }
  Send(ctx.chat_id, text);
}

void Bot::Cancel(Context& ctx, std::int64_t job_id) {
  const Messages& m = *ctx.m;
  if (job_id == 0 && ctx.session.draft_avatar != 0) {
    auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
    ctx.session.draft_avatar = 0;
    ctx.session.state = ChatState::kIdle;
    if (draft && store_.DeleteDraft(draft.value().id)) {
      Send(ctx.chat_id, m.DraftCancelled(draft.value().name));
      return;
    }
  }
  if (job_id == 0) {
    auto jobs = store_.ListJobs(ctx.session.user_id);
    if (jobs) {
      for (const auto& bot_job : jobs.value()) {
        auto job = training_.FindJob(bot_job.job_id);
        if (job && job.value().status == JobStatus::kTraining) {
          job_id = job.value().id;
          break;
        }
      }
    }
  }
  if (ctx.session.state == ChatState::kAwaitPrompt || ctx.session.state == ChatState::kAwaitName) {
    ctx.session.state = ChatState::kIdle;
  }
  if (job_id == 0) {
    Send(ctx.chat_id, m.NothingToCancel());
    return;
  }
  auto job = OwnedJob(ctx.session.user_id, job_id);
  if (!job) {
    Send(ctx.chat_id, m.AvatarNotFound());
    return;
  }
  if (faltrain::IsFinal(job.value().status)) {
    Send(ctx.chat_id, m.CancelTooLate(job.value().name));
    return;
  }
  auto cancelled = training_.Cancel(job.value());
  if (!cancelled) {
    log_.Warn(fmt::format("job {}: cancel: {}", job_id, cancelled.error().to_string()));
    Send(ctx.chat_id, m.CancelFailed(cancelled.error().message));
    return;
  }
  if (cancelled.value() == CancelResult::kCancelled) {
    // This reply is the job's notification: claim it so the notifier stays silent.
    auto claimed = store_.ClaimNotification(job_id);
    if (claimed && claimed.value()) {
      Send(ctx.chat_id, m.Cancelled(job.value().name));
      (void)store_.ConfirmNotification(job_id);
    }
    return;
  }
  Send(ctx.chat_id, m.CancelTooLate(job.value().name));
}

void Bot::ListAvatars(Context& ctx) {
  std::vector<Avatar> avatars;
  InlineKeyboard keyboard;
  if (ctx.session.draft_avatar != 0) {
    auto draft = store_.FindDraft(ctx.session.user_id, ctx.session.draft_avatar);
    if (draft) {
      Avatar avatar;
      avatar.name = draft.value().name;
      avatar.style = draft.value().style;
      avatar.preset = draft.value().preset;
      avatars.push_back(std::move(avatar));
    }
  }
  auto jobs = store_.ListJobs(ctx.session.user_id);
  if (jobs) {
    for (const auto& bot_job : jobs.value()) {
      auto job = OwnedJob(ctx.session.user_id, bot_job.job_id);
      if (!job) continue;
      avatars.push_back(AvatarOf(job.value()));
      if (job.value().status == JobStatus::kCompleted && keyboard.size() < 10) {
        keyboard.push_back({{ctx.m->ButtonGenerate(job.value().name), fmt::format("gen:{}", job.value().id)}});
      }
    }
  }
  if (avatars.empty()) {
    Send(ctx.chat_id, ctx.m->NoAvatars(), {{{ctx.m->ButtonNewAvatar(), "new"}}});
    return;
  }
  Send(ctx.chat_id, ctx.m->AvatarList(avatars), keyboard);
}

std::int64_t Bot::LatestCompleted(std::int64_t user_id) {
  auto jobs = store_.ListJobs(user_id);
  if (!jobs) return 0;
  for (const auto& bot_job : jobs.value()) {
    auto job = training_.FindJob(bot_job.job_id);
    if (job && job.value().status == JobStatus::kCompleted) return job.value().id;
  }
  return 0;
}

void Bot::AskPrompt(Context& ctx, std::int64_t job_id) {
  auto job = OwnedJob(ctx.session.user_id, job_id);
  if (!job) {
    Send(ctx.chat_id, ctx.m->AvatarNotFound());
    return;
  }
  if (job.value().status != JobStatus::kCompleted) {
    Send(ctx.chat_id, ctx.m->NoCompletedAvatar());
    return;
  }
  ctx.session.state = ChatState::kAwaitPrompt;
  ctx.session.prompt_avatar = job_id;
  Send(ctx.chat_id, ctx.m->AskPrompt(job.value().name));
}

void Bot::Generate(Context& ctx, std::int64_t job_id, std::string_view raw_prompt) {
  const Messages& m = *ctx.m;
  std::string_view prompt = Trim(raw_prompt);
  if (prompt.empty() || Utf8Length(prompt) > kMaxPromptChars) {
    Send(ctx.chat_id, m.PromptInvalid(kMaxPromptChars));
    return;
  }
  auto job = OwnedJob(ctx.session.user_id, job_id);
  if (!job || job.value().status != JobStatus::kCompleted) {
    ctx.session.state = ChatState::kIdle;
    Send(ctx.chat_id, job ? m.NoCompletedAvatar() : m.AvatarNotFound());
    return;
  }
  if (!TryBusy(ctx.session.user_id)) {
    Send(ctx.chat_id, m.Busy());
    return;
  }
  ctx.session.state = ChatState::kIdle;
  Send(ctx.chat_id, m.Generating(job.value().name));
  work_.Post([this, j = job.value(), p = std::string(prompt), language = ctx.session.language,
              chat = ctx.chat_id, user = ctx.session.user_id] {
    const Messages& msg = MessagesFor(language);
    auto images = training_.Generate(j, p);
    if (!images) {
      log_.Warn(fmt::format("job {}: generation failed: {}", j.id, images.error().to_string()));
      Send(chat, msg.GenerationFailed(images.error().message));
      DoneBusy(user);
      return;
    }
    for (const auto& image : images.value()) {
      auto sent = image.bytes.empty()
                      ? api_.SendPhotoUrl(chat, image.url, p)
                      : api_.SendPhotoBytes(chat, image.bytes,
                                            "avatar." + Extension(image.content_type),
                                            image.content_type, p);
      if (!sent) log_.Error(fmt::format("job {}: photo not delivered: {}", j.id, sent.error().message));
    }
    DoneBusy(user);
  });
}

}  // namespace faltrain_bot
