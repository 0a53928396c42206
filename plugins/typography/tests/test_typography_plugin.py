from pathlib import Path

from pelican_site import build_site


def test_titles_and_text_by_language(tmp_path: Path) -> None:
    out, _ = build_site(tmp_path, {
        "a.md": 'Title: Он сказал "да"\nDate: 2024-01-01\n\nМосква - столица, `"код"`.\n',
        "b.md": 'Title: He said "yes"\nDate: 2024-01-02\nLang: en\nSlug: b\n\nText -- more.\n',
    }, ["typography"])
    ru = (out / "on-skazal-da.html").read_text(encoding="utf-8")
    assert "Он\u00a0сказал «да»" in ru and "Москва\u00a0— столица" in ru
    assert '<code>"код"</code>' in ru
    en = next(out.glob("b*.html")).read_text(encoding="utf-8")
    assert "&#8220;yes&#8221;" in en and "&#8212;" in en
