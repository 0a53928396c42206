"""Portable file names for FAT32, Joliet and case-insensitive disks."""

from __future__ import annotations

import re

import pytest

from gardarika.fs.portable import (
    MAX_NAME,
    SLUG_SUBSTITUTIONS,
    case_collisions,
    name_problems,
    portable_name,
    portable_path,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Фото 1.JPG", "foto-1.jpg"),
        ("Большое фото.png", "bolshoye-foto.png"),
        ("report (final).PDF", "report-final.pdf"),
        ("con.txt", "con_.txt"),
        ("NUL", "nul_"),
        ("com1.html", "com1_.html"),
        ("a:b*c?.html", "a-b-c.html"),
        ("...hidden", "file.hidden"),
        ("ok-name_1.css", "ok-name_1.css"),
        ("Ёлка.jpeg", "yolka.jpeg"),
    ],
)
def test_portable_name(name: str, expected: str) -> None:
    assert portable_name(name) == expected
    assert name_problems(expected) == []


def test_long_names_are_cut_to_joliet_length_keeping_the_extension() -> None:
    name = portable_name("очень " * 40 + ".jpg")
    assert len(name) <= MAX_NAME and name.endswith(".jpg")


def test_portable_path() -> None:
    assert portable_path("images/Лето 2024/Пляж.JPG") == "images/leto-2024/plyazh.jpg"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("images/Фото.jpg", "characters other than"),
        ("tag/con.html", "device name"),
        ("tag/Aux.HTML", "device name"),
        ("a" * 65 + ".html", "longer than 64"),
        ("/".join(["folder"] * 30), "path is longer"),
        ("news/Index.html", "characters other than"),
    ],
)
def test_name_problems(path: str, words: str) -> None:
    assert any(words in en for en, _ in name_problems(path))


def test_case_collisions() -> None:
    assert case_collisions(["a/B.html", "a/b.html", "c.html"]) == [["a/B.html", "a/b.html"]]


def slugify(text: str) -> str:
    from pelican.utils import slugify as pelican_slugify

    return pelican_slugify(text, regex_subs=SLUG_SUBSTITUTIONS)


def test_slugs_are_portable() -> None:
    assert slugify("con") == "con_"
    assert slugify("Концерт в парке") == "kontsert-v-parke"
    long = slugify("Очень длинный заголовок статьи " * 20)
    assert len(long) <= 58 and not long.endswith("-")
    assert re.fullmatch(r"[a-z0-9_-]+", long)
