"""Slugs made from titles (``gardarika.content.slugs``), as the build and the checks
make them."""

from __future__ import annotations

from gardarika.content.slugs import slugify


def test_words_in_quotation_marks_stay_in_the_slug() -> None:
    """« » are spelt << >> by the transliteration, which the slug rules took for a tag
    and cut out with the words inside: two lectures got the same address."""
    assert slugify("Лекция «Карельский перешеек в XX веке»") == (
        "lektsiya-karelsky-peresheek-v-xx-veke"
    )
    assert slugify("Лекция «Выборгский замок»") == "lektsiya-vyborgsky-zamok"
    assert slugify("Выставка ‹открыток› и „марок“") == "vystavka-otkrytok-i-marok"
    assert slugify("It’s John's day") == "its-johns-day"


def test_a_long_slug_is_cut_after_a_whole_word() -> None:
    title = "Очень длинный заголовок статьи о том, как жители города собирались на субботник"
    slug = slugify(title)
    assert slug == "ochen-dlinny-zagolovok-statyi-o-tom-kak-zhiteli-goroda"
    assert len(slug) <= 58 and slugify(title).startswith(slug)
    assert slugify("Ы" * 80) == "y" * 58  # one word longer than a name: cut within it
    # English too (issue 18: English slugs were cut mid-word at 58 characters)
    english = slugify("Volunteers restore the municipal boathouse on the riverside embankment")
    assert english == "volunteers-restore-the-municipal-boathouse-on-the"
