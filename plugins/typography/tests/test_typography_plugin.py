import json
from pathlib import Path

import pytest
from pelican_site import build_pelican_site


def test_titles_and_text_by_language(tmp_path: Path) -> None:
    out, _ = build_pelican_site(
        tmp_path,
        {
            "a.md": 'Title: Он сказал "да"\nDate: 2024-01-01\n\nМосква - столица, `"код"`.\n',
            "b.md": 'Title: He said "yes"\nDate: 2024-01-02\nLang: en\nSlug: b\n\nText -- more.\n',
        },
        ["typography"],
    )
    ru = (out / "on-skazal-da.html").read_text(encoding="utf-8")
    assert "Он\u00a0сказал «да»" in ru and "Москва\u00a0— столица" in ru
    assert '<code>"код"</code>' in ru
    en = next(out.glob("b*.html")).read_text(encoding="utf-8")
    assert "“yes”" in en and "—" in en


def test_an_interrupted_typesetting_leaves_the_cache_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time budget can stop typesetting midway: the text has no result, and saving
    the cache must not fail on it (a KeyError became an error naming no file)."""
    import typography
    from gardarika.build.budget import TooSlow

    def slow(lang: str):
        def typeset(text: str) -> str:
            if "slow" in text:
                raise TooSlow(1.0)
            return text.upper()

        return typeset

    monkeypatch.setattr(typography, "for_language", slow)
    monkeypatch.setattr(typography, "_CACHE", {})
    monkeypatch.setattr(typography, "_USED", set())
    monkeypatch.setitem(typography._STATE, "path", str(tmp_path / "typography.json"))
    assert typography._typeset("ru", "fast") == "FAST"
    with pytest.raises(TooSlow):
        typography._typeset("ru", "slow")
    typography.save(None)
    saved = json.loads((tmp_path / "typography.json").read_text(encoding="utf-8"))
    assert list(saved.values()) == ["FAST"]
