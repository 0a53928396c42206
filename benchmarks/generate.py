"""A deterministic synthetic network for the benchmark.

Towns × articles per language in Russian and English, with categories, tags, pages and
some pictures. The text is real: paragraphs of the demo network's articles, recombined
by a seeded random generator, so stemming, typography and index sizes behave as they
would on real community news.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
CATEGORIES = {
    "ru": ["Новости", "Культура", "Объявления", "История", "Спорт"],
    "en": ["News", "Culture", "Announcements", "History", "Sport"],
}
TAGS = {
    "ru": [
        "праздник",
        "школа",
        "библиотека",
        "музей",
        "дороги",
        "транспорт",
        "парк",
        "волонтёры",
        "концерт",
        "выставка",
        "ярмарка",
        "река",
    ],
    "en": [
        "festival",
        "school",
        "library",
        "museum",
        "roads",
        "transport",
        "park",
        "volunteers",
        "concert",
        "exhibition",
        "fair",
        "river",
    ],
}


def corpus(repo: Path = REPO) -> dict[str, dict[str, list[str]]]:
    """Paragraphs and title words of the demo articles, by language."""
    found: dict[str, dict[str, list[str]]] = {
        lang: {"paragraphs": [], "titles": []} for lang in ("ru", "en")
    }
    for path in sorted((repo / "content").glob("*/articles/*.md")):
        lang = "en" if path.name.endswith(".en.md") else "ru" if path.name.count(".") == 1 else None
        if lang is None:
            continue
        header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        title = re.search(r"^Title:\s*(.+)$", header, re.M)
        if title:
            found[lang]["titles"].append(title.group(1))
        for paragraph in body.split("\n\n"):
            paragraph = paragraph.strip()
            if len(paragraph) > 60 and "{" not in paragraph and "|" not in paragraph:
                found[lang]["paragraphs"].append(paragraph)
    return found


def _picture(path: Path, rng: random.Random) -> None:
    image = Image.new("RGB", (1600, 1200), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.ellipse(
            (x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 300)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    image = Image.merge("RGB", [band.point(lambda v: v) for band in image.split()])
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90)


def generate(
    target: Path, towns: int, articles: int, seed: int = 1, pictures_per_town: int = 3
) -> Path:
    """Write a project with ``towns`` towns of ``articles`` articles per language."""
    rng = random.Random(seed)
    text = corpus()
    target.mkdir(parents=True, exist_ok=True)
    if not (target / "plugins").exists():
        (target / "plugins").symlink_to(REPO / "plugins")
    if not (target / "themes").exists():  # a copy: the benchmark edits a template
        shutil.copytree(REPO / "themes", target / "themes")
    (target / "sites").mkdir(exist_ok=True)
    (target / "sites" / "network.yaml").write_text(
        "name:\n  ru: Тестовая сеть\n  en: Benchmark network\n", encoding="utf-8"
    )
    start = dt.datetime(2020, 1, 1, 9, 0)
    for t in range(towns):
        town = f"town-{t:02d}"
        (target / "sites" / f"{town}.yaml").write_text(
            f"name:\n  ru: Город {t}\n  en: Town {t}\nlanguages: [ru, en]\n", encoding="utf-8"
        )
        content = target / "content" / town
        pictures = []
        for p in range(pictures_per_town):
            picture = content / "images" / f"photo-{p}.jpg"
            if not picture.exists():
                _picture(picture, rng)
            pictures.append(picture.name)
        for lang in ("ru", "en"):
            suffix = "" if lang == "ru" else ".en"
            about = content / "pages" / f"about{suffix}.md"
            about.parent.mkdir(parents=True, exist_ok=True)
            about.write_text(
                f"Title: {'О городе' if lang == 'ru' else 'About'}\n\n"
                + "\n\n".join(rng.sample(text[lang]["paragraphs"], 3))
                + "\n",
                encoding="utf-8",
            )
        for a in range(articles):
            date = start + dt.timedelta(days=a, hours=a % 7)
            for lang in ("ru", "en"):
                suffix = "" if lang == "ru" else ".en"
                title = f"{a + 1}. {rng.choice(text[lang]['titles'])}"
                paragraphs = rng.sample(text[lang]["paragraphs"], rng.randrange(3, 8))
                if a % 10 == 0:
                    paragraphs.insert(
                        1, f"![{title}]({{static}}/images/{pictures[a % len(pictures)]})"
                    )
                tags = ", ".join(rng.sample(TAGS[lang], 2))
                path = content / "articles" / f"article-{a:04d}{suffix}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(
                    f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\n"
                    f"Category: {CATEGORIES[lang][a % len(CATEGORIES[lang])]}\nTags: {tags}\n\n"
                    + "\n\n".join(paragraphs)
                    + "\n",
                    encoding="utf-8",
                )
    return target
