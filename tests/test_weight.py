"""Page weight: HTML + stylesheets (and what they load) + pictures, counted once each."""

from __future__ import annotations

from pathlib import Path

from conftest import write

from gardarika.weight import heaviest_pages, page_weight, weight_line


def test_page_weight_counts_each_resource_once(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write(out / "town/theme/main.css", "body { background: url(bg.png) }")
    (out / "town/theme/bg.png").write_bytes(b"x" * 1000)
    (out / "town/images").mkdir(parents=True)
    (out / "town/images/a.jpg").write_bytes(b"x" * 5000)
    (out / "town/images/a-480w.jpg").write_bytes(b"x" * 2000)
    page = write(out / "town/index.html", (
        '<link rel="stylesheet" href="theme/main.css">'
        '<img src="images/a.jpg" srcset="images/a-480w.jpg 480w, images/a.jpg 960w">'
        '<img src="images/a.jpg"><a href="images/a-480w.jpg">link, not loaded</a>'
        '<img src="https://example.org/remote.jpg">'))
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
