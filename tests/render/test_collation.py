"""Alphabetical order of names in the page's language."""

from __future__ import annotations

from gardarika.render.collation import collated


def test_russian_order() -> None:
    names = ["туризм", "вечер", "школа", "Соборная площадь", "Ёлка", "ель", "Ели"]
    assert collated(names, "ru") == [
        "вечер",
        "Ели",
        "Ёлка",
        "ель",
        "Соборная площадь",
        "туризм",
        "школа",
    ]


def test_yo_is_e_with_an_accent_and_short_i_a_letter_of_its_own() -> None:
    assert collated(["ежи", "ёж", "ежа", "ель"], "ru") == ["ёж", "ежа", "ежи", "ель"]
    assert collated(["ее", "её", "ёе"], "ru") == ["ее", "её", "ёе"]  # accents decide last
    assert collated(["йод", "иод", "ия", "изба", "кот"], "ru") == [
        "изба",
        "иод",
        "ия",
        "йод",
        "кот",
    ]
    assert collated(["Йошкар-Ола", "Иваново", "Кострома"], "ru")[1] == "Йошкар-Ола"


def test_case_goes_with_the_letter_small_first() -> None:
    assert collated(["Бор", "бор", "Ания", "бар"], "ru") == ["Ания", "бар", "бор", "Бор"]


def test_the_page_script_first_and_digits_before_letters() -> None:
    names = ["apple", "Zoo", "парк", "2024", "10 лет", "Архив"]
    assert collated(names, "ru") == ["10 лет", "2024", "Архив", "парк", "apple", "Zoo"]
    assert collated(names, "en") == ["10 лет", "2024", "apple", "Zoo", "Архив", "парк"]


def test_order_is_total_and_stable() -> None:
    names = ["a", "A", "á", "a ", "a-b", "ab"]
    assert collated(names, "en") == collated(list(reversed(names)), "en")
    assert collated(names, "en", reverse=True) == list(reversed(collated(names, "en")))
