"""The desk's words in Russian (its default) and English."""

from __future__ import annotations

LANGUAGES = ("ru", "en")

WORDS: dict[str, tuple[str, str]] = {
    "desk": ("Редактор", "Editor's desk"),
    "texts": ("Материалы", "Texts"),
    "new_article": ("Новая статья", "New article"),
    "new_page": ("Новая страница", "New page"),
    "search": ("Поиск", "Search"),
    "search_label": ("Найти материал по заголовку", "Find a text by its title"),
    "find": ("Найти", "Find"),
    "title": ("Заголовок", "Title"),
    "date": ("Дата", "Date"),
    "date_hint": ("Например: 2026-12-01 14:30", "For example: 2026-12-01 14:30"),
    "category": ("Категория", "Category"),
    "tags": ("Метки", "Tags"),
    "tags_hint": ("Через запятую: праздник, парк", "Separated by commas: fair, park"),
    "summary": ("Краткое описание", "Summary"),
    "body": ("Текст", "Text"),
    "photo": ("Фото", "Photo"),
    "photo_hint": (
        "Выберите фото или перетащите его в текст: оно сохранится в папку images/, "
        "а в текст добавится ссылка на него.",
        "Choose a photo or drag it into the text: it is kept in images/ and the text gets "
        "a link to it.",
    ),
    "photo_alt": ("Что на фото", "What the photo shows"),
    "draft": ("Черновик (не публиковать)", "Draft (do not publish)"),
    "save": ("Сохранить", "Save"),
    "saved": ("Сохранено.", "Saved."),
    "unchanged": ("Изменений нет, сохранять нечего.", "Nothing changed; nothing to save."),
    "translate": ("Перевести", "Translate"),
    "language": ("Язык", "Language"),
    "kind": ("Вид", "Kind"),
    "article": ("статья", "article"),
    "page": ("страница", "page"),
    "state": ("Состояние", "State"),
    "published": ("опубликовано", "published"),
    "is_draft": ("черновик", "draft"),
    "hidden": ("скрыто", "hidden"),
    "translations": ("Переводы", "Translations"),
    "no_texts": ("Материалов пока нет.", "No texts yet."),
    "nothing_found": ("Ничего не найдено.", "Nothing found."),
    "undo": ("Отменить последнее сохранение", "Undo the last save"),
    "undone": ("Последнее сохранение отменено.", "The last save was undone."),
    "send": ("Отправить", "Send"),
    "bundle": ("Записать на флешку", "Write to a USB stick"),
    "bundle_folder": ("Папка на флешке", "Folder on the USB stick"),
    "bundle_written": ("Записано: {file}", "Written: {file}"),
    "unsent": ("Не отправлено сохранений: {n}", "Saves not sent yet: {n}"),
    "editor_name": ("Ваше имя", "Your name"),
    "editor_email": ("Почта (необязательно)", "E-mail (optional)"),
    "editor_hint": (
        "Имя записывается при каждом сохранении; его спрашивают один раз.",
        "Your name is written with every save; it is asked once.",
    ),
    "preview": ("Просмотр", "Preview"),
    "preview_button": ("Просмотр без сохранения", "Preview without saving"),
    "previewed": (
        "Это просмотр: текст ещё не сохранён. Нажмите «Сохранить», когда всё готово.",
        "This is a preview: the text is not saved yet. Press “Save” when it is ready.",
    ),
    "preview_hint": (
        "Так страница выглядит на сайте после последнего сохранения.",
        "How the page looks on the site after the last save.",
    ),
    "no_preview": (
        "Просмотр появится после сохранения.",
        "The preview shows once the text is saved.",
    ),
    "problems": ("Что исправить", "What to fix"),
    "build_failed": (
        "Сайт города не собран, поэтому просмотр не обновлён. Исправьте ошибки:",
        "The town's site did not build, so the preview is not updated. Fix these errors:",
    ),
    "line": ("строка {n}", "line {n}"),
    "back": ("← Все материалы", "← All texts"),
    "switch": ("English", "Русский"),
    "toolbar": ("Оформление текста", "Text formatting"),
    "bold": ("Жирный", "Bold"),
    "italic": ("Курсив", "Italic"),
    "heading": ("Заголовок раздела", "Heading"),
    "list": ("Список", "List"),
    "link": ("Ссылка", "Link"),
    "quote": ("Цитата", "Quote"),
    "title_missing": ("Напишите заголовок.", "Write a title."),
    "control": (
        "Здесь есть невидимые служебные знаки; наберите текст заново.",
        "This holds invisible control characters; type it again.",
    ),
    "date_wrong": (
        "Дата записана неверно: нужен вид 2026-12-01 или 2026-12-01 14:30.",
        "The date is not one: write it as 2026-12-01 or 2026-12-01 14:30.",
    ),
    "main_menu": ("Главное меню", "Main menu"),
    "send_hint": (
        "Без интернета запишите изменения на флешку и передайте администратору сети.",
        "With no internet, write the changes to a USB stick and give it to the maintainer.",
    ),
}


def word(key: str, lang: str, **values: object) -> str:
    """``key`` in ``lang`` (Russian unless English is asked), with ``values`` filled in."""
    ru, en = WORDS[key]
    text = en if lang == "en" else ru
    return text.format(**values) if values else text
