"""lang_subsite on a tiny site, run by the real ``pelican`` command in its own process."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from pelican_site import build_pelican_site

from lang_subsite import pair_by_file_name, split_languages


def fake(source: str, lang: str, slug: str, explicit_slug: bool = False) -> SimpleNamespace:
    item = SimpleNamespace(
        source_path=source, lang=lang, slug=slug, metadata={"slug": slug} if explicit_slug else {}
    )
    item.url = f"{slug}.html"
    return item


def test_pair_by_file_name_gives_translation_the_original_slug() -> None:
    ru = fake("articles/fair.md", "ru", "yarmarka")
    en = fake("articles/fair.en.md", "en", "craft-fair")
    own = fake("articles/other.en.md", "en", "mine", explicit_slug=True)
    other_ru = fake("articles/other.md", "ru", "drugoe")
    pair_by_file_name([en, ru, own, other_ru], ["ru", "en"])
    assert en.slug == "yarmarka"
    assert own.slug == "mine"  # an explicit slug wins


def test_split_languages_keeps_one_language_and_links_the_others() -> None:
    ru = fake("a.md", "ru", "a")
    en = fake("a.en.md", "en", "a")
    only_en = fake("b.en.md", "en", "b")
    mine = split_languages([ru, en, only_en], "ru", {"ru": "", "en": "en/"}, "slug", ["ru", "en"])
    assert mine == [ru]
    assert ru.translations == [en]
    assert en.override_url == "en/a.html"
    assert only_en.translations == []


def build(tmp_path: Path, lang: str, roots: dict[str, str]) -> Path:
    files = {
        "news.md": "Title: Новость\nDate: 2024-01-02\nCategory: Новости\n\n"
        "Текст ![x]({static}/images/x.txt) [b]({filename}ru-only.md)\n",
        "news.en.md": "Title: News\nDate: 2024-01-02\nCategory: News\n\n"
        "Text ![x]({static}/images/x.txt) [b]({filename}ru-only.md)\n",
        "ru-only.md": "Title: Только русский\nDate: 2024-01-03\n\nТекст\n",
        "images/x.txt": "picture",
    }
    static_url = "{path}" if lang == "ru" else "../{path}"
    out, _ = build_pelican_site(
        tmp_path,
        files,
        ["lang_subsite"],
        f"""
        DEFAULT_LANG = {lang!r}
        FILENAME_METADATA = r"^.*?(?:\\.(?P<lang>ru|en))?$"
        ARTICLE_LANG_URL = ARTICLE_LANG_SAVE_AS = "{{slug}}.html"
        STATIC_URL = {static_url!r}
        GARDARIKA = {{"default_lang": "ru", "roots": {roots!r}}}
    """,
    )
    return out


def test_default_language_run(tmp_path: Path) -> None:
    out = build(tmp_path, "ru", {"ru": "", "en": "en/"})
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Новость" in index and "Только русский" in index and "News" not in index
    assert (out / "images" / "x.txt").is_file()
    assert not list(out.glob("*-en.html"))
    news = next(
        p
        for p in out.glob("*.html")
        if "Текст" in p.read_text(encoding="utf-8")
        and "Новость" in p.read_text(encoding="utf-8")
        and p.name != "index.html"
    )
    assert f'href="./en/{news.name}"' in news.read_text(encoding="utf-8")


def test_other_language_run(tmp_path: Path) -> None:
    out = build(tmp_path, "en", {"ru": "../", "en": ""})
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "News" in index and "Новость" not in index and "Только русский" not in index
    assert not (out / "images").exists()  # pictures belong to the default language
    page = next(p for p in out.glob("*.html") if "Text" in p.read_text(encoding="utf-8"))
    text = page.read_text(encoding="utf-8")
    assert 'src="./../images/x.txt"' in text
    # a {filename} link to a Russian-only article leads into the default language's root
    [link] = re.findall(r'href="([^"]*)">b<', text)
    assert link.startswith("./../") and link.endswith(".html")
    assert not (out / link[len("./../") :]).exists()
