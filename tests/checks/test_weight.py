"""Page weight: HTML + stylesheets (and what they load) + pictures, counted once each."""

from __future__ import annotations

from pathlib import Path

from projects import write

from gardarika.checks.weight import heaviest_pages, page_weight, weight_line


def test_page_weight_counts_each_resource_once(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write(out / "town/theme/main.css", "body { background: url(bg.png) }")
    (out / "town/theme/bg.png").write_bytes(b"x" * 1000)
    (out / "town/images").mkdir(parents=True)
    (out / "town/images/a.jpg").write_bytes(b"x" * 5000)
    (out / "town/images/a-480w.jpg").write_bytes(b"x" * 2000)
    page = write(
        out / "town/index.html",
        (
            '<link rel="stylesheet" href="theme/main.css">'
            '<img src="images/a.jpg" srcset="images/a-480w.jpg 480w, images/a.jpg 960w">'
            '<img src="images/a.jpg"><a href="images/a-480w.jpg">link, not loaded</a>'
            '<img src="https://example.org/remote.jpg">'
        ),
    )
    weight = page_weight(page, out)
    assert weight.page == "town/index.html"
    assert weight.html == page.stat().st_size
    assert weight.css == len("body { background: url(bg.png) }")
    assert weight.images == 1000 + 5000
    write(out / "town/light.html", "<p>short</p>")
    [heaviest] = heaviest_pages(out, ["town"])
    assert heaviest.page == "town/index.html"
    assert "Heaviest page: town/index.html" in weight_line(heaviest)


def test_build_reports_the_heaviest_page(network: Path, build_network) -> None:
    report = build_network(network)
    assert "Heaviest page: alpha/" in report.log and "Heaviest page: beta/" in report.log


def test_weights_are_remembered_until_a_page_changes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    cache = tmp_path / "weights.json"
    (out / "town/images").mkdir(parents=True)
    (out / "town/images/a.jpg").write_bytes(b"x" * 5000)
    (out / "town/images/b.jpg").write_bytes(b"x" * 7000)
    page = write(out / "town/index.html", '<img src="images/a.jpg">')
    write(out / "other/index.html", "<p>other town</p>")
    heaviest_pages(out, ["town", "other"], cache)
    assert heaviest_pages(out, ["town"], cache)[0].images == 5000
    # a picture's size is always taken afresh
    (out / "town/images/a.jpg").write_bytes(b"x" * 6000)
    assert heaviest_pages(out, ["town"], cache)[0].images == 6000
    # a rewritten page is read again, although the cache still knows its old version
    page.write_text('<img src="images/b.jpg"><img src="images/a.jpg">', encoding="utf-8")
    assert heaviest_pages(out, ["town"], cache)[0].images == 13000
    # the towns not measured keep their entries
    assert str(out / "other" / "index.html") in cache.read_text(encoding="utf-8")


def test_the_heaviest_page_is_named_in_both_languages() -> None:
    from gardarika.checks.weight import PageWeight

    line = weight_line(PageWeight("vyborg/index.html", 20_480, 10_240, 102_400))
    english, russian = line.split(" / ")
    assert "vyborg/index.html" in english and "vyborg/index.html" in russian
    assert "картинки 100 KB" in russian or "картинки 100" in russian
