#include "messages.hpp"

#include <fmt/format.h>

namespace faltrain_bot {
namespace {

using faltrain::AvatarStyle;
using faltrain::QualityPreset;

std::string PhaseRu(const std::string& phase) {
  if (phase == "queued") return "в очереди";
  if (phase == "preprocessing") return "подготовка фото";
  if (phase == "training") return "обучение";
  if (phase == "saving") return "сохранение";
  if (phase == "completed") return "завершено";
  if (phase == "failed") return "ошибка";
  if (phase.empty()) return "ожидание";
  return phase;
}

std::string StatusWordRu(AvatarStatus s) {
  switch (s) {
    case AvatarStatus::kDraft: return "📝 сбор фото";
    case AvatarStatus::kPending: return "📦 запускается";
    case AvatarStatus::kTraining: return "⏳ обучается";
    case AvatarStatus::kCompleted: return "✅ готов";
    case AvatarStatus::kFailed: return "❌ ошибка";
    case AvatarStatus::kCancelled: return "🚫 отменён";
  }
  return "";
}

class Russian final : public Messages {
 public:
  std::string Welcome(std::string_view first_name) const override {
    return fmt::format("👋 Привет{}! Я обучу персональный аватар по вашим фото, а потом нарисую "
                       "новые изображения с вами по текстовому описанию.\n\n{}",
                       first_name.empty() ? "" : ", " + std::string(first_name), Help());
  }
  std::string Help() const override {
    return "Команды:\n"
           "/new [имя] — создать аватар\n"
           "/train — начать обучение по присланным фото\n"
           "/status — ход обучения\n"
           "/cancel — отменить создание или обучение аватара\n"
           "/check — проверить присланные фото и получить их обзорным листом\n"
           "/avatars — ваши аватары\n"
           "/generate <описание> — изображение с последним готовым аватаром\n"
           "/help — эта справка";
  }
  std::string UnknownCommand(std::string_view command) const override {
    return fmt::format("🤔 Я не знаю команду {}. Список команд: /help", command);
  }
  std::string IdleText() const override {
    return "Сейчас я не жду текста. /new — создать аватар, /help — все команды.";
  }
  std::string SlowDown() const override {
    return "⏸ Слишком много сообщений сразу. Подождите немного: несколько секунд я не буду "
           "отвечать на новые.";
  }
  std::string InternalError() const override {
    return "⚠️ У меня что-то пошло не так. Попробуйте ещё раз через минуту.";
  }
  std::string AskName() const override { return "✏️ Как назвать новый аватар?"; }
  std::string NameInvalid(std::size_t max_chars) const override {
    return fmt::format("Имя должно быть обычным текстом от 1 до {} символов. Пришлите другое.",
                       max_chars);
  }
  std::string DraftDiscarded(std::string_view name) const override {
    return fmt::format("Незаконченный аватар «{}» удалён.", name);
  }
  std::string ChooseStyle(std::string_view name) const override {
    std::string text = fmt::format("🎭 Аватар «{}». Выберите стиль:\n", name);
    for (AvatarStyle s : {AvatarStyle::kPortrait, AvatarStyle::kArtistic}) {
      text += fmt::format("\n• {} — {} ⏱ {}", StyleName(s), StyleDescription(s),
                          Minutes(StyleEstimate(s)));
    }
    return text;
  }
  std::string StyleName(AvatarStyle style) const override {
    return std::string(faltrain::GetStyleInfo(style).name_ru);
  }
  std::string StyleDescription(AvatarStyle style) const override {
    return std::string(faltrain::GetStyleInfo(style).description_ru);
  }
  std::string ChoosePreset(AvatarStyle style) const override {
    std::string text = fmt::format("{} стиль. Выберите качество:\n", StyleName(style));
    for (QualityPreset p : {QualityPreset::kFast, QualityPreset::kBalanced, QualityPreset::kQuality}) {
      auto row = faltrain::GetPreset(style, p);
      text += fmt::format("\n• {} — {} шагов, ⏱ {}", PresetName(p), row.steps, Minutes(row.estimate));
    }
    return text;
  }
  std::string PresetName(QualityPreset preset) const override {
    switch (preset) {
      case QualityPreset::kFast: return "Быстро";
      case QualityPreset::kBalanced: return "Сбалансированно";
      case QualityPreset::kQuality: return "Качественно";
    }
    return "Сбалансированно";
  }
  std::string Minutes(const faltrain::DurationEstimate& e) const override {
    return fmt::format("{}–{} мин", e.min.count(), e.max.count());
  }
  std::string ButtonExpired() const override { return "Эта кнопка больше не действует."; }
  std::string SendPhotos(std::size_t required, std::size_t max) const override {
    return fmt::format("📸 Теперь пришлите не меньше {} фото человека (до {}): фотографиями, "
                       "альбомами или файлами (JPEG, PNG, WebP). Лучше всего — разные ракурсы и "
                       "освещение. Затем нажмите «Начать обучение» или отправьте /train.",
                       required, max);
  }
  std::string PhotoReceived(std::size_t count, std::size_t required) const override {
    if (count >= required) {
      return fmt::format("✅ Фото {} получено. Этого достаточно: пришлите ещё или /train.", count);
    }
    return fmt::format("✅ Фото {} получено, нужно ещё {}.", count, required - count);
  }
  std::string AlbumReceived(std::size_t added, std::size_t count, std::size_t required) const override {
    if (count >= required) {
      return fmt::format("✅ Из альбома получено фото: {} (всего {}). Этого достаточно: пришлите "
                         "ещё или /train.", added, count);
    }
    return fmt::format("✅ Из альбома получено фото: {} (всего {}), нужно ещё {}.", added, count,
                       required - count);
  }
  std::string PhotoDuplicate() const override { return "ℹ️ Это фото у меня уже есть."; }
  std::string PhotoTooLarge(std::size_t limit_mb) const override {
    return fmt::format("⚠️ Файл слишком большой: фото может весить не больше {} МБ.", limit_mb);
  }
  std::string NotAnImage() const override {
    return "⚠️ Это не фото, которое я могу использовать. Пришлите изображения JPEG, PNG или WebP.";
  }
  std::string UnsupportedMedia() const override {
    return "⚠️ Я понимаю только фото и текст. Список команд: /help";
  }
  std::string PhotoWithoutDraft() const override {
    return "📸 Отличное фото! Сначала создайте аватар командой /new, потом присылайте фото.";
  }
  std::string TooManyPhotos(std::size_t max) const override {
    return fmt::format("⚠️ Это максимум — {} фото. Отправьте /train, чтобы начать.", max);
  }
  std::string DownloadFailed() const override {
    return "⚠️ Не удалось скачать файл из Telegram. Пришлите его ещё раз.";
  }
  std::string Reason(std::string_view code, std::string_view duplicate_of) const override {
    if (code == "unreadable") return "файл повреждён или обрезан";
    if (code == "low_resolution") return "слишком низкое разрешение";
    if (code == "blurry") return "фото размыто";
    if (code == "too_dark") return "фото слишком тёмное";
    if (code == "too_bright") return "фото пересвечено";
    if (code == "duplicate") return fmt::format("оно почти такое же, как {}", duplicate_of);
    if (code == "no_face") return "на фото не видно лица";
    if (code == "multiple_faces") return "на фото больше одного человека";
    if (code == "face_too_small") return "лицо слишком мелкое (лучше снимок крупнее)";
    return std::string(code);
  }
  std::string PhotoRejected(std::string_view reasons) const override {
    return fmt::format("❌ Это фото не подойдёт: {}. Я его не добавил — пришлите, пожалуйста, другое.",
                       reasons);
  }
  std::string PhotoNote(std::size_t number, std::string_view reasons) const override {
    return fmt::format("⚠️ Фото {}: {}. Я его использую, но с хорошим фото аватар получится лучше.",
                       number, reasons);
  }
  std::string Checking() const override { return "🔍 Проверяю ваши фото..."; }
  std::string CheckPassed(std::size_t total) const override {
    return fmt::format("🔍 Все фото ({}) прошли проверку.", total);
  }
  std::string SetProblems(const std::vector<std::string>& lines, std::size_t total, std::size_t usable,
                          std::size_t required) const override {
    std::string text = fmt::format("🔍 Я проверил все фото ({}). Для обучения не подходят:", total);
    for (const auto& line : lines) text += "\n• " + line;
    if (usable >= required) {
      return text + fmt::format("\n\nС ними я обучать не буду. Нажмите «Обучить на {} фото», чтобы "
                                "обучить на остальных, или сначала пришлите фото получше.", usable);
    }
    return text + fmt::format("\n\nХороших фото осталось {}, а для этого стиля нужно не меньше {}. "
                              "Пришлите ещё {}.", usable, required, required - usable);
  }
  std::string SheetCaption() const override {
    return "Ваши фото: зелёная рамка — хорошо, оранжевая — подойдёт с замечанием, красная — не "
           "используется.";
  }
  std::string CheckUnavailable() const override {
    return "Проверка фото в этом боте недоступна: я проверяю только, что файлы — изображения.";
  }
  std::string NoDraft() const override { return "Сейчас аватар не создаётся. Начните с /new."; }
  std::string ChooseFirst() const override {
    return "Сначала выберите стиль и качество кнопками.";
  }
  std::string NeedMorePhotos(std::size_t have, std::size_t need) const override {
    return fmt::format("📸 У меня {} фото, а для этого стиля нужно не меньше {}. Пришлите ещё {}.",
                       have, need, need - have);
  }
  std::string TrainingStarting(std::string_view name) const override {
    return fmt::format("📦 Упаковываю и загружаю фото для «{}»...", name);
  }
  std::string TrainingStarted(std::string_view name, std::string_view trainer, QualityPreset preset,
                              const faltrain::DurationEstimate& estimate) const override {
    return fmt::format("🚀 Обучение «{}» началось (статус TRAINING).\nМодель: {}\nКачество: {}\n"
                       "Ожидаемое время: {}\n\nЯ напишу, когда аватар будет готов. /status — ход "
                       "обучения, /cancel — отменить.",
                       name, trainer, PresetName(preset), Minutes(estimate));
  }
  std::string TrainingStartFailed(std::string_view reason) const override {
    return fmt::format("❌ Не удалось начать обучение: {}\nФото сохранены; попробуйте /train ещё раз.",
                       reason);
  }
  std::string Status(const Avatar& avatar, const faltrain::Progress* live) const override {
    std::string text = fmt::format("🎭 {} — {}", avatar.name, StatusWordRu(avatar.status));
    if (avatar.status != AvatarStatus::kTraining) return text;
    double percent = live ? live->percent : avatar.progress;
    std::string phase = PhaseRu(live ? live->phase_text : std::string());
    text += fmt::format("\n📊 {:.0f}% — {}", percent, phase);
    if (live && live->queue_position) text += fmt::format(" (место в очереди: {})", *live->queue_position);
    if (live && live->step && live->total_steps && *live->total_steps > 0) {
      text += fmt::format("\nШаг {} из {}", *live->step, *live->total_steps);
    }
    if (live && live->eta) {
      auto minutes = std::chrono::duration_cast<std::chrono::minutes>(*live->eta).count();
      text += minutes < 1 ? std::string("\n⏱ осталось меньше минуты")
                          : fmt::format("\n⏱ осталось около {} мин", minutes);
    }
    return text;
  }
  std::string NothingTraining() const override {
    return "Сейчас ничего не обучается. Ваши аватары: /avatars";
  }
  std::string Cancelled(std::string_view name) const override {
    return fmt::format("🚫 Обучение «{}» отменено.", name);
  }
  std::string CancelTooLate(std::string_view name) const override {
    return fmt::format("Обучение «{}» уже завершилось, отменять нечего.", name);
  }
  std::string DraftCancelled(std::string_view name) const override {
    return fmt::format("🗑 Аватар «{}» удалён вместе с фото.", name);
  }
  std::string NothingToCancel() const override { return "Отменять нечего."; }
  std::string CancelFailed(std::string_view reason) const override {
    return fmt::format("⚠️ Не удалось отменить обучение: {}", reason);
  }
  std::string Completed(std::string_view name, AvatarStyle style) const override {
    // The seed's message, verbatim.
    return fmt::format("🎉 Ваш аватар готов!\n🎭 **{}** ({} стиль)\n✅ Обучение завершено успешно\n"
                       "Теперь вы можете использовать аватар для генерации изображений!",
                       name, StyleName(style));
  }
  std::string Failed(std::string_view name, std::string_view reason) const override {
    return fmt::format("❌ Обучение «{}» завершилось ошибкой: {}\nМожно попробовать снова: /new",
                       name, reason);
  }
  std::string AvatarList(const std::vector<Avatar>& avatars) const override {
    std::string text = "Ваши аватары:";
    for (const auto& a : avatars) {
      text += fmt::format("\n🎭 {}", a.name);
      if (!a.style.empty()) text += fmt::format(" ({}", StyleName(StyleOf(a)));
      if (!a.style.empty() && !a.preset.empty()) text += ", " + PresetName(PresetOf(a));
      if (!a.style.empty()) text += ")";
      text += " — " + StatusWordRu(a.status);
      if (a.status == AvatarStatus::kTraining) text += fmt::format(" {:.0f}%", a.progress);
    }
    return text;
  }
  std::string NoAvatars() const override { return "У вас пока нет аватаров. Создать: /new"; }
  std::string AvatarNotFound() const override { return "Такой аватар не найден."; }
  std::string NoCompletedAvatar() const override {
    return "Готового аватара пока нет. Сначала обучите его: /new";
  }
  std::string AskPrompt(std::string_view name) const override {
    return fmt::format("🎨 Каким нарисовать «{}»? Опишите изображение, например «в скафандре на "
                       "Луне».", name);
  }
  std::string PromptInvalid(std::size_t max_chars) const override {
    return fmt::format("Описание должно быть от 1 до {} символов.", max_chars);
  }
  std::string Generating(std::string_view name) const override {
    return fmt::format("🎨 Рисую с «{}»... это займёт несколько секунд.", name);
  }
  std::string GenerationFailed(std::string_view reason) const override {
    return fmt::format("❌ Не удалось создать изображение: {}", reason);
  }
  std::string Busy() const override {
    return "⏳ Я ещё выполняю ваш предыдущий запрос, подождите, пожалуйста.";
  }
  std::string ButtonNewAvatar() const override { return "➕ Новый аватар"; }
  std::string ButtonTrain() const override { return "🚀 Начать обучение"; }
  std::string ButtonStatus() const override { return "📊 Статус"; }
  std::string ButtonCancel() const override { return "🚫 Отменить"; }
  std::string ButtonGenerate(std::string_view name) const override {
    return fmt::format("🎨 Создать с {}", name);
  }
  std::string ButtonTrainWith(std::size_t photos) const override {
    return fmt::format("🚀 Обучить на {} фото", photos);
  }
  std::string ButtonCheck() const override { return "🔍 Проверить фото"; }
};

}  // namespace

const Messages& RussianMessages() {
  static const Russian messages;
  return messages;
}

}  // namespace faltrain_bot
