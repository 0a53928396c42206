"""A deterministic long-form Russian town for the benchmark (issue 15, point 4).

One Russian-only town of long articles (by default 40 articles of 20–120 KB of Markdown,
a few over 90 KB, about 3 MB in all). The text is generated here from word lists and
sentence templates written for this benchmark, seeded, so the same seed always gives the
same bytes. It is not meant to read well; it is meant to carry the material a real
town's long articles carry and that typography, Markdown and search have to deal with:
straight and nested double quotes, guillemets, ``&quot;`` in raw HTML, dialogue lines
starting with "- " or "— ", hyphens typed as dashes, year and century ranges, dates,
times written as 9-00 or 18:30, phone numbers, URLs and e-mail addresses both in running
text and as links, file names, initials, units, № and §, "..." ellipses, bulleted and
numbered lists, tables, headings, block quotes, code spans and a few pictures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from .generate import REPO

TOWN = "dolgorechye"

GROUPS = [
    "сотрудники городской библиотеки",
    "члены совета ветеранов",
    "жители Заречной улицы",
    "работники краеведческого музея",
    "ученики второй школы",
    "волонтёры «Берега»",
    "депутаты районного совета",
    "сотрудники управляющей компании",
    "участники молодёжного клуба",
    "мастера столярной артели",
    "прихожане Никольского храма",
    "рыбаки с Нижней пристани",
    "педагоги музыкальной школы",
    "члены садового товарищества",
]
VERBS = [
    "провели",
    "обсудили",
    "подготовили",
    "поддержали",
    "перенесли на осень",
    "завершили",
    "начали",
    "показали гостям",
    "представили",
    "отложили",
    "оплатили",
    "согласовали",
    "раскритиковали",
    "отметили",
]
OBJECTS = [
    "ремонт моста через Сить",
    "выставку старых фотографий",
    "субботник на набережной",
    "сбор подписей за новую остановку",
    "концерт к юбилею школы",
    "план благоустройства сквера",
    "проект детской площадки у рынка",
    "экскурсию по Торговой слободе",
    "встречу с главой района",
    "конкурс детских рисунков",
    "перепись старых колоколен",
    "замену фонарей на Почтовой улице",
    "ярмарку ремёсел",
    "расчистку родника за оврагом",
    "чтения памяти краеведа",
]
WHEN = [
    "в прошлую субботу",
    "несмотря на дождь",
    "по просьбе жителей",
    "впервые за много лет",
    "вместе с соседями из Каргополя",
    "при поддержке района",
    "на средства гранта",
    "ранним утром",
    "после долгого спора",
    "без лишнего шума",
    "к всеобщему удивлению",
]
PEOPLE = [
    "А. С. Пушкин",
    "М. И. Лебедев",
    "Н. П. Орлов",
    "Е. В. Сорокин",
    "Т. Г. Белов",
    "В. А. Кузнецов",
    "О. Н. Пахомов",
    "И. Ф. Громов",
    "Л. Д. Зуев",
    "С. К. Мельников",
]
SPEAKERS = ["рассказывает", "вспоминает", "уточняет", "смеётся", "вздыхает", "объясняет"]
NOUNS = [
    "мост",
    "рынок",
    "причал",
    "архив",
    "клуб",
    "парк",
    "вокзал",
    "сквер",
    "собор",
    "погост",
    "колодец",
    "маяк",
    "склад",
    "двор",
]
ADJECTIVES = [
    "старый",
    "новый",
    "тихий",
    "шумный",
    "главный",
    "дальний",
    "северный",
    "деревянный",
    "каменный",
    "забытый",
]
IDEAS = [
    "память о прошлом",
    "забота о соседях",
    "чистая река",
    "удобная дорога",
    "живая библиотека",
    "честный отчёт",
    "общий праздник",
    "тёплая школа",
]
TITLES = [
    "Летопись Долгоречья",
    "Записки земского врача",
    "Город на реке",
    "Хроника одной улицы",
    "Старые дома",
    "Отчёт о работе за год",
    "Лодки и люди",
]
ENSEMBLES = ["Сударушка", "Северные зори", "Реченька", "Кружева", "Ладожские напевы"]
DOMAINS = [
    "dolgorechye.example.org",
    "museum-dolgo.example.ru",
    "adm.example.gov.ru",
    "library.example.net",
]
FILES = [
    "отчёт-{y}.pdf",
    "смета_ремонта-{y}.xlsx",
    "положение-о-конкурсе-{y}.docx",
    "план_работы_{y}.odt",
    "протокол-{n}.pdf",
]
UNITS = ["км", "м", "%", "т", "кг", "°C", "м²", "руб.", "га", "л"]
ROMAN = ["XV", "XVI", "XVII", "XVIII", "XIX", "XX"]
MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
HEADINGS = [
    "Как всё начиналось",
    "Что говорят жители",
    "Цифры и факты",
    "Немного истории",
    "Споры вокруг сметы",
    "Документы",
    "Что дальше",
    "Воспоминания старожилов",
    "Из архива",
    "Вопросы без ответа",
]
CATEGORIES = ["История", "Очерки", "Репортажи", "Интервью"]
TAGS = [
    "краеведение",
    "архив",
    "мост",
    "музей",
    "школа",
    "река",
    "ярмарка",
    "библиотека",
    "ремонт",
    "праздник",
]


class _Writer:
    """Sentences and blocks drawn from the word lists with one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences: list[Callable[[], str]] = [
            self._plain,
            self._plain,
            self._plain,
            self._quoted,
            self._nested,
            self._guillemets,
            self._hyphen_dash,
            self._years,
            self._century,
            self._schedule,
            self._phone,
            self._url,
            self._email,
            self._file,
            self._units,
            self._number_sign,
            self._ellipsis,
            self._code,
            self._date,
            self._link,
        ]

    def c(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def sentence(self) -> str:
        return self.rng.choice(self.sentences)()

    def n(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def date(self) -> str:
        return f"{self.n(1, 28)} {self.c(MONTHS)} {self.n(1950, 2025)} года"

    # sentences
    def _plain(self) -> str:
        text = f"{self.c(GROUPS)} {self.c(VERBS)} {self.c(OBJECTS)} {self.c(WHEN)}."
        return text[0].upper() + text[1:]

    def _quoted(self) -> str:
        return (
            f'Как сказано в книге "{self.c(TITLES)}", {self.c(ADJECTIVES)} '
            f"{self.c(NOUNS)} стоял здесь ещё до пожара."
        )

    def _nested(self) -> str:
        return (
            f'{self.c(PEOPLE)} заметил: "Я перечитал всё, что написано в '
            f'"{self.c(TITLES)}", и не нашёл ни слова про {self.c(NOUNS)}".'
        )

    def _guillemets(self) -> str:
        return (
            f"Ансамбль «{self.c(ENSEMBLES)}» выступит {self.n(1, 28)} {self.c(MONTHS)} "
            f"в {self.n(10, 20)}:{self.c(['00', '30', '15'])} у «{self.c(NOUNS).title()}а»."
        )

    def _hyphen_dash(self) -> str:
        return (
            f"{self.c(NOUNS).title()} - это не только {self.c(IDEAS)}, но и "
            f"{self.c(IDEAS)} - так считают {self.c(GROUPS)}."
        )

    def _years(self) -> str:
        start = self.n(1800, 1990)
        return (
            f"В {start}-{start + self.n(2, 30)} годах {self.c(ADJECTIVES)} "
            f"{self.c(NOUNS)} несколько раз перестраивали."
        )

    def _century(self) -> str:
        i = self.rng.randrange(len(ROMAN) - 1)
        return (
            f"Постройки {ROMAN[i]}-{ROMAN[i + 1]} веков сохранились лишь на {self.n(2, 9)} улицах."
        )

    def _schedule(self) -> str:
        return (
            f"Читальный зал открыт с {self.n(8, 10)}-00 до {self.n(17, 20)}-00, "
            f"по субботам до {self.n(13, 15)}:30."
        )

    def _phone(self) -> str:
        return (
            f"Справки по телефону +7 (81841) {self.n(2, 5)}-{self.n(10, 99)}-"
            f"{self.n(10, 99)} или 8-921-{self.n(100, 999)}-{self.n(10, 99)}-"
            f"{self.n(10, 99)}."
        )

    def _url(self) -> str:
        return (
            f"Подробности на сайте https://{self.c(DOMAINS)}/news/{self.n(100, 9999)} "
            f"и на <https://{self.c(DOMAINS)}/>."
        )

    def _email(self) -> str:
        return (
            f"Заявки принимают по адресу {self.c(['info', 'museum', 'press'])}@"
            f"{self.c(DOMAINS)} до {self.date()}."
        )

    def _file(self) -> str:
        name = self.c(FILES).format(y=self.n(2015, 2025), n=self.n(1, 60))
        return f"Документ {name} выложен на сайте администрации."

    def _units(self) -> str:
        return (
            f"До переправы {self.n(2, 40)} {self.c(UNITS)}, а смета выросла на "
            f"{self.n(3, 60)} {self.c(UNITS)}."
        )

    def _number_sign(self) -> str:
        return (
            f"Решение № {self.n(1, 300)}-р ссылается на § {self.n(1, 40)} устава "
            f"и приказ №{self.n(1, 99)}."
        )

    def _ellipsis(self) -> str:
        return f"А {self.c(NOUNS)} так и стоит... Никто не знает, чей он..."

    def _code(self) -> str:
        return f"В поле `Номер заявки` укажите `ДЛ-{self.n(1000, 9999)}`, иначе письмо не дойдёт."

    def _date(self) -> str:
        return f"Запись в метрической книге датирована {self.date()}."

    def _link(self) -> str:
        return (
            f"Полный текст есть [на сайте музея](https://{self.c(DOMAINS)}/"
            f"{self.n(1, 999)}.html), а вопросы шлите на "
            f"[почту редакции](mailto:press@{self.c(DOMAINS)})."
        )

    # blocks
    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.n(4, 9)))

    def dialogue(self) -> str:
        lines = []
        for _ in range(self.n(3, 6)):
            dash = self.c(["— ", "— ", "- "])
            said = self.sentence()
            lines.append(
                f"{dash}{said.rstrip('.')}, {dash[0]} {self.c(SPEAKERS)} {self.c(PEOPLE)}."
            )
        return "\n\n".join(lines)

    def bullets(self) -> str:
        return "\n".join(f"- {self.sentence()}" for _ in range(self.n(3, 7)))

    def numbered(self) -> str:
        return "\n".join(f"{i}. {self._plain()}" for i in range(1, self.n(3, 7) + 1))

    def quote(self) -> str:
        return f"> {self.paragraph()}\n>\n> — {self.c(PEOPLE)}, {self.n(1960, 2020)}"

    def html(self) -> str:
        return (
            f'<p class="note">Объявление: &quot;{self.c(OBJECTS)}&quot; — приём заявок '
            f"до {self.date()}, тел. {self.n(2, 5)}-{self.n(10, 99)}-{self.n(10, 99)}.</p>"
        )

    def table(self) -> str:
        rows = ["| Год | Жителей | Дворов | Примечание |", "|---|---:|---:|---|"]
        year = self.n(1850, 1900)
        for _ in range(self.n(5, 12)):
            year += self.n(5, 20)
            rows.append(
                f"| {year} | {self.n(800, 9000)} | {self.n(100, 1500)} | "
                f"{self.c(ADJECTIVES)} {self.c(NOUNS)} |"
            )
        return "\n".join(rows)


def _picture(path: Path, rng: random.Random) -> None:
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rng.randrange(640), rng.randrange(480)
        draw.rectangle(
            (x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 150)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=85)


def _article(writer: _Writer, index: int, size: int, pictures: list[str]) -> str:
    rng = writer.rng
    blocks: list[str] = []
    done = 0
    count = 0
    while done < size:
        count += 1
        if count % 9 == 0:
            block = f"## {rng.choice(HEADINGS)}"
        elif index % 3 == 0 and count == 12:
            block = writer.table()
        elif pictures and index % 8 == 0 and count in (3, 20):
            picture = pictures[(index // 8 + count) % len(pictures)]
            block = f"![Фотография из архива, снимок {count}]({{static}}/images/{picture})"
        else:
            kind = rng.random()
            block = (
                writer.paragraph()
                if kind < 0.55
                else writer.dialogue()
                if kind < 0.7
                else writer.bullets()
                if kind < 0.78
                else writer.numbered()
                if kind < 0.84
                else writer.quote()
                if kind < 0.93
                else writer.html()
            )
        blocks.append(block)
        done += len(block.encode("utf-8")) + 2
    return "\n\n".join(blocks)


def generate_longform(
    target: Path,
    articles: int = 40,
    seed: int = 15,
    sizes_kb: tuple[int, int] = (20, 120),
    large: int = 4,
    pictures: int = 4,
) -> Path:
    """Write a project with one Russian town of ``articles`` long articles.

    Sizes are drawn from ``sizes_kb``; the first ``large`` articles are over 90 KB (or
    near the top of the range when it is smaller). Returns ``target``.
    """
    rng = random.Random(seed)
    writer = _Writer(rng)
    target.mkdir(parents=True, exist_ok=True)
    if not (target / "plugins").exists():
        (target / "plugins").symlink_to(REPO / "plugins")
    if not (target / "themes").exists():
        (target / "themes").symlink_to(REPO / "themes")
    (target / "sites").mkdir(exist_ok=True)
    (target / "sites" / "network.yaml").write_text(
        "name:\n  ru: Долгие тексты\n  en: Long-form benchmark\n", encoding="utf-8"
    )
    (target / "sites" / f"{TOWN}.yaml").write_text(
        "name:\n  ru: Долгоречье\nlanguages: [ru]\n", encoding="utf-8"
    )
    content = target / "content" / TOWN
    names = []
    for p in range(pictures):
        picture = content / "images" / f"archive-{p}.jpg"
        _picture(picture, rng)
        names.append(picture.name)
    about = content / "pages" / "about.md"
    about.parent.mkdir(parents=True, exist_ok=True)
    about.write_text("Title: О городе\n\n" + writer.paragraph() + "\n", encoding="utf-8")
    low, high = sizes_kb
    start = dt.datetime(2024, 1, 10, 9, 0)
    for a in range(articles):
        kb = rng.randint(max(low, min(91, high - 5)), high) if a < large else rng.randint(low, high)
        date = start + dt.timedelta(days=3 * a, hours=a % 9)
        title = f"{rng.choice(HEADINGS)}: {rng.choice(TITLES).lower()}, часть {a + 1}"
        body = _article(writer, a, kb * 1024, names)
        path = content / "articles" / f"longread-{a:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\n"
            f"Category: {CATEGORIES[a % len(CATEGORIES)]}\n"
            f"Tags: {', '.join(rng.sample(TAGS, 3))}\n\n{body}\n",
            encoding="utf-8",
        )
    return target


def edit_one_paragraph(project: Path, mark: str) -> Path:
    """Change one paragraph of one article (the second article's first long paragraph)."""
    articles = sorted((project / "content" / TOWN / "articles").glob("*.md"))
    path = articles[min(1, len(articles) - 1)]
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    blocks = body.split("\n\n")
    for i, block in enumerate(blocks):
        if len(block) > 200 and block[0].isalpha():
            blocks[i] = block + f" Абзац исправлен редактором ({mark})."
            break
    path.write_text(header + "\n\n" + "\n\n".join(blocks), encoding="utf-8")
    return path
